/**
 * Collector throughput: OTLP/HTTP protobuf in → otlp receiver → [ml →] batch → otlp_http
 * exporter → a sink receiver in another process, over loopback. The load generator (in that
 * other process too, so its CPU and memory are not the collector's) sends ML component spans,
 * with or without a 20-feature summary event, at fixed concurrency. Each case runs the
 * collector in a fresh process (`collector.ts`), so CPU, peak and idle RSS are that case's
 * alone: `[batch]`, the default config's `[ml, batch]` (SQLite state), each with the
 * exporter's gzip off and on, and the held-whole forwarder floor (`floor.ts`), side by side
 * in one run with the ratios the goals are stated in. Reports spans/s delivered to the sink,
 * request latency p50/p99 as the client saw it, the collector's CPU, peak RSS, idle RSS (12 s
 * after the load), the exporter queue's high-water mark, the longest event-loop block, and a
 * calibration figure (ns per small allocation) so runs on busy machines can be compared.
 * Run: `npm run bench:collector` (options: --seconds N --spans N --concurrency N
 * --only summary|plain --pipelines batch,ml,floor --compression none,gzip --cpu-prof).
 */
import { fork } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CollectorStats, Pipeline } from './collector.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const list = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return (i > 0 ? process.argv[i + 1] : fallback).split(',');
};
const SECONDS = arg('seconds', 6);
const SPANS_PER_REQUEST = arg('spans', 512);
const CONCURRENCY = arg('concurrency', 8);
/** Idle RSS is read this long after the load: past the buffer pools' 10 s release. */
const IDLE_MS = 12_000;
const CPU_PROF = process.argv.includes('--cpu-prof');
/** Where `--cpu-prof` writes each collector process's profile. */
const PROFILE_DIR = join(tmpdir(), 'mlobs-bench-profiles');

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

type Spans = 'summary' | 'plain';

interface Case {
  spans: Spans;
  pipeline: Pipeline;
  compression: 'none' | 'gzip';
}

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const PIPELINE_NAMES: Record<string, Pipeline> = { batch: '[batch]', ml: '[ml, batch]', floor: 'floor' };
const PIPELINES = list('pipelines', 'batch,ml,floor').map((p) => PIPELINE_NAMES[p]!);
const COMPRESSIONS = list('compression', 'none,gzip') as ('none' | 'gzip')[];
const CASES: Case[] = [];
for (const spans of ['summary', 'plain'] as const) {
  if (only !== undefined && only !== spans) continue;
  for (const pipeline of PIPELINES)
    for (const compression of pipeline === 'floor' ? (['none'] as const) : COMPRESSIONS)
      CASES.push({ spans, pipeline, compression });
}

type Driver = ReturnType<typeof fork>;

function ask<T>(child: Driver, message: object, answer: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const on = (m: { type: string; message?: string }) => {
      if (m.type !== answer && m.type !== 'error') return;
      child.off('message', on);
      if (m.type === 'error') reject(new Error(m.message));
      else resolve(m as T);
    };
    child.on('message', on);
    child.send(message);
  });
}

async function runCase(c: Case, sinkPort: number, driver: Driver) {
  const execArgv = ['--import', 'tsx'];
  if (CPU_PROF) execArgv.push('--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`);
  const collector = fork(join(process.cwd(), 'bench/collector/collector.ts'), [], { execArgv });
  const exited = new Promise((r) => collector.once('exit', r));
  const { port } = await ask<{ port: number }>(
    collector,
    { type: 'start', pipeline: c.pipeline, compression: c.compression, sinkPort },
    'ready',
  );
  collector.send({ type: 'begin' });
  const result = await ask<Result>(
    driver,
    {
      type: 'load',
      port,
      seconds: SECONDS,
      concurrency: CONCURRENCY,
      requests: 16,
      spans: SPANS_PER_REQUEST,
      withSummary: c.spans === 'summary',
    },
    'result',
  );
  const stats = await ask<CollectorStats>(collector, { type: 'end', idleMs: IDLE_MS }, 'stats');
  await exited;
  return { c, result, stats };
}

/** Nanoseconds per small object allocation here and now: a yardstick for how busy the machine is. */
function calibrate(): number {
  const n = 1_000_000;
  const keep: { v: number }[] = [];
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) keep.push({ v: i });
  return Number(process.hrtime.bigint() - t) / n;
}

type Row = Awaited<ReturnType<typeof runCase>>;

const perCpu = (r: Row) => r.result.sunk / r.stats.cpuSeconds;

