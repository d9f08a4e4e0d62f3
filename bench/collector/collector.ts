/**
 * The bench's collector process, one per case so that CPU, peak RSS and idle RSS belong to that
 * case alone: OTLP/HTTP protobuf → otlp receiver → [ml →] batch → otlp_http exporter, or the
 * floor's held-whole forwarder (`floor.ts`) in its place. Driven over IPC by `run.ts`:
 * `start` builds the pipeline and answers with its port, `begin` starts the meters, `end`
 * answers with CPU, peak RSS, the longest event-loop block, the exporter's queue high-water
 * mark and, after the load has been gone for `idleMs`, the idle RSS; then it shuts down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Component, TracesConsumer } from '../../src/collector/component.js';
import { createDefaultOtlpHttpExporterConfig } from '../../src/collector/exporters/otlp_http/config.js';
import { OtlpHttpExporter } from '../../src/collector/exporters/otlp_http/OtlpHttpExporter.js';
import { createDefaultBatchConfig } from '../../src/collector/processors/batch/config.js';
import { batchProcessorFactory } from '../../src/collector/processors/batch/factory.js';
import { createDefaultMlConfig } from '../../src/collector/processors/ml/config.js';
import { mlProcessorFactory } from '../../src/collector/processors/ml/factory.js';
import { defaultHttpProtocol } from '../../src/collector/receivers/otlp/config.js';
import { OtlpReceiver } from '../../src/collector/receivers/otlp/OtlpReceiver.js';
import { TelemetryRegistry, watchBufferPools } from '../../src/collector/service/TelemetryRegistry.js';
import { forwarder } from './floor.js';

/** What one case runs. */
export type Pipeline = '[batch]' | '[ml, batch]' | 'floor';

/** The collector process's answer to `end`. */
export interface CollectorStats {
  cpuSeconds: number;
  systemSeconds: number;
  peakRssMiB: number;
  idleRssMiB: number;
  maxBlockMs: number;
  queuePeakBytes: number;
  poolIdleMiB: number;
}

type Msg =
  | { type: 'start'; pipeline: Pipeline; compression: 'none' | 'gzip'; sinkPort: number }
  | { type: 'begin' }
  | { type: 'end'; idleMs: number };

const telemetry = new TelemetryRegistry();
watchBufferPools(telemetry);
const host = { reportFatalError: (e: Error) => console.error(e), telemetry };
let stop: () => Promise<void> = async () => undefined;
let exporter: OtlpHttpExporter | undefined;
let cpu0 = process.cpuUsage();
let peakRss = 0;
let queuePeak = 0;
let sampler: NodeJS.Timeout | undefined;
const loop = monitorEventLoopDelay({ resolution: 5 });

async function start(m: Extract<Msg, { type: 'start' }>): Promise<number> {
  if (m.pipeline === 'floor') {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 11 });
    const server = forwarder('buffer', m.sinkPort, agent);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    stop = async () => {
      await new Promise<void>((done) => server.close(() => done()));
      agent.destroy();
    };
    return (server.address() as AddressInfo).port;
  }
  const exporterConfig = createDefaultOtlpHttpExporterConfig();
  exporterConfig.endpoint = `http://127.0.0.1:${m.sinkPort}`;
  exporterConfig.compression = m.compression;
  exporter = new OtlpHttpExporter('otlp_http', exporterConfig);
  const batch = batchProcessorFactory.createProcessor(
    { id: 'batch', pipeline: 'traces' },
    createDefaultBatchConfig(),
    'traces',
    exporter,
  );
  const stages: Component[] = [exporter, batch];
  let first = batch as unknown as TracesConsumer;
  let stateDir: string | undefined;
  if (m.pipeline === '[ml, batch]') {
    // The default config's processor: 5-minute windows, SQLite state (synchronous: full).
    stateDir = mkdtempSync(join(tmpdir(), 'mlobs-bench-'));
    const mlConfig = createDefaultMlConfig();
    mlConfig.storage = { ...mlConfig.storage, path: join(stateDir, 'state.db') };
    const ml = mlProcessorFactory.createProcessor({ id: 'ml', pipeline: 'traces' }, mlConfig, 'traces', {
      consumeTraces: (d) => (batch as unknown as TracesConsumer).consumeTraces(d),
      consumeLogs: async () => undefined,
      consumeMetrics: async () => undefined,
    });
    stages.push(ml);
    first = ml as unknown as TracesConsumer;
  }
  const rc = { http: { ...defaultHttpProtocol(), endpoint: '127.0.0.1:0' } };
  const receiver = new OtlpReceiver('otlp', rc, { traces: first });
  for (const s of stages) await s.start(host);
  await receiver.start(host);
  stop = async () => {
    await receiver.shutdown();
    for (const s of stages.reverse()) await s.shutdown();
    if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
  };
  return receiver.addresses().http!.port;
}

function sample(): void {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  queuePeak = Math.max(queuePeak, exporter?.queuedBytes ?? 0);
}

process.on('message', (m: Msg) => {
  if (m.type === 'start')
    start(m).then(
      (port) => process.send!({ type: 'ready', port }),
      (e) => process.send!({ type: 'error', message: String(e?.stack ?? e) }),
    );
  else if (m.type === 'begin') {
    cpu0 = process.cpuUsage();
    loop.enable();
    sampler = setInterval(sample, 20);
  } else if (m.type === 'end') {
    const cpu = process.cpuUsage(cpu0);
    loop.disable();
    clearInterval(sampler);
    sample();
    const peakRssMiB = Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 2 ** 20;
    setTimeout(async () => {
      const stats: CollectorStats = {
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        systemSeconds: cpu.system / 1e6,
        peakRssMiB,
        idleRssMiB: process.memoryUsage.rss() / 2 ** 20,
        maxBlockMs: loop.max / 1e6,
        queuePeakBytes: queuePeak,
        poolIdleMiB: (await poolIdleBytes()) / 2 ** 20,
      };
      await stop();
      process.send!({ type: 'stats', ...stats }, () => process.exit(0));
    }, m.idleMs);
  }
});

/** What the collector's buffer pools hold idle, as its own metrics report it. */
async function poolIdleBytes(): Promise<number> {
  let total = 0;
  for (const rm of (await telemetry.collect()).resourceMetrics)
    for (const sm of rm.scopeMetrics)
      for (const metric of sm.metrics)
        if (metric.name === 'mlobs_buffer_pool_idle_bytes')
          for (const p of metric.gauge?.dataPoints ?? []) total += Number(p.asDouble ?? p.asInt ?? 0);
  return total;
}
