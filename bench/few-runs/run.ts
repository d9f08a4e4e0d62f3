/**
 * Few-run detection bench: batch pipelines whose stages run 1–3 times a one-minute window,
 * replayed through the Analyzer with the default detectors. Reports, side by side in one run,
 * the false-alarm rate of `latency` and `error_rate` on clean streams (log-normal jitter, a
 * share of 3× outliers, 1% of extract runs failing) and how many windows after a fault the
 * faulty stage's own finding arrives (slowdowns of 2×–180×, a stage failing a share of runs).
 *
 *   npm run bench:few-runs [-- --seeds 5 --windows 200]
 */
import { Analyzer } from '../../src/analysis/Analyzer.js';
import { createDetectors, type DetectorsConfig } from '../../src/analysis/detectors/index.js';
import type { Finding } from '../../src/model/finding.js';
import type { PlainAttributes, SpanRecord } from '../../src/model/spanRecord.js';
import {
  ATTR_ML_BATCH_ROWS,
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_PIPELINE_NAME,
  EVENT_ML_FEATURES,
} from '../../src/semconv/index.js';
import { encodeSummaryEvents, summarize } from '../../src/summaries/index.js';
import { Random } from '../detection/Random.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const STAGES = ['extract', 'featurize', 'predict'] as const;
type Stage = (typeof STAGES)[number];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function normal(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

let ids = 0;
const hex = (digits: number): string => (++ids).toString(16).padStart(digits, '0');

interface Plan {
  slow?: number;
  failAt?: Stage;
}

function span(
  component: string,
  startMs: number,
  endMs: number,
  traceId: string,
  error: boolean,
  rows: number,
  next: () => number,
): SpanRecord {
  const attributes: PlainAttributes = {
    [ATTR_ML_PIPELINE_NAME]: 'batch',
    [ATTR_ML_COMPONENT_NAME]: component,
  };
  const events: SpanRecord['events'] = [];
  if (rows > 0) {
    attributes[ATTR_ML_BATCH_ROWS] = rows;
    const x = Array.from({ length: rows }, () => 10 + 2 * normal(next));
    for (const e of encodeSummaryEvents(summarize({ [`${component}_x`]: x }), EVENT_ML_FEATURES))
      events.push({ name: e.name, timeMs: endMs, attributes: e.attributes as PlainAttributes });
  }
  return {
    traceId,
    spanId: hex(16),
    parentSpanId: '',
    name: component,
    startMs,
    endMs,
    status: error ? 'error' : 'unset',
    resource: { 'service.name': 'svc' },
    attributes,
    events,
    links: [],
  };
}

function pipelineRun(endMs: number, next: () => number, outliers: number, plan: Plan): SpanRecord[] {
  const traceId = hex(32);
  const out: SpanRecord[] = [];
  const start = endMs - 5_000;
  let t = start;
  let failed = false;
  for (const stage of STAGES) {
    if (failed) break;
    const median = stage === 'featurize' && plan.slow ? 5 * plan.slow : 5;
    const d = median * Math.exp(0.25 * normal(next)) * (next() < outliers ? 3 : 1);
    failed = plan.failAt === stage;
    out.push(span(stage, t, t + d, traceId, failed, failed ? 0 : 200, next));
    t += d;
  }
  out.push(span('pipeline', start, t + 1, traceId, failed, 0, next));
  return out;
}

function replay(
  windows: number,
  runs: number,
  seed: number,
  outliers: number,
  detectors: DetectorsConfig,
  plan: (w: number, r: number, next: () => number) => Plan,
): Finding[] {
  const findings: Finding[] = [];
  const a = new Analyzer({
    window: { lengthMs: MIN },
    detectors: createDetectors(detectors),
    listener: { onFinding: (f) => findings.push(f) },
  });
  const random = new Random(seed);
  const next = () => random.next();
  for (let w = 0; w < windows; w++)
    for (let r = 0; r < runs; r++)
      for (const s of pipelineRun(
        T0 + w * MIN + ((r + 1) * MIN) / (runs + 1),
        next,
        outliers,
        plan(w, r, next),
      ))
        a.ingest(s);
  a.flush();
  return findings;
}

const seeds = arg('seeds', 5);
const windows = arg('windows', 200);
const WARMUP = 5;

console.log(
  `## False alarms on clean streams (${seeds} seeds × ${windows} windows × 4 streams, per stage-window)\n`,
);
console.log('| tailAllowance | 3× outliers | runs/window | latency | error_rate |');
console.log('| ---: | ---: | ---: | ---: | ---: |');
for (const tail of [0.005, 0.01])
  for (const outliers of [0.01, 0.02])
    for (const runs of [1, 2, 3]) {
      let lat = 0;
      let err = 0;
      let judged = 0;
      for (let s = 0; s < seeds; s++) {
        const f = replay(
          windows,
          runs,
          1000 + s,
          outliers,
          { latency: { tailAllowance: tail } },
          (_w, _r, next) => (next() < 0.01 ? { failAt: 'extract' } : {}),
        );
        lat += new Set(
          f.filter((x) => x.detector === 'latency').map((x) => `${x.stream.component}${x.windowStartMs}`),
        ).size;
        err += new Set(
          f.filter((x) => x.detector === 'error_rate').map((x) => `${x.stream.component}${x.windowStartMs}`),
        ).size;
        judged += 4 * (windows - WARMUP);
      }
      const pct = (n: number) => `${((100 * n) / judged).toFixed(2)}%`;
      console.log(`| ${tail} | ${outliers * 100}% | ${runs} | ${pct(lat)} | ${pct(err)} |`);
    }

console.log(
  `\n## Windows from the fault to the faulty stage's own finding (median over ${seeds} seeds; — = not found in 6 windows)\n`,
);
console.log('| fault | runs/window | found | median delay | other stages blamed (windows) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
const CHANGE = 10;
const faults: { name: string; detector: string; plan: (w: number, r: number, next: () => number) => Plan }[] =
  [
    ...[2, 5, 20, 180].map((k) => ({
      name: `featurize ${k}× slower`,
      detector: 'latency',
      plan: (w: number): Plan => (w >= CHANGE ? { slow: k } : {}),
    })),
    ...[0.5, 1].map((share) => ({
      name: `featurize fails ${share * 100}% of runs`,
      detector: 'error_rate',
      plan: (w: number, _r: number, next: () => number): Plan =>
        w >= CHANGE && next() < share ? { failAt: 'featurize' } : {},
    })),
  ];
for (const fault of faults)
  for (const runs of [1, 2, 3]) {
    const delays: number[] = [];
    let others = 0;
    for (let s = 0; s < seeds; s++) {
      const f = replay(CHANGE + 6, runs, 2000 + s, 0.01, {}, fault.plan);
      const own = f
        .filter((x) => x.detector === fault.detector && x.stream.component === 'featurize')
        .map((x) => (x.windowStartMs - T0) / MIN)
        .filter((w) => w >= CHANGE);
      if (own.length > 0) delays.push(Math.min(...own) - CHANGE);
      others += f.filter(
        (x) =>
          x.detector === fault.detector &&
          (x.stream.component === 'extract' || x.stream.component === 'predict'),
      ).length;
    }
    delays.sort((a, b) => a - b);
    const median = delays.length > 0 ? String(delays[Math.floor(delays.length / 2)]) : '—';
    console.log(`| ${fault.name} | ${runs} | ${delays.length}/${seeds} | ${median} | ${others} |`);
  }
