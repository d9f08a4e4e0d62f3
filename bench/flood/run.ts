/**
 * The flood goal of issue 12 at full size: 128 concurrent OTLP/HTTP requests of 5–16 MiB, cycling
 * through the worst shapes (one span with as many attributes as fit, ordinary ML spans, one huge
 * array attribute, spans with many events, ordinary spans as JSON), against a collector child
 * process (`otlp` → `memory_limiter` (limit_mib 1024) → `batch` → a counting exporter), retried
 * on 429/503 after Retry-After. Reports, per case, whether it crashed, requests and spans
 * acknowledged, spans arrived, refusals, wall time and the child's peak RSS against the goal
 * (peak RSS ≤ limit + 256 MiB, no crash, every acknowledged span arrives). The cases differ only
 * in admission control, side by side in one run: the defaults, and admission effectively off.
 * Run: `npm run bench:flood` (options: --requests N --only defaults|off).
 */
import { createServer } from 'node:net';
import { runFlood } from './flood.js';
import { type FloodBody, floodBodies } from './shapes.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const REQUESTS = arg('requests', 128);
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const LIMIT_MIB = 1024;
const MIB = 1024 * 1024;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function config(port: number, admission: Record<string, number> | undefined) {
  const receiver: Record<string, unknown> = { protocols: { http: { endpoint: `127.0.0.1:${port}` } } };
  if (admission) receiver.admission = admission;
  return {
    receivers: { otlp: receiver },
    processors: { memory_limiter: { limit_mib: LIMIT_MIB, check_interval: '1s' }, batch: {} },
    exporters: { count: {} },
    service: {
      telemetry: { endpoint: '127.0.0.1:0' },
      ...(admission ? { admission } : {}),
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['count'] },
      },
    },
  };
}

async function main(): Promise<void> {
  const bodies: FloodBody[] = [];
  for (const mib of [5, 8, 12, 16]) bodies.push(...floodBodies(mib).filter((b) => b.body.length <= 20 * MIB));
  const totalMib = Array.from({ length: REQUESTS }, (_, i) => bodies[i % bodies.length].body.length).reduce(
    (a, b) => a + b,
    0,
  );
  console.log(
    `${REQUESTS} concurrent requests, ${bodies.length} bodies of ${(Math.min(...bodies.map((b) => b.body.length)) / MIB).toFixed(1)}–${(Math.max(...bodies.map((b) => b.body.length)) / MIB).toFixed(1)} MiB (${(totalMib / MIB).toFixed(0)} MiB in all); memory_limiter limit ${LIMIT_MIB} MiB, goal: peak RSS ≤ ${LIMIT_MIB + 256} MiB`,
  );
  const cases = [
    { name: 'admission defaults (128 MiB process, 64 MiB receiver)', key: 'defaults', admission: undefined },
    {
      name: 'admission off (64 GiB)',
      key: 'off',
      admission: { request_limit_mib: 65536, waiting_limit_mib: 65536 },
    },
  ].filter((c) => only === undefined || c.key === only);
  const rows: Record<string, string | number>[] = [];
  for (const c of cases) {
    const port = await freePort();
    const r = await runFlood({
      config: config(port, c.admission),
      port,
      requests: REQUESTS,
      bodies,
      deadlineMs: 900_000,
    });
    const peak = Math.round(r.peakRssBytes / MIB);
    const met =
      !r.crashed && r.errors === 0 && r.spansArrived === r.spansAcknowledged && peak <= LIMIT_MIB + 256;
    rows.push({
      case: c.name,
      crashed: r.crashed ? `yes (${r.exit})` : 'no',
      'requests acked': `${r.acknowledged}/${REQUESTS}`,
      'spans acked': r.spansAcknowledged,
      'spans arrived': r.spansArrived,
      refusals: r.refusals,
      errors: r.errors === 0 ? 0 : `${r.errors} ${JSON.stringify(r.errorKinds)}`,
      seconds: Math.round(r.ms / 100) / 10,
      'peak RSS MiB': peak,
      goal: met ? 'met' : 'not met',
    });
    console.log(JSON.stringify(rows.at(-1)));
  }
  console.table(rows);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
