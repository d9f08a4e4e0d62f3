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
        'extensions::zpages: unknown extension type "zpages" (known: mlobs_ui)',
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
});
