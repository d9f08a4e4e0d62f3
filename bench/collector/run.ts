/**
 * Collector throughput: OTLP/HTTP protobuf in → otlp receiver → batch processor → otlp_http
 * exporter → a sink receiver in another process, over loopback. The load generator (in that
 * other process too, so its CPU and memory are not the collector's) sends ML component spans,
 * with or without a 20-feature summary event, at fixed concurrency. Reports spans/s delivered
 * to the sink, request latency p50/p99 as the client saw it, the collector's CPU and peak RSS,
 * and a calibration figure (ns per small allocation) so runs on busy machines can be compared.
 * Run: `npm run bench:collector` (options: --seconds N --spans N --concurrency N --only summary|plain).
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { createDefaultOtlpHttpExporterConfig } from '../../src/collector/exporters/otlp_http/config.js';
import { OtlpHttpExporter } from '../../src/collector/exporters/otlp_http/OtlpHttpExporter.js';
import { createDefaultBatchConfig } from '../../src/collector/processors/batch/config.js';
import { batchProcessorFactory } from '../../src/collector/processors/batch/factory.js';
import { defaultHttpProtocol } from '../../src/collector/receivers/otlp/config.js';
import { OtlpReceiver } from '../../src/collector/receivers/otlp/OtlpReceiver.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 6);
const SPANS_PER_REQUEST = arg('spans', 512);
const CONCURRENCY = arg('concurrency', 8);

interface Result {
  sent: number;
  sunk: number;
  failed: number;
  requests: number;
  sendSeconds: number;
  totalSeconds: number;
  p50: number;
  p99: number;
  bodyBytes: number;
}

interface Case {
  spans: 'ML + 20-feature summary' | 'ML, no summary event';
  compression: 'none' | 'gzip';
}

const ALL_CASES: Case[] = [
  { spans: 'ML, no summary event', compression: 'none' },
  { spans: 'ML, no summary event', compression: 'gzip' },
  { spans: 'ML + 20-feature summary', compression: 'none' },
  { spans: 'ML + 20-feature summary', compression: 'gzip' },
];
// `--only summary` or `--only plain` runs half the cases (for profiling one workload).
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const CASES = ALL_CASES.filter(
  (c) => only === undefined || (only === 'summary') === (c.spans === 'ML + 20-feature summary'),
);

const host = { reportFatalError: (e: Error) => console.error(e), telemetry: { add() {} } };

async function runCase(c: Case, sinkPort: number, driver: ReturnType<typeof fork>) {
  const exporterConfig = createDefaultOtlpHttpExporterConfig();
  exporterConfig.endpoint = `http://127.0.0.1:${sinkPort}`;
  exporterConfig.compression = c.compression;
  const exporter = new OtlpHttpExporter('otlp_http', exporterConfig);
  const batch = batchProcessorFactory.createProcessor(
    { id: 'batch', pipeline: 'traces' },
    createDefaultBatchConfig(),
    'traces',
    exporter,
  );
  const rc = { http: { ...defaultHttpProtocol(), endpoint: '127.0.0.1:0' } };
  const receiver = new OtlpReceiver('otlp', rc, { traces: batch as unknown as OtlpHttpExporter });
  await exporter.start(host);
  await batch.start(host);
  await receiver.start(host);
  const cpu0 = process.cpuUsage();
  const faults0 = process.resourceUsage().minorPageFault;
  const result = await new Promise<Result>((resolve, reject) => {
    driver.once('message', (m: { type: string; message?: string } & Result) =>
      m.type === 'result' ? resolve(m) : reject(new Error(m.message)),
    );
    driver.send({
      type: 'load',
      port: receiver.addresses().http!.port,
      seconds: SECONDS,
      concurrency: CONCURRENCY,
      requests: 16,
      spans: SPANS_PER_REQUEST,
      withSummary: c.spans === 'ML + 20-feature summary',
    });
  });
  const cpu = process.cpuUsage(cpu0);
  const faults = process.resourceUsage().minorPageFault - faults0;
  await receiver.shutdown();
  await batch.shutdown();
  await exporter.shutdown();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { c, result, cpuSeconds, faults, systemShare: cpu.system / 1e6 / cpuSeconds };
}

/** Nanoseconds per small object allocation here and now: a yardstick for how busy the machine is. */
function calibrate(): number {
  const n = 1_000_000;
  const keep: { v: number }[] = [];
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) keep.push({ v: i });
  return Number(process.hrtime.bigint() - t) / n;
}

async function main(): Promise<void> {
  const driver = fork(join(process.cwd(), 'bench/collector/driver.ts'), [], {
    execArgv: ['--import', 'tsx'],
  });
  const sinkPort = await new Promise<number>((resolve) =>
    driver.once('message', (m: { port: number }) => resolve(m.port)),
  );
  const before = calibrate();
  const rows = [];
  for (const c of CASES) rows.push(await runCase(c, sinkPort, driver));
  const after = calibrate();
  driver.disconnect();
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(
    '\nmlobs collector bench: OTLP/HTTP protobuf → otlp receiver → batch → otlp_http exporter → sink (other process)',
  );
  console.log(
    `${SPANS_PER_REQUEST} spans/request, ${CONCURRENCY} concurrent clients, ${SECONDS}s per case, node ${process.version}, ` +
      `calibration ${before.toFixed(0)}/${after.toFixed(0)} ns per small allocation (before/after; ~10-30 on an idle machine)\n`,
  );
  console.table(
    rows.map(({ c, result: r, cpuSeconds, faults, systemShare }) => ({
      spans: c.spans,
      'bytes/request': r.bodyBytes,
      'exporter compression': c.compression,
      'spans/s delivered': Math.round(r.sunk / r.totalSeconds),
      'p50 ms': Number(r.p50.toFixed(1)),
      'p99 ms': Number(r.p99.toFixed(1)),
      'collector CPU (cores)': Number((cpuSeconds / r.totalSeconds).toFixed(2)),
      'spans per collector CPU-s': Math.round(r.sunk / cpuSeconds),
      // Fresh memory costs a fault per 4 KiB page; on a sandboxed or busy host these dominate.
      'page faults/span': Number((faults / Math.max(1, r.sunk)).toFixed(1)),
      'kernel share of CPU': `${Math.round(systemShare * 100)}%`,
      'failed requests': r.failed,
      'lost spans': r.sent - r.sunk,
    })),
  );
  console.log(`collector peak RSS: ${peakRssMiB.toFixed(0)} MiB`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