function ratios(rows: Row[]): { ratio: string; value: number; goal: string; met: string }[] {
  const find = (spans: Spans, pipeline: Pipeline, compression: 'none' | 'gzip') =>
    rows.find((r) => r.c.spans === spans && r.c.pipeline === pipeline && r.c.compression === compression);
  const out: { ratio: string; value: number; goal: string; met: string }[] = [];
  const add = (ratio: string, a: Row | undefined, b: Row | undefined, min: number) => {
    if (!a || !b) return;
    const value = perCpu(a) / perCpu(b);
    out.push({
      ratio,
      value: Number(value.toFixed(2)),
      goal: `≥ ${min}`,
      met: value >= min ? 'met' : 'NOT met',
    });
  };
  for (const compression of ['none', 'gzip'] as const) {
    add(
      `summary spans/CPU-s, [ml, batch] ÷ [batch] (${compression})`,
      find('summary', '[ml, batch]', compression),
      find('summary', '[batch]', compression),
      0.7,
    );
    add(
      `plain spans/CPU-s, [ml, batch] ÷ [batch] (${compression})`,
      find('plain', '[ml, batch]', compression),
      find('plain', '[batch]', compression),
      0.8,
    );
  }
  for (const pipeline of ['[batch]', '[ml, batch]'] as const)
    add(
      `summary spans/CPU-s, ${pipeline}, gzip ÷ none`,
      find('summary', pipeline, 'gzip'),
      find('summary', pipeline, 'none'),
      0.5,
    );
  add(
    'summary spans/CPU-s, [batch] ÷ floor',
    find('summary', '[batch]', 'none'),
    find('summary', 'floor', 'none'),
    0.6,
  );
  return out;
}

async function main(): Promise<void> {
  const driver = fork(join(process.cwd(), 'bench/collector/driver.ts'), [], {
    execArgv: ['--import', 'tsx'],
  });
  const sinkPort = await new Promise<number>((resolve) =>
    driver.once('message', (m: { port: number }) => resolve(m.port)),
  );
  const before = calibrate();
  const rows: Row[] = [];
  for (const c of CASES) {
    process.stderr.write(`${c.spans} ${c.pipeline} ${c.compression}…\n`);
    rows.push(await runCase(c, sinkPort, driver));
  }
  const after = calibrate();
  driver.disconnect();
  console.log(
    '\nmlobs collector bench: OTLP/HTTP protobuf → otlp receiver → [ml →] batch → otlp_http exporter → sink (other process)',
  );
  console.log(
    `${SPANS_PER_REQUEST} spans/request, ${CONCURRENCY} concurrent clients, ${SECONDS}s per case, one collector process per case, node ${process.version}, ` +
      `calibration ${before.toFixed(0)}/${after.toFixed(0)} ns per small allocation (before/after; ~10-30 on an idle machine)\n`,
  );
  console.table(
    rows.map(({ c, result: r, stats: s }) => ({
      spans: c.spans === 'summary' ? 'ML + 20-feature summary' : 'ML, no summary event',
      pipeline: c.pipeline,
      gzip: c.pipeline === 'floor' ? '-' : c.compression === 'gzip' ? 'yes' : 'no',
      'bytes/request': r.bodyBytes,
      'spans/s delivered': Math.round(r.sunk / r.totalSeconds),
      'spans per CPU-s': Math.round(perCpu({ c, result: r, stats: s })),
      'p50 ms': Number(r.p50.toFixed(1)),
      'p99 ms': Number(r.p99.toFixed(1)),
      'CPU (cores)': Number((s.cpuSeconds / r.totalSeconds).toFixed(2)),
      'kernel share': `${Math.round((s.systemSeconds / s.cpuSeconds) * 100)}%`,
      'peak RSS MiB': Math.round(s.peakRssMiB),
      'idle RSS MiB': Math.round(s.idleRssMiB),
      'pools idle MiB': Math.round(s.poolIdleMiB),
      'queue peak MiB': Number((s.queuePeakBytes / 2 ** 20).toFixed(1)),
      'longest block ms': Number(s.maxBlockMs.toFixed(0)),
      'failed requests': r.failed,
      'lost spans': r.sent - r.sunk,
    })),
  );
  console.log('ratios of spans per collector CPU-second, measured in this run:');
  console.table(ratios(rows));
  const ml = rows.filter((r) => r.c.pipeline === '[ml, batch]');
  if (ml.length > 0) {
    const p99 = Math.max(...ml.map((r) => r.result.p99));
    const peak = Math.max(...ml.map((r) => r.stats.peakRssMiB));
    const idle = Math.max(...ml.map((r) => r.stats.idleRssMiB));
    console.table([
      {
        goal: 'request p99 through ml < 1000 ms',
        worst: Math.round(p99),
        met: p99 < 1000 ? 'met' : 'NOT met',
      },
      {
        goal: 'peak RSS, [ml, batch] ≤ 300 MiB',
        worst: Math.round(peak),
        met: peak <= 300 ? 'met' : 'NOT met',
      },
      {
        goal: 'idle RSS, [ml, batch] ≤ 100 MiB',
        worst: Math.round(idle),
        met: idle <= 100 ? 'met' : 'NOT met',
      },
    ]);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
