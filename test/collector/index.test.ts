import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { startCollector, validateConfig } from '../../src/collector/index.js';
import { fakeExporters, fakeReceivers, fakeRegistry, journal, resetFakes } from './fakes.js';

const tree = {
  receivers: { fake: null },
  exporters: { 'sink/a/b': null },
  service: {
    telemetry: { endpoint: '127.0.0.1:0' },
    pipelines: { logs: { receivers: ['fake'], exporters: ['sink/a/b'] } },
  },
};

describe('startCollector', () => {
  afterEach(() => resetFakes());

  it('validates a raw tree, starts it and reports the bound telemetry port', async () => {
    const running = await startCollector(tree, { components: fakeRegistry(), log: () => undefined });
    try {
      assert.notEqual(running.telemetryEndpoint.port, 0);
      const res = await fetch(`http://127.0.0.1:${running.telemetryEndpoint.port}/readyz`);
      assert.equal(res.status, 200);
      await fakeReceivers.get('fake')?.next.logs?.consumeLogs({ resourceLogs: [] });
      assert.equal(
        fakeExporters.get('sink/a/b')?.logs.length,
        1,
        'a name part may contain slashes, as in the Collector',
      );
    } finally {
      await running.shutdown();
    }
  });

  it('accepts an already validated config without validating it again', async () => {
    const { config } = validateConfig(tree, { components: fakeRegistry() });
    const running = await startCollector(config, { components: fakeRegistry(), log: () => undefined });
    await running.shutdown();
    assert.deepEqual(journal, [
      'start exporter sink/a/b',
      'start receiver fake',
      'stop receiver fake',
      'stop exporter sink/a/b',
      'stopped exporter sink/a/b',
    ]);
  });

  it('refuses an invalid config with MLOBS_ERR_CONFIG_INVALID listing every problem, before starting anything', async () => {
    const bad = { ...tree, exporters: { nope: null } };
    await assert.rejects(
      startCollector(bad, { components: fakeRegistry(), log: () => undefined }),
      (err: Error & { code?: string; details?: unknown }) => {
        assert.equal(err.code, 'MLOBS_ERR_CONFIG_INVALID');
        assert.match(err.message, /exporters::nope: unknown exporter type "nope" \(known: sink\)/);
        assert.match(
          err.message,
          /service::pipelines::logs::exporters::0: exporter "sink\/a\/b" is not configured under exporters/,
        );
        assert.equal((err.details as unknown[]).length, 2);
        return true;
      },
    );
    assert.deepEqual(journal, []);
  });
});
