import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, describe, it } from 'node:test';
import { AnalysisRegistry, type Host } from '../../../../src/collector/component.js';
import { createDefaultMlobsUiConfig } from '../../../../src/collector/extensions/mlobs_ui/config.js';
import { MlobsUiExtension } from '../../../../src/collector/extensions/mlobs_ui/MlobsUiExtension.js';
import { startCollector } from '../../../../src/collector/index.js';
import { TelemetryRegistry } from '../../../../src/collector/service/TelemetryRegistry.js';
import { fixtureStore } from '../../api/fixtures.js';
import { freePort } from '../../helpers.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const running: MlobsUiExtension[] = [];
after(async () => {
  for (const e of running) await e.shutdown();
});

async function start(over: Partial<ReturnType<typeof createDefaultMlobsUiConfig>> = {}, withStore = true) {
  const analyses = new AnalysisRegistry();
  const store = fixtureStore();
  if (withStore) analyses.register('ml', { stateStore: store });
  const host: Host = { reportFatalError: () => undefined, telemetry: new TelemetryRegistry(), analyses };
  const ext = new MlobsUiExtension('mlobs_ui', {
    ...createDefaultMlobsUiConfig(),
    endpoint: '127.0.0.1:0',
    ...over,
  });
  running.push(ext);
  await ext.start(host);
  return { port: ext.bound?.port as number, store, analyses };
}

describe('mlobs_ui extension', () => {
  it('serves the page, its bundled script and style sheet from the package, and the JSON API', async () => {
    const { port } = await start({ trace_url: 'http://jaeger:16686/trace/{trace_id}' });
    const page = await get(port, '/');
    assert.equal(page.status, 200);
    assert.match(page.body, /<script src="\/assets\/app\.js">/);
    assert.doesNotMatch(page.body, /https?:\/\//, 'the page loads nothing from elsewhere');
    const js = await get(port, '/assets/app.js');
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /javascript/);
    assert.ok(js.body.length > 20_000, 'uPlot and dagre are bundled in');
    assert.equal((await get(port, '/assets/app.css')).status, 200);
    const status = JSON.parse((await get(port, '/api/v1/status')).body);
    assert.deepEqual(status, {
      processor: 'ml',
      running: true,
      traceUrl: 'http://jaeger:16686/trace/{trace_id}',
    });
    const list = JSON.parse((await get(port, '/api/v1/incidents?state=open')).body);
    assert.deepEqual(
      list.map((i: { id: string }) => i.id),
      ['b3d39b59961f5c30'],
    );
  });

  it('with a bearer token, refuses requests without it and trades ?token= for a cookie', async () => {
    const token = 's3cret-token-123';
    const { port } = await start({ auth: { bearer_token: token } });
    assert.equal((await get(port, '/api/v1/incidents')).status, 401);
    assert.equal((await get(port, '/')).status, 401);
    assert.equal((await get(port, '/?token=wrong-token-000')).status, 401);
    const bearer = await get(port, '/api/v1/incidents', { authorization: `Bearer ${token}` });
    assert.equal(bearer.status, 200);
    const exchange = await get(port, `/?token=${token}#/incidents`);
    assert.equal(exchange.status, 303);
    assert.equal(exchange.headers.location, '/');
    const cookie = String(exchange.headers['set-cookie']).split(';')[0] as string;
    assert.match(String(exchange.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
    assert.equal((await get(port, '/api/v1/pipelines', { cookie })).status, 200);
    assert.equal((await get(port, '/', { cookie })).status, 200);
  });

  it('answers empty lists while no ml processor has started', async () => {
    const { port } = await start({}, false);
    assert.deepEqual(JSON.parse((await get(port, '/api/v1/incidents')).body), []);
    assert.equal(JSON.parse((await get(port, '/api/v1/status')).body).running, false);
  });

  it('sends a change event on connect and again when an incident opens', async () => {
    const { port, store } = await start();
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/v1/events' }, (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream');
        res.on('data', (c: Buffer) => {
          for (const m of c.toString().matchAll(/event: change\ndata: (.*)\n/g)) events.push(m[1] as string);
          if (events.length === 1) {
            const i = store.incidents('open')[0]!;
            store.putIncident({ ...i, id: 'c000000000000002', openedAtMs: i.openedAtMs + 1 });
          }
          if (events.length === 2) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', (err) => (events.length >= 2 ? resolve() : reject(err)));
      setTimeout(() => reject(new Error(`only ${events.length} change events in 5 s`)), 5000).unref();
      req.end();
    });
    assert.notEqual(events[0], events[1]);
  });

  it('reads the ml processor of its own collector, from its start until its shutdown', async () => {
    const ui = await freePort();
    const collector = await startCollector(
      {
        receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:0' } } } },
        processors: { ml: { storage: { type: 'memory' } } },
        exporters: { debug: { verbosity: 'basic' } },
        extensions: { mlobs_ui: { endpoint: `127.0.0.1:${ui}` } },
        service: {
          extensions: ['mlobs_ui'],
          telemetry: { endpoint: '127.0.0.1:0' },
          pipelines: { traces: { receivers: ['otlp'], processors: ['ml'], exporters: ['debug'] } },
        },
      },
      { log: () => undefined },
    );
    try {
      assert.deepEqual(collector.service.analyses.ids(), ['ml']);
      assert.deepEqual(JSON.parse((await get(ui, '/api/v1/status')).body), {
        processor: 'ml',
        running: true,
        traceUrl: null,
      });
      assert.deepEqual(JSON.parse((await get(ui, '/api/v1/pipelines')).body), []);
    } finally {
      await collector.shutdown();
    }
    assert.deepEqual(collector.service.analyses.ids(), []);
  });

  it('shuts down safely without start and twice', async () => {
    const ext = new MlobsUiExtension('mlobs_ui', createDefaultMlobsUiConfig());
    await ext.shutdown();
    await ext.shutdown();
  });
});
