/**
 * better-sqlite3 is an optional peer dependency: this file runs as if it were not installed
 * (module resolution refuses it, as in a project that installed mlobs alone) and checks that a
 * config asking for SQLite state fails at start with the setting and the install command named,
 * while the in-memory state still works. `scripts/check-install.sh` does the same against a
 * real install of the packed tarball.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startCollector } from '../../../src/collector/index.js';
import { IncidentReader } from '../../../src/collector/store/IncidentReader.js';

// Each test file runs in its own process, so hiding the module here hides it from nothing else.
const internal = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = internal._resolveFilename;
internal._resolveFilename = function (request: string, ...rest: unknown[]) {
  if (request === 'better-sqlite3') {
    const err = new Error(`Cannot find module '${request}'`) as Error & { code: string };
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return resolve.call(this, request, ...rest);
};

function config(storage: Record<string, unknown>) {
  return {
    receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:0' } } } },
    processors: { 'ml/eu': { storage } },
    exporters: { debug: { verbosity: 'basic' } },
    service: {
      telemetry: { endpoint: '127.0.0.1:0' },
      pipelines: { traces: { receivers: ['otlp'], processors: ['ml/eu'], exporters: ['debug'] } },
    },
  };
}

describe('without better-sqlite3 installed', () => {
  it('a collector asking for SQLite state fails at start naming the setting and the install command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlobs-nosqlite-'));
    const err = await startCollector(config({ type: 'sqlite', path: join(dir, 'state.db') }), {
      log: () => undefined,
    }).then(
      () => assert.fail('started without its SQLite driver'),
      (e: unknown) => e as Error & { code: string },
    );
    assert.equal(err.code, 'MLOBS_ERR_COMPONENT_START');
    assert.match(
      err.message,
      /processors::ml\/eu::storage::type: SQLite storage needs the optional dependency better-sqlite3/,
    );
    assert.match(err.message, /`npm install better-sqlite3@12`/);
    assert.match(err.message, /\[MLOBS_ERR_DEPENDENCY_MISSING\]/);
  });

  it("a persistent sending queue's sqlite_storage fails at start naming the extension", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlobs-nosqlite-'));
    const tree = config({ type: 'memory' });
    const err = await startCollector(
      {
        ...tree,
        exporters: {
          otlp_http: { endpoint: 'http://127.0.0.1:9', sending_queue: { storage: 'sqlite_storage' } },
        },
        extensions: { sqlite_storage: { path: join(dir, 'queue.db') } },
        service: {
          ...tree.service,
          extensions: ['sqlite_storage'],
          pipelines: { traces: { receivers: ['otlp'], processors: ['ml/eu'], exporters: ['otlp_http'] } },
        },
      },
      { log: () => undefined },
    ).then(
      () => assert.fail('started without its SQLite driver'),
      (e: unknown) => e as Error & { code: string },
    );
    assert.match(
      err.message,
      /extensions::sqlite_storage: SQLite storage needs the optional dependency better-sqlite3/,
    );
    assert.match(err.message, /`npm install better-sqlite3@12`.*\[MLOBS_ERR_DEPENDENCY_MISSING\]/);
  });

  it('a collector with the in-memory state starts and stops as usual', async () => {
    const running = await startCollector(config({ type: 'memory' }), { log: () => undefined });
    const res = await fetch(`http://127.0.0.1:${running.telemetryEndpoint.port}/readyz`);
    assert.equal(res.status, 200);
    await running.shutdown();
  });

  it('mlobs incidents says what to install instead of failing on a missing module', () => {
    assert.throws(() => new IncidentReader('/nonexistent/state.db'), {
      code: 'MLOBS_ERR_DEPENDENCY_MISSING',
      message:
        /^--state: SQLite storage needs the optional dependency better-sqlite3.*npm install better-sqlite3@12/,
    });
  });
});
