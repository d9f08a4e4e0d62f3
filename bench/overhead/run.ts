/**
 * Overhead of mlobs' onnxruntime-node instrumentation on the credit-risk example's ONNX model:
 * `InferenceSession#run` bare (the unwrapped original), instrumented (a span per call, summaries
 * with the default sampling, spans batched to an exporter that discards them), and instrumented
 * with the in-process analysis (`MlSpanProcessor`) as well. Batch sizes 1, 32 and 1024.
 *
 * A fourth variant records every call of the same model (renamed, with `{ every: 1 }`): the
 * cost of one recorded call, which the default sampling spreads over the calls it only counts.
 *
 * The variants run side by side: each round times every variant once, in a rotating
 * order, on the same session and tensor, so load from other processes on a shared machine hits
 * them alike. The median over rounds of the per-call time is reported, by wall clock and by
 * this process's CPU time, and the best round's CPU time (load only ever adds to it). Run: `npm run bench:overhead` (`-- --rounds N` for more rounds;
 * `-- --dist dist` after `npm run build` to measure the compiled package).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { onnx } from 'onnx-proto';
import { FEATURE_NAMES } from '../../examples/credit/data.js';

const MODEL = join(__dirname, '../../examples/credit/models/credit-risk.onnx');

// `--dist DIR` measures the compiled package (what `node --import mlobs/register` runs) instead of
// the TypeScript sources through tsx, whose name-keeping helpers add to every closure call.
const distAt = process.argv.indexOf('--dist');
const dist = distAt >= 0 ? resolve(process.argv[distAt + 1] ?? 'dist') : undefined;
const mlobsInstrumentation: typeof import('../../src/instrumentation/index.js') = require(
  dist ? join(dist, 'instrumentation/index.js') : '../../src/instrumentation/index.js',
);
const mlobsStream: typeof import('../../src/stream/index.js') = require(
  dist ? join(dist, 'stream/index.js') : '../../src/stream/index.js',
);
const { DEFAULT_SAMPLING, OnnxRuntimeInstrumentation, parseSampling } = mlobsInstrumentation;
const { MlSpanProcessor } = mlobsStream;
// `--sampling SPEC` (MLOBS_SAMPLING's syntax: 1, 1/N, R/s, P%) measures another sampling than the default.
const samplingAt = process.argv.indexOf('--sampling');
const sampling =
  samplingAt >= 0 ? parseSampling(process.argv[samplingAt + 1] ?? '', '--sampling') : DEFAULT_SAMPLING;
const instrumentation = new OnnxRuntimeInstrumentation({
  sampling,
  models: { 'credit-risk-every-call': { sampling: { every: 1 } } },
});
// Loaded after the instrumentation hooked require, as `mlobs/register` does.
const ort: typeof import('onnxruntime-node') = require('onnxruntime-node');

/** Counts spans and drops them: export cost without a network in the measurement. */
class DiscardingExporter implements SpanExporter {
  spans = 0;
  export(spans: ReadableSpan[], done: (r: { code: ExportResultCode }) => void): void {
    this.spans += spans.length;
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

type Feeds = Record<string, InstanceType<typeof ort.Tensor>>;
type Run = (feeds: Feeds) => Promise<unknown>;

interface Variant {
  name: string;
  /** Share of the round's calls this variant makes (a slow variant makes fewer: per-call times are compared). */
  share: number;
  /** Timed, after the calls: flushes what they queued for export. */
  after?: () => Promise<void>;
  /** Untimed: points the instrumentation at this variant's provider. */
  setup: () => void;
  run: Run;
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function timeCalls(
  run: Run,
  feeds: Feeds,
  calls: number,
  after?: () => Promise<void>,
): Promise<{ wallUs: number; cpuUs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await run(feeds);
  // Export work the calls queued is theirs: done inside the timing, not in another variant's.
  if (after) await after();
  const wall = Number(process.hrtime.bigint() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wallUs: wall / calls, cpuUs: (cpu.user + cpu.system) / calls };
}

async function main(): Promise<void> {
  const rounds = option('--rounds', 15);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const plainExporter = new DiscardingExporter();
  const plain = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(plainExporter)] });
  const everyExporter = new DiscardingExporter();
  const every = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(everyExporter)] });
  const analysedExporter = new DiscardingExporter();
  const ml = new MlSpanProcessor({ window: { lengthMs: 60_000 }, tracer: null, meter: null });
  const analysed = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(analysedExporter), ml as unknown as SpanProcessor],
  });
  // `--threads N`: onnxruntime's intra-op threads (default: its own choice). Its idle threads
  // spin, which this process's CPU time counts, whoever's call woke them.
  const threads = option('--threads', 0);
  const sessionOptions = threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {};
  const session = await ort.InferenceSession.create(MODEL, sessionOptions);
  // The same model under another name, which the config records on every call: what one
  // recorded call (span, summaries, export) costs, beside the sampled default.
  const renamed = onnx.ModelProto.decode(readFileSync(MODEL));
  renamed.metadataProps = [
    ...(renamed.metadataProps ?? []).filter((p) => p.key !== 'mlobs.model.name'),
    { key: 'mlobs.model.name', value: 'credit-risk-every-call' },
  ];
  const everyCall = await ort.InferenceSession.create(
    onnx.ModelProto.encode(renamed).finish(),
    sessionOptions,
  );
  const proto = Object.getPrototypeOf(session) as { run: Run & { __original?: Run } };
  const original = proto.run.__original;
  if (!original) throw new Error('InferenceSession#run is not instrumented');
  const variants: Variant[] = [
    { name: 'bare', share: 1, setup: () => {}, run: (f) => original.call(session, f) },
    {
      name: 'instrumented',
      share: 1,
      setup: () => instrumentation.setTracerProvider(plain),
      run: (f) => session.run(f),
    },
    {
      name: 'instrumented + in-process analysis',
      share: 1,
      setup: () => instrumentation.setTracerProvider(analysed),
      run: (f) => session.run(f),
    },
    {
      name: 'every call recorded (MLOBS_SAMPLING=1)',
      share: 0.05,
      setup: () => instrumentation.setTracerProvider(every),
      run: (f) => everyCall.run(f),
      after: () => every.forceFlush(),
    },
  ];
  console.log(
    `onnxruntime-node ${ort.env.versions.node ?? ''} · credit-risk.onnx (${FEATURE_NAMES.length} features → 2 classes) · ` +
      `sampling ${JSON.stringify(sampling)}${sampling === DEFAULT_SAMPLING ? ' (default)' : ''} · ${dist ? `compiled (${dist})` : 'tsx'} · ${rounds} rounds${threads > 0 ? ` · ${threads} intra-op thread(s)` : ''} · load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const rows: string[][] = [];
  for (const batch of [1, 32, 1024]) {
    const data = Float32Array.from(
      { length: batch * FEATURE_NAMES.length },
      (_, i) => ((i * 7919) % 101) / 50 - 1,
    );
    const feeds: Feeds = { features: new ort.Tensor('float32', data, [batch, FEATURE_NAMES.length]) };
    // About 50 ms of calls per variant and round.
    const probe = await timeCalls(variants[0].run, feeds, 50);
    const calls = Math.max(20, Math.round(50_000 / Math.max(1, probe.wallUs)));
    for (const v of variants) {
      v.setup();
      await timeCalls(v.run, feeds, Math.max(5, Math.round(calls * v.share)), v.after); // warm-up
    }
    const wall = variants.map(() => [] as number[]);
    const cpu = variants.map(() => [] as number[]);
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < variants.length; k++) {
        const i = (r + k) % variants.length;
        variants[i].setup();
        const v = variants[i];
        const t = await timeCalls(v.run, feeds, Math.max(5, Math.round(calls * v.share)), v.after);
        wall[i].push(t.wallUs);
        cpu[i].push(t.cpuUs);
      }
    }
    const added = (x: number, base: number): string => `${(((x - base) / base) * 100).toFixed(1)}%`;
    const baseWall = median(wall[0]);
    const baseCpu = median(cpu[0]);
    // On a shared machine other processes only ever add time: each variant's best round is
    // the closest to its own cost, and is reported beside the medians.
    const baseBest = Math.min(...cpu[0]);
    variants.forEach((v, i) => {
      const w = median(wall[i]);
      const c = median(cpu[i]);
      const b = Math.min(...cpu[i]);
      rows.push([
        String(batch),
        v.name,
        w.toFixed(1),
        i === 0 ? '' : added(w, baseWall),
        c.toFixed(1),
        i === 0 ? '' : added(c, baseCpu),
        b.toFixed(1),
        i === 0 ? '' : added(b, baseBest),
      ]);
    });
  }
  const header = [
    'batch',
    'variant',
    'wall µs/call',
    'wall added',
    'CPU µs/call',
    'CPU added',
    'best-round CPU µs',
    'best-round CPU added',
  ];
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]): string => `| ${r.map((c, j) => c.padEnd(widths[j])).join(' | ')} |`;
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
  await plain.shutdown();
  await analysed.shutdown();
  await every.shutdown();
  console.log(
    `spans exported: ${plainExporter.spans} instrumented, ${analysedExporter.spans} with analysis, ${everyExporter.spans} recording every call`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
