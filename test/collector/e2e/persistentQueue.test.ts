/**
 * Issue 12 §4, "acknowledged means kept": with `sending_queue::storage` naming a
 * `sqlite_storage` extension, every span the collector acknowledged while its backend was down
 * survives SIGKILL and is delivered by the next start; with the in-memory queue the same crash
 * loses them (the contrast the README states).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { encodeTracesProto } from '../../../src/collector/otlp/traceProto.js';
import { defaultHttpProtocol } from '../../../src/collector/receivers/otlp/config.js';
import { OtlpReceiver } from '../../../src/collector/receivers/otlp/OtlpReceiver.js';
import { countSpans } from '../../../src/model/otlp.js';
import {
  freePort,
  oneSpanTraces,
  RecordingConsumer,
  spawnCollectorCli,
  testHost,
  testSpan,
} from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'mlobs-pq-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function startCollector(cfg: string, telemetry: number): Promise<ChildProcess> {
  return (await spawnCollectorCli(cfg, telemetry, children)).child;
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Ten spans per request, distinct ids. */
function body(i: number): Uint8Array {
  const data = oneSpanTraces();
  data.resourceSpans[0].scopeSpans[0].spans = Array.from({ length: 10 }, (_, k) =>
    testSpan({ spanId: (i * 10 + k + 1).toString(16).padStart(16, '0'), name: `s${i}-${k}` }),
  );
  return encodeTracesProto(data);
}

async function scenario(persistent: boolean): Promise<{ acked: number; delivered: number }> {
  const [otlp, telemetry, backend] = [await freePort(), await freePort(), await freePort()];
  const cfg = join(dir, `c-${otlp}.yaml`);
  writeFileSync(
    cfg,
    `receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:${otlp}" } } }
exporters:
  otlp_http:
    endpoint: "http://127.0.0.1:${backend}"
    retry_on_failure: { initial_interval: 100ms, max_interval: 200ms, max_elapsed_time: 0 }
    sending_queue: { storage: ${persistent ? 'sqlite_storage' : 'null'} }
${persistent ? `extensions:\n  sqlite_storage: { path: ${JSON.stringify(join(dir, `q-${otlp}.db`))} }\n` : ''}service:
  ${persistent ? 'extensions: [sqlite_storage]' : ''}
  telemetry: { endpoint: "127.0.0.1:${telemetry}" }
  pipelines:
    traces: { receivers: [otlp], exporters: [otlp_http] }
`,
  );
  // The backend is down while the spans are acknowledged.
  const first = await startCollector(cfg, telemetry);
  let acked = 0;
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`http://127.0.0.1:${otlp}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: body(i),
    });
    if (res.status === 200) acked += 10;
  }
  await kill9(first);
  // The backend comes up; so does the collector, on the same storage.
  const sink = new RecordingConsumer();
  const receiver = new OtlpReceiver(
    'backend',
    { http: { ...defaultHttpProtocol(), endpoint: `127.0.0.1:${backend}` } },
    { traces: sink },
  );
  await receiver.start(testHost());
  const second = await startCollector(cfg, telemetry);
  const delivered = () => sink.traces.reduce((n, t) => n + countSpans(t), 0);
  const until = Date.now() + (persistent ? 15_000 : 1500);
  while (delivered() < acked && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  second.kill('SIGTERM');
  await new Promise((r) => second.once('exit', r));
  await receiver.shutdown();
  return { acked, delivered: delivered() };
}

describe('persistent sending queue', () => {
  it('delivers every span acknowledged before a SIGKILL once the collector restarts on the same storage', async () => {
    const { acked, delivered } = await scenario(true);
    assert.equal(acked, 200, 'every request was acknowledged while the backend was down');
    assert.equal(delivered, acked, 'none lost, none doubled');
  });

  it('loses what the in-memory queue held when the process is killed (why the storage exists)', async () => {
    const { acked, delivered } = await scenario(false);
    assert.equal(acked, 200);
    assert.equal(delivered, 0);
  });
});
