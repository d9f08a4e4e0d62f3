import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { CollectorConfig } from '../../../src/collector/config/types.js';
import { validateConfig } from '../../../src/collector/config/validateConfig.js';
import { Service } from '../../../src/collector/service/Service.js';
import { counterName } from '../../../src/collector/service/selfMetrics.js';
import { fakeExporters, fakeReceivers, fakeRegistry, journal, resetFakes, startGates } from '../fakes.js';
import { oneSpanTraces } from '../helpers.js';

function config(
  overrides: { sink?: Record<string, unknown>; timeout?: string; telemetry?: Record<string, unknown> } = {},
): CollectorConfig {
  const tree = {
    receivers: { fake: null, 'fake/logs': null },
    processors: { tally: null, 'tally/b': null },
    exporters: { sink: overrides.sink ?? null, 'sink/other': null },
    service: {
      telemetry: overrides.telemetry ?? { endpoint: '127.0.0.1:0' },
      shutdown_timeout: overrides.timeout ?? '2s',
      pipelines: {
        traces: { receivers: ['fake'], processors: ['tally', 'tally/b'], exporters: ['sink', 'sink/other'] },
        'traces/raw': { receivers: ['fake'], exporters: ['sink/other'] },
        logs: { receivers: ['fake/logs'], exporters: ['sink'] },
      },
    },
  };
  const result = validateConfig(tree, fakeRegistry());
  assert.deepEqual(result.problems, []);
  return result.config as CollectorConfig;
}

const oneSpan = oneSpanTraces({
  scope: { name: 't', version: '', attributes: [], droppedAttributesCount: 0 },
  span: { name: 'score' },
});

const quiet = { log: () => undefined };

