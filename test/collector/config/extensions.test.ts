import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultComponents } from '../../../src/collector/components.js';
import { validateConfig } from '../../../src/collector/config/validateConfig.js';

function tree(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:0' } } } },
    exporters: { debug: {} },
    ...extra,
    service: {
      pipelines: { traces: { receivers: ['otlp'], exporters: ['debug'] } },
      ...(extra.service as object),
    },
  };
}

function problems(t: Record<string, unknown>): string[] {
  return validateConfig(t, defaultComponents()).problems.map((p) => `${p.path}: ${p.message}`);
}

describe('config: extensions', () => {
  it('accepts mlobs_ui under extensions and in service::extensions, with defaults filled in', () => {
    const r = validateConfig(
      tree({ extensions: { mlobs_ui: {} }, service: { extensions: ['mlobs_ui'] } }),
      defaultComponents(),
    );
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.config?.service.extensions, ['mlobs_ui']);
    assert.deepEqual(r.config?.extensions.mlobs_ui?.config, {
      endpoint: '127.0.0.1:55679',
      auth: { bearer_token: null },
      processor: null,
      trace_url: null,
    });
  });

  it('names the path of every bad extension setting and reference', () => {
    assert.deepEqual(
      problems(
        tree({
          extensions: {
            mlobs_ui: { endpoint: 'localhost', auth: { bearer_token: 'short' }, trace_url: 'jaeger/{id}' },
            zpages: {},
          },
          service: { extensions: ['mlobs_ui', 'mlobs_ui', 'health_check', 'zpages'] },
        }),
      ),
      [
        'extensions::mlobs_ui::endpoint: must include a port ("host:port"), got "localhost"',
        'extensions::mlobs_ui::auth::bearer_token: must be a string of at least 8 characters without spaces, got 5 characters',
        'extensions::mlobs_ui::trace_url: must be an http(s) URL containing {trace_id}, e.g. "http://localhost:16686/trace/{trace_id}", got "jaeger/{id}"',
        'extensions::zpages: unknown extension type "zpages" (known: mlobs_ui, sqlite_storage)',
        'service::extensions::1: extension "mlobs_ui" is listed twice',
        'service::extensions::2: extension "health_check" is not configured under extensions',
      ],
    );
  });

  it('refuses service::extensions that is not a list', () => {
    assert.deepEqual(problems(tree({ service: { extensions: 'mlobs_ui' } })), [
      'service::extensions: must be a list, got "mlobs_ui"',
    ]);
  });

  it('accepts mlobs_ui and sqlite_storage side by side, with an exporter queue stored in the latter', () => {
    const r = validateConfig(
      tree({
        exporters: {
          otlp_http: { endpoint: 'http://127.0.0.1:4318', sending_queue: { storage: 'sqlite_storage/q' } },
        },
        extensions: { mlobs_ui: {}, 'sqlite_storage/q': { path: '/var/lib/mlobs/q.db' } },
        service: {
          extensions: ['sqlite_storage/q', 'mlobs_ui'],
          pipelines: { traces: { receivers: ['otlp'], exporters: ['otlp_http'] } },
        },
      }),
      defaultComponents(),
    );
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.config?.service.extensions, ['sqlite_storage/q', 'mlobs_ui']);
    assert.deepEqual(r.config?.extensions['sqlite_storage/q']?.config, {
      path: '/var/lib/mlobs/q.db',
      synchronous: 'full',
    });
  });

  it('names the path of a bad sqlite_storage setting and of a queue storage that does not run', () => {
    assert.deepEqual(
      problems(
        tree({
          exporters: {
            'otlp_http/a': {
              endpoint: 'http://127.0.0.1:4318',
              sending_queue: { storage: 'sqlite_storage' },
            },
            'otlp_http/b': { endpoint: 'http://127.0.0.1:4318', sending_queue: { storage: 'file_storage' } },
          },
          extensions: { sqlite_storage: { path: '', synchronous: 'sometimes' } },
          service: {
            pipelines: { traces: { receivers: ['otlp'], exporters: ['otlp_http/a', 'otlp_http/b'] } },
          },
        }),
      ),
      [
        'extensions::sqlite_storage::path: must be the path of the SQLite database file',
        'extensions::sqlite_storage::synchronous: must be full or normal, got "sometimes"',
        'exporters::otlp_http/a::sending_queue::storage: "sqlite_storage" is not an extension enabled in service::extensions',
        'exporters::otlp_http/b::sending_queue::storage: "file_storage" is not an extension enabled in service::extensions',
      ],
    );
  });
});
