/**
 * Collector throughput: OTLP/HTTP protobuf in → otlp receiver → otlp_http exporter → a sink
 * receiver in another process, over loopback. The load generator (also in the other process)
 * sends realistic ML spans (each with a 20-feature summary event) with fixed concurrency.
 * Reports spans/s delivered to the sink, request latency p50/p99 as the client saw it, the
 * collector's CPU use and peak RSS. Run: `npm run bench:collector` (options: --seconds N).
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { createDefaultOtlpHttpExporterConfig } from '../../src/collector/exporters/otlp_http/config.js';
import { OtlpHttpExporter } from '../../src/collector/exporters/otlp_http/OtlpHttpExporter.js';
import { createDefaultOtlpReceiverConfig } from '../../src/collector/receivers/otlp/config.js';
import { OtlpReceiver } from '../../src/collector/receivers/otlp/OtlpReceiver.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 8);
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

const host = { reportFatalError: (e: Error) => console.error(e), telemetry: { add() {} } };

async function runCase(compression: 'none' | 'gzip', sinkPort: number, driver: ReturnType<typeof fork>) {
  const exporterConfig = createDefaultOtlpHttpExporterConfig();
  exporterConfig.endpoint = `http://127.0.0.1:${sinkPort}`;
  exporterConfig.compression = compression;
  exporterConfig.sending_queue.queue_size = 5000;
  const exporter = new OtlpHttpExporter('otlp_http', exporterConfig);
  const rc = createDefaultOtlpReceiverConfig();
  rc.protocols.http.endpoint = '127.0.0.1:0';
  rc.protocols.grpc.enabled = false;
  const receiver = new OtlpReceiver('otlp', rc, { traces: exporter });
  await exporter.start(host);
  await receiver.start(host);
  const cpu0 = process.cpuUsage();
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
    });
  });
  const cpu = process.cpuUsage(cpu0);
  await receiver.shutdown();
  await exporter.shutdown();
  return { compression, result, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

async function main(): Promise<void> {
  const driver = fork(join(process.cwd(), 'bench/collector/driver.ts'), [], {
    execArgv: ['--import', 'tsx'],
  });
  const sinkPort = await new Promise<number>((resolve) =>
    driver.once('message', (m: { port: number }) => resolve(m.port)),
  );
  const rows = [];
  for (const compression of ['none', 'gzip'] as const)
    rows.push(await runCase(compression, sinkPort, driver));
  driver.disconnect();
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(
    `\nmlobs collector bench: OTLP/HTTP protobuf in → otlp receiver → otlp_http exporter → sink (other process)`,
  );
  console.log(
    `${SPANS_PER_REQUEST} spans/request (each with a 20-feature summary event, ${rows[0].result.bodyBytes} B/request), ` +
      `${CONCURRENCY} concurrent clients, ${SECONDS}s per case, node ${process.version}\n`,
  );
  console.table(
    rows.map(({ compression, result: r, cpuSeconds }) => ({
      'exporter compression': compression,
      'spans/s delivered': Math.round(r.sunk / r.totalSeconds),
      'spans/s accepted': Math.round(r.sent / r.sendSeconds),
      'p50 ms': Number(r.p50.toFixed(2)),
      'p99 ms': Number(r.p99.toFixed(2)),
      'collector CPU (cores)': Number((cpuSeconds / r.totalSeconds).toFixed(2)),
      'spans/CPU-s': Math.round(r.sunk / cpuSeconds),
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
