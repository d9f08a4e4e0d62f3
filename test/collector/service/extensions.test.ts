import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import type { Host } from '../../../src/collector/component.js';
import type { ComponentRegistry } from '../../../src/collector/config/types.js';
import { validateConfig } from '../../../src/collector/config/validateConfig.js';
import type { ExtensionFactory } from '../../../src/collector/factory.js';
import { startCollector } from '../../../src/collector/index.js';
import { encodeTracesProto } from '../../../src/collector/otlp/traceProto.js';
import { defaultHttpProtocol } from '../../../src/collector/receivers/otlp/config.js';
import { OtlpReceiver } from '../../../src/collector/receivers/otlp/OtlpReceiver.js';
import { Service } from '../../../src/collector/service/Service.js';
import { countSpans } from '../../../src/model/otlp.js';
import { fakeRegistry, journal, resetFakes } from '../fakes.js';
import { freePort, oneSpanTraces, RecordingConsumer, testHost } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'mlobs-ext-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const hosts: Host[] = [];

/** An extension that writes its lifecycle into the fakes' journal and keeps the host it got. */
const journalExtension: ExtensionFactory<{ note: string | null }> = {
  type: 'journal',
  createDefaultConfig: () => ({ note: null }),
  validate: () => [],
  createExtension(settings) {
    return {
      async start(host) {
        hosts.push(host);
        journal.push(`start extension ${settings.id}`);
      },
      async shutdown() {
        journal.push(`stop extension ${settings.id}`);
      },
    };
  },
};

function registry(): ComponentRegistry {
  return { ...fakeRegistry(), extensions: new Map([['journal', journalExtension]]) };
}

describe('Service extensions', () => {
  afterEach(() => {
    resetFakes();
    hosts.length = 0;
  });

  it('starts listed extensions before every pipeline component and stops them after, with the analyses registry', async () => {
    const result = validateConfig(
      {
        receivers: { fake: null },
        exporters: { sink: null },
        extensions: { journal: null, 'journal/unused': null },
        service: {
          extensions: ['journal'],
          telemetry: { endpoint: '127.0.0.1:0' },
          pipelines: { traces: { receivers: ['fake'], exporters: ['sink'] } },
        },
      },
      registry(),
    );
    assert.deepEqual(result.problems, []);
    const service = new Service(result.config!, registry(), { log: () => undefined });
    await service.start();
    await service.shutdown();
    assert.equal(journal[0], 'start extension journal');
    assert.equal(journal.at(-1), 'stop extension journal');
    assert.ok(
      !journal.some((l) => l.includes('journal/unused')),
      'a configured but unlisted extension does not run',
    );
    assert.equal(hosts[0]?.analyses, service.analyses);
  });

  it('hands every component the started extensions by id, and nothing for an unlisted one', async () => {
    const result = validateConfig(
      {
        receivers: { fake: null },
        exporters: { sink: null },
        extensions: { journal: null, 'journal/b': null, 'journal/unused': null },
        service: {
          extensions: ['journal/b', 'journal'],
          telemetry: { endpoint: '127.0.0.1:0' },
          pipelines: { traces: { receivers: ['fake'], exporters: ['sink'] } },
        },
      },
      registry(),
    );
    const service = new Service(result.config!, registry(), { log: () => undefined });
    await service.start();
    try {
      assert.deepEqual(journal.slice(0, 2), ['start extension journal/b', 'start extension journal']);
      const host = hosts[0]!;
      assert.ok(host.getExtension?.('journal'));
      assert.ok(host.getExtension?.('journal/b'));
      assert.notEqual(host.getExtension?.('journal'), host.getExtension?.('journal/b'));
      assert.equal(host.getExtension?.('journal/unused'), undefined);
    } finally {
      await service.shutdown();
    }
    assert.deepEqual(journal.slice(-2), ['stop extension journal', 'stop extension journal/b']);
  });

  it('runs mlobs_ui and sqlite_storage together: the page answers and the stored queue outlives a restart', async () => {
    const [otlp, ui, backend] = [await freePort(), await freePort(), await freePort()];
    const db = join(dir, 'state', 'queue.db');
    const config = {
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlp}` } } } },
      processors: { ml: { storage: { type: 'memory' } } },
      exporters: {
        otlp_http: {
          endpoint: `http://127.0.0.1:${backend}`,
          // Drains for at most this long, well within shutdown_timeout, so the page closes too.
          timeout: '1s',
          retry_on_failure: { initial_interval: '100ms', max_interval: '200ms', max_elapsed_time: 0 },
          sending_queue: { storage: 'sqlite_storage' },
        },
      },
      extensions: { mlobs_ui: { endpoint: `127.0.0.1:${ui}` }, sqlite_storage: { path: db } },
      service: {
        extensions: ['sqlite_storage', 'mlobs_ui'],
        telemetry: { endpoint: '127.0.0.1:0' },
        shutdown_timeout: '5s',
        pipelines: { traces: { receivers: ['otlp'], processors: ['ml'], exporters: ['otlp_http'] } },
      },
    };
    // The backend is down: the acknowledged span can only be in the storage.
    const first = await startCollector(config, { log: () => undefined });
    try {
      const status = await fetch(`http://127.0.0.1:${ui}/api/v1/status`);
      assert.deepEqual(await status.json(), { processor: 'ml', running: true, traceUrl: null });
      const res = await fetch(`http://127.0.0.1:${otlp}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: encodeTracesProto(oneSpanTraces()),
      });
      assert.equal(res.status, 200);
      assert.equal(statSync(db).mode & 0o777, 0o600);
    } finally {
      await first.shutdown();
    }
    const sink = new RecordingConsumer();
    const receiver = new OtlpReceiver(
      'backend',
      { http: { ...defaultHttpProtocol(), endpoint: `127.0.0.1:${backend}` } },
      { traces: sink },
    );
    await receiver.start(testHost());
    const second = await startCollector(config, { log: () => undefined });
    try {
      const delivered = () => sink.traces.reduce((n, t) => n + countSpans(t), 0);
      for (let i = 0; i < 100 && delivered() < 1; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(delivered(), 1);
    } finally {
      await second.shutdown();
      await receiver.shutdown();
    }
  });

  it('refuses to start an exporter whose queue storage is an extension that is not storage, naming the path', async () => {
    const config = {
      receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:0' } } } },
      exporters: {
        otlp_http: { endpoint: 'http://127.0.0.1:9', sending_queue: { storage: 'mlobs_ui' } },
      },
      extensions: { mlobs_ui: { endpoint: '127.0.0.1:0' } },
      service: {
        extensions: ['mlobs_ui'],
        telemetry: { endpoint: '127.0.0.1:0' },
        pipelines: { traces: { receivers: ['otlp'], exporters: ['otlp_http'] } },
      },
    };
    await assert.rejects(startCollector(config, { log: () => undefined }), {
      code: 'MLOBS_ERR_COMPONENT_START',
      message:
        /exporters::otlp_http: failed to start: .*sending_queue::storage: "mlobs_ui" is not a started storage extension/,
    });
  });
});