describe('Service', () => {
  afterEach(() => resetFakes());

  it('asks for the bearer token on /metrics when service::telemetry::auth is set, and leaves the probes open', async () => {
    const service = new Service(
      config({ telemetry: { endpoint: '127.0.0.1:0', auth: { bearer_token: 'scrape-me' } } }),
      fakeRegistry(),
      quiet,
    );
    const { port } = await service.start();
    try {
      const base = `http://127.0.0.1:${port}`;
      assert.equal((await fetch(`${base}/metrics`)).status, 401);
      assert.equal(
        (await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer nope' } })).status,
        401,
      );
      const ok = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer scrape-me' } });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /mlobs_process_uptime_seconds/);
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
    } finally {
      await service.shutdown();
    }
  });

  it('refuses an empty telemetry token with its path', () => {
    const result = validateConfig(
      {
        receivers: { fake: null },
        exporters: { sink: null },
        service: {
          telemetry: { auth: { bearer_token: '' } },
          pipelines: { traces: { receivers: ['fake'], exporters: ['sink'] } },
        },
      },
      fakeRegistry(),
    );
    assert.deepEqual(result.problems, [
      { path: 'service::telemetry::auth::bearer_token', message: 'must be a non-empty token' },
    ]);
  });

  it('starts exporters, then processors back to front, then receivers, and stops in reverse', async () => {
    const service = new Service(config(), fakeRegistry(), quiet);
    await service.start();
    const startLines = [...journal];
    await service.shutdown();
    const stopLines = journal.slice(startLines.length);
    assert.deepEqual(startLines, [
      'start exporter sink',
      'start exporter sink/other',
      'start processor tally/b@traces',
      'start processor tally@traces',
      'start receiver fake',
      'start receiver fake/logs',
    ]);
    assert.deepEqual(stopLines, [
      'stop receiver fake/logs',
      'stop receiver fake',
      'stop processor tally@traces',
      'stop processor tally/b@traces',
      'stop exporter sink/other',
      'stopped exporter sink/other',
      'stop exporter sink',
      'stopped exporter sink',
    ]);
  });

  it('stops the first stage of every pipeline before the second (a shared processor can still hand on its last output)', async () => {
    const tree = {
      receivers: { fake: null, 'fake/logs': null },
      processors: { tally: null, 'tally/b': null },
      exporters: { sink: null },
      service: {
        telemetry: { endpoint: '127.0.0.1:0' },
        pipelines: {
          traces: { receivers: ['fake'], processors: ['tally', 'tally/b'], exporters: ['sink'] },
          logs: { receivers: ['fake/logs'], processors: ['tally', 'tally/b'], exporters: ['sink'] },
        },
      },
    };
    const result = validateConfig(tree, fakeRegistry());
    assert.deepEqual(result.problems, []);
    const service = new Service(result.config as CollectorConfig, fakeRegistry(), quiet);
    await service.start();
    const started = journal.length;
    await service.shutdown();
    assert.deepEqual(
      journal.slice(started).filter((l) => l.startsWith('stop processor')),
      [
        'stop processor tally@logs',
        'stop processor tally@traces',
        'stop processor tally/b@logs',
        'stop processor tally/b@traces',
      ],
    );
  });

  it('builds a receiver shared by two pipelines once and fans its data out to both', async () => {
    const service = new Service(config(), fakeRegistry(), quiet);
    await service.start();
    const receiver = fakeReceivers.get('fake');
    assert.equal(receiver?.builds, 1);
    await receiver?.next.traces?.consumeTraces(oneSpan);
    // traces → sink and sink/other; traces/raw → sink/other again.
    assert.equal(fakeExporters.get('sink')?.traces.length, 1);
    assert.equal(fakeExporters.get('sink/other')?.traces.length, 2);
    assert.deepEqual(
      journal.filter((l) => l.startsWith('through')),
      ['through tally@traces', 'through tally/b@traces'],
    );
    assert.equal(
      fakeReceivers.get('fake/logs')?.next.traces,
      undefined,
      'a logs-only receiver gets no traces consumer',
    );
    await service.shutdown();
  });

  it('waits for a slow exporter to drain before shutdown resolves', async () => {
    const service = new Service(config({ sink: { delay_ms: 150 } }), fakeRegistry(), quiet);
    await service.start();
    const t0 = Date.now();
    await service.shutdown();
    assert.ok(Date.now() - t0 >= 140);
    assert.ok(journal.includes('stopped exporter sink'));
  });

  it('gives up after shutdown_timeout with a coded error naming the stuck component', async () => {
    const service = new Service(
      config({ sink: { delay_ms: 2000 }, timeout: '100ms' }),
      fakeRegistry(),
      quiet,
    );
    await service.start();
    const t0 = Date.now();
    await assert.rejects(service.shutdown(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'MLOBS_ERR_SHUTDOWN_TIMEOUT');
      assert.match(err.message, /exporters::sink/);
      return true;
    });
    assert.ok(Date.now() - t0 < 1000);
  });

  it('shuts down once, and safely without start', async () => {
    const never = new Service(config(), fakeRegistry(), quiet);
    await never.shutdown();
    assert.deepEqual(journal, []);
    const service = new Service(config(), fakeRegistry(), quiet);
    await service.start();
    const first = service.shutdown();
    assert.equal(service.shutdown(), first);
    await first;
    assert.equal(journal.filter((l) => l === 'stop receiver fake').length, 1);
    await assert.rejects(service.start(), { code: 'MLOBS_ERR_SERVICE_STATE' });
  });

  it('stops what it started when a component fails to start, and says which one', async () => {
    const service = new Service(config({ sink: { fail_start: true } }), fakeRegistry(), quiet);
    await assert.rejects(service.start(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'MLOBS_ERR_COMPONENT_START');
      assert.match(err.message, /^exporters::sink: failed to start: sink cannot open its output/);
      return true;
    });
    assert.ok(!journal.some((l) => l.startsWith('start receiver')), 'no receiver starts after a failure');
    assert.ok(journal.includes('stop exporter sink'));
    await service.shutdown();
  });

  it('closes the telemetry port when a factory throws while building', async () => {
    let port = 0;
    const registry = fakeRegistry();
    const broken = {
      ...(registry.exporters.get('sink') as NonNullable<ReturnType<typeof registry.exporters.get>>),
      createExporter: () => {
        throw new Error('cannot build');
      },
    };
    const log = (line: string) => {
      const m = /telemetry on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (m) port = Number(m[1]);
    };
    const service = new Service(config(), { ...registry, exporters: new Map([['sink', broken]]) }, { log });
    await assert.rejects(service.start(), /cannot build/);
    assert.notEqual(port, 0);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
  });

  it('shuts everything down when a component reports a fatal error after start', async () => {
    const lines: string[] = [];
    const service = new Service(config(), fakeRegistry(), { log: (l) => lines.push(l) });
    await service.start();
    fakeReceivers.get('fake')?.host?.reportFatalError(new Error('listener died'));
    await service.shutdown();
    assert.ok(lines.some((l) => /fatal component error, shutting down: listener died/.test(l)));
    assert.equal(journal.filter((l) => l === 'stopped exporter sink').length, 1);
  });

  it('serves /healthz, /readyz only once every component started, and counters at /metrics', async () => {
    let port = 0;
    const log = (line: string) => {
      const m = /telemetry on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (m) port = Number(m[1]);
    };
    let release: () => void = () => undefined;
    startGates.set('sink', new Promise<void>((r) => (release = r)));
    const service = new Service(config(), fakeRegistry(), { log });
    const starting = service.start();
    try {
      for (let i = 0; i < 200 && port === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.notEqual(port, 0);
      const base = `http://127.0.0.1:${port}`;
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      assert.equal(
        (await fetch(`${base}/readyz`)).status,
        503,
        'not ready while an exporter is still starting',
      );
      release();
      await starting;
      assert.equal((await fetch(`${base}/readyz`)).status, 200);

      fakeReceivers.get('fake')?.host?.telemetry.add(counterName('receiver', 'accepted', 'traces'), 3, {
        receiver: 'fake',
        transport: 'http',
      });
      const text = await (await fetch(`${base}/metrics`)).text();
      assert.match(text, /^# TYPE mlobs_receiver_accepted_spans_total counter$/m);
      assert.match(text, /^mlobs_receiver_accepted_spans_total\{receiver="fake",transport="http"\} 3$/m);
      assert.match(text, /^mlobs_process_uptime_seconds \d+$/m);
      assert.equal((await fetch(`${base}/nope`)).status, 404);
    } finally {
      release();
      await service.shutdown();
    }
    const base = `http://127.0.0.1:${port}`;
    await assert.rejects(fetch(`${base}/healthz`), 'the endpoint closes at shutdown');
  });
});
