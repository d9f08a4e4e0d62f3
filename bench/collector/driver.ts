/**
 * The bench's other process: a sink `otlp` receiver that counts what the collector forwards,
 * and a load generator that POSTs OTLP/HTTP protobuf to the collector with fixed concurrency,
 * timing each request. Kept out of the collector's process so its CPU and RSS are not counted.
 */
import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import { defaultHttpProtocol } from '../../src/collector/receivers/otlp/config.js';
import { OtlpReceiver } from '../../src/collector/receivers/otlp/OtlpReceiver.js';
import { countSpans, type TracesData } from '../../src/model/otlp.js';
import { buildRequests } from './workload.js';

type Msg = {
  type: 'load';
  port: number;
  seconds: number;
  concurrency: number;
  requests: number;
  spans: number;
  withSummary: boolean;
};

let sunk = 0;
async function main(): Promise<void> {
  // The sink takes what a default receiver takes (20 MiB bodies), so oversized exports would show.
  const config = { http: { ...defaultHttpProtocol(), endpoint: '127.0.0.1:0' } };
  const sink = new OtlpReceiver('otlp/sink', config, {
    traces: {
      consumeTraces: async (d: TracesData) => {
        sunk += countSpans(d);
      },
    },
  });
  await sink.start({ reportFatalError: () => undefined, telemetry: { add() {} } });
  process.send!({ type: 'sink', port: sink.addresses().http!.port });
  process.on('message', (m: Msg) => {
    if (m.type === 'load')
      load(m).then(
        (r) => process.send!({ type: 'result', ...r }),
        (e) => process.send!({ type: 'error', message: String(e) }),
      );
  });
  process.on('disconnect', () => sink.shutdown().then(() => process.exit(0)));
}

async function load(m: Msg) {
  const { bodies, spanIdAt } = buildRequests(m.requests, m.spans, m.withSummary);
  let sequence = 0;
  // Each request a copy with span ids no earlier request had (the first 4 bytes count requests).
  const fresh = (i: number) => {
    const body = Buffer.from(bodies[i]);
    const n = ++sequence;
    for (const at of spanIdAt[i]) body.writeUInt32BE(n, at);
    return body;
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: m.concurrency });
  const latencies: number[] = [];
  let sent = 0;
  let failed = 0;
  const end = performance.now() + m.seconds * 1000;
  const post = (body: Uint8Array) =>
    new Promise<number>((resolve) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: m.port,
          path: '/v1/traces',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(body);
    });
  const started = performance.now();
  sunk = 0;
  await Promise.all(
    Array.from({ length: m.concurrency }, async (_, w) => {
      for (let i = w; performance.now() < end; i += m.concurrency) {
        const body = fresh(i % bodies.length);
        const t0 = performance.now();
        const status = await post(body);
        latencies.push(performance.now() - t0);
        if (status === 200) sent += m.spans;
        else failed++;
      }
    }),
  );
  const sendSeconds = (performance.now() - started) / 1000;
  // Let the collector's queue drain into the sink before counting.
  for (let i = 0; i < 300 && sunk < sent; i++) await new Promise((r) => setTimeout(r, 20));
  const totalSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  agent.destroy();
  return {
    sent,
    sunk,
    failed,
    requests: latencies.length,
    sendSeconds,
    totalSeconds,
    p50: q(0.5),
    p99: q(0.99),
    bodyBytes: bodies[0].length,
  };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
