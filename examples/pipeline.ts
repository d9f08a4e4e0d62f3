/**
 * A three-component ML pipeline (load → featurize → predict) recorded with mlobs, on synthetic
 * churn data. Run it with `npx tsx examples/pipeline.ts`; it prints the summaries decoded back
 * from the spans' events. With `OTEL_EXPORTER_OTLP_ENDPOINT` set (e.g. `http://localhost:4318`,
 * where `npm start` runs the mlobs collector) the spans are also exported over OTLP/HTTP.
 *
 * Options:
 * - `--batches N` runs the pipeline N times (default 1);
 * - `--drift` makes the last batch drift (older customers, a broken income feed with 30% nulls),
 *   `--drift-from K` every batch from the K-th on, so the analysis has something to find;
 * - `--interval MS` waits MS milliseconds between batches, so each batch lands in its own
 *   analysis window (windows are by span end time);
 * - `--quiet` prints one line per batch instead of the summary tables;
 * - `--training-csv FILE` writes 5000 undrifted customers (the `load` component's columns) as a
 *   CSV and exits: training data for `mlobs profile FILE --out profile.json`.
 * At the end, delayed labels for batch 1 are recorded by a `label` component, joined by batch id.
 */
import { writeFileSync } from 'node:fs';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  NodeTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import {
  component,
  decodeSummaryEvents,
  EVENT_ML_FEATURES,
  EVENT_ML_LABELS,
  EVENT_ML_PREDICTIONS,
  type FeatureSummary,
} from '../src/index.js';

const CLASSES = ['churn', 'stay', 'upgrade'];
const TRAINED_AT = new Date(Date.now() - 14 * 24 * 3600 * 1000).toISOString();
const PLANS = ['free', 'basic', 'pro', 'team', 'enterprise'];

/** Deterministic PRNG so every run shows the same numbers. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

interface Customers {
  age: (number | null)[];
  income: (number | null)[];
  plan: string[];
  feedback: (string | null)[];
}

function loadCustomers(rand: () => number, rows: number, drift: boolean): Customers {
  const words = ['slow', 'love it', 'too expensive', 'great support', 'missing export', 'buggy sync'];
  const c: Customers = { age: [], income: [], plan: [], feedback: [] };
  for (let i = 0; i < rows; i++) {
    c.age.push(rand() < 0.03 ? null : (drift ? 55 : 38) + 11 * gaussian(rand));
    c.income.push(drift && rand() < 0.3 ? null : Math.round(Math.exp(10.6 + 0.5 * gaussian(rand))));
    c.plan.push(PLANS[Math.min(PLANS.length - 1, Math.floor(PLANS.length * rand() ** 1.7))]);
    c.feedback.push(rand() < 0.4 ? null : words[Math.floor(rand() * words.length)]);
  }
  return c;
}

/** One CSV field (RFC 4180): empty for null, quoted when it holds a comma, quote or newline. */
function csvField(v: string | number | null): string {
  if (v === null) return '';
  const text = String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Writes undrifted customers, as the `load` component sees them, to `path` as CSV. */
function writeTrainingCsv(path: string, rows: number): void {
  const c = loadCustomers(seeded(7), rows, false);
  const lines = ['age,income,plan,feedback'];
  for (let i = 0; i < rows; i++) {
    const age = c.age[i] ?? null;
    lines.push(
      [
        age === null ? null : Number(age.toFixed(1)),
        c.income[i] ?? null,
        c.plan[i] ?? null,
        c.feedback[i] ?? null,
      ]
        .map(csvField)
        .join(','),
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  console.log(`wrote ${rows} training rows to ${path}`);
}

async function runPipeline(batch: number, rows: number, drift: boolean): Promise<Float64Array> {
  const rand = seeded(1000 + batch);
  const runId = `run-${batch}`;
  const raw = `table:crm.customers@${batch}`;
  const features = `table:features.customers@${batch}`;
  return component('churn-scoring', { pipeline: 'churn', runId }, async () => {
    const customers = await component(
      'load',
      { kind: 'source', version: '1.0.0', inputs: ['table:crm.customers'], outputs: [raw] },
      async (run) => {
        const data = loadCustomers(rand, rows, drift);
        run.recordFeatures(data, { schema: { feedback: 'text' }, batchId: `b${batch}` });
        return data;
      },
    );
    const matrix = await component(
      'featurize',
      { kind: 'features', version: '2.3.1', inputs: [raw], outputs: [features] },
      async (run) => {
        const out = {
          age_scaled: customers.age.map((a) => (a === null ? null : (a - 38) / 11)),
          log_income: customers.income.map((x) => (x === null ? null : Math.log(x))),
          plan_rank: customers.plan.map((p) => PLANS.indexOf(p)),
        };
        run.recordFeatures(out, { batchId: `b${batch}` });
        return out;
      },
    );
    return component(
      'predict',
      {
        kind: 'inference',
        model: {
          name: 'churn-gbm',
          version: '14',
          framework: 'onnxruntime',
          trainedAt: TRAINED_AT, // two weeks ago: within the staleness detector's 30-day default
        },
        inputs: [features],
      },
      async (run) => {
        const probabilities = new Float64Array(rows * 3);
        for (let i = 0; i < rows; i++) {
          const age = matrix.age_scaled[i] ?? 0;
          const inc = (matrix.log_income[i] ?? 10.6) - 10.6;
          const logits = [0.9 * age - inc, 0.4, 0.3 * matrix.plan_rank[i] + inc];
          const m = Math.max(...logits);
          const e = logits.map((l) => Math.exp(l - m));
          const s = e[0] + e[1] + e[2];
          for (let j = 0; j < 3; j++) probabilities[i * 3 + j] = e[j] / s;
        }
        run.recordPredictions(
          { probabilities: { data: probabilities, shape: [rows, 3] }, classNames: CLASSES },
          { batchId: `b${batch}` },
        );
        return probabilities;
      },
    );
  });
}

/** Delayed feedback for batch 1: what each customer really did, drawn from the model's probabilities. */
async function recordFeedback(probabilities: Float64Array): Promise<void> {
  const rand = seeded(7);
  const truth: string[] = [];
  for (let i = 0; i < probabilities.length / 3; i++) {
    const u = rand();
    const p0 = probabilities[i * 3];
    truth.push(CLASSES[u < p0 ? 0 : u < p0 + probabilities[i * 3 + 1] ? 1 : 2]);
  }
  // Labels arrive in their own trace, weeks later; the batch id and row positions join them.
  await component('churn-feedback', { kind: 'label', pipeline: 'churn' }, async (run) => {
    run.recordLabels({ classes: truth }, { batchId: 'b1' });
  });
}

function fmt(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '';
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 1e4 || Math.abs(x) < 1e-2 ? x.toExponential(2) : x.toFixed(3);
}

function describe(f: FeatureSummary): string[] {
  switch (f.kind) {
    case 'numeric':
      return [fmt(f.mean), fmt(f.sketch.quantile(0.5)), fmt(f.sketch.quantile(0.99)), ''];
    case 'text':
      return [
        fmt(f.length.mean),
        fmt(f.length.sketch.quantile(0.5)),
        fmt(f.length.sketch.quantile(0.99)),
        'length',
      ];
    case 'vector':
      return [
        fmt(f.norm.mean),
        fmt(f.norm.sketch.quantile(0.5)),
        fmt(f.norm.sketch.quantile(0.99)),
        `dim ${f.dimension}`,
      ];
    case 'categorical':
      return [
        '',
        '',
        '',
        f
          .top()
          .slice(0, 3)
          .map((t) => `${t.value}:${t.count}`)
          .join(' '),
      ];
  }
}

/** Prints one table per span: the summaries decoded back from its events. */
function printSummaries(spans: readonly ReadableSpan[]): void {
  const header = [
    'component',
    'event',
    'feature',
    'kind',
    'count',
    'nulls',
    'mean',
    'p50',
    'p99',
    'top / note',
  ];
  const rows: string[][] = [header];
  for (const span of spans) {
    for (const name of [EVENT_ML_FEATURES, EVENT_ML_PREDICTIONS, EVENT_ML_LABELS]) {
      const events = span.events
        .filter((e) => e.name === name)
        .map((e) => ({ name, attributes: e.attributes ?? {} }));
      if (events.length === 0) continue;
      for (const [feature, f] of decodeSummaryEvents(events).features) {
        rows.push([span.name, name, feature, f.kind, String(f.count), String(f.nullCount), ...describe(f)]);
      }
    }
  }
  const widths = header.map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  for (const [i, r] of rows.entries()) {
    console.log(
      r
        .map((c, j) => c.padEnd(widths[j]))
        .join('  ')
        .trimEnd(),
    );
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

/** The value of `--name N` as a whole number of at least `min`, or `fallback` when absent. */
function intOption(args: readonly string[], name: string, fallback: number, min: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const v = Number(args[at + 1]);
  if (!Number.isInteger(v) || v < min)
    throw new Error(`${name} must be a whole number ≥ ${min}, got ${args[at + 1]}`);
  return v;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const csvAt = args.indexOf('--training-csv');
  if (csvAt >= 0) {
    const path = args[csvAt + 1];
    if (!path || path.startsWith('--')) throw new Error('--training-csv: give the file to write');
    writeTrainingCsv(path, 5000);
    return;
  }
  const batches = intOption(args, '--batches', 1, 1);
  const intervalMs = intOption(args, '--interval', 0, 0);
  const driftFrom = intOption(args, '--drift-from', args.includes('--drift') ? batches : batches + 1, 1);
  const quiet = args.includes('--quiet');
  const memory = new InMemorySpanExporter();
  const processors: SpanProcessor[] = [new SimpleSpanProcessor(memory)];
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  // The exporter reads the OTEL_EXPORTER_OTLP_* variables itself (endpoint, headers, timeout).
  if (endpoint) processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? 'churn-pipeline' }),
    spanProcessors: processors,
  });
  provider.register({ contextManager: new AsyncLocalStorageContextManager() });
  try {
    let first: Float64Array | undefined;
    for (let b = 1; b <= batches; b++) {
      if (b > 1 && intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
      memory.reset();
      const drifted = b >= driftFrom;
      const probabilities = await runPipeline(b, 2000, drifted);
      first ??= probabilities;
      const spans = memory.getFinishedSpans();
      if (quiet) {
        console.log(
          `batch ${b}${drifted ? ' (drifted)' : ''}: ${spans.length} spans at ${new Date().toISOString()}`,
        );
      } else {
        console.log(`\nbatch ${b}${drifted ? ' (drifted)' : ''}`);
        printSummaries(spans.filter((s) => s.events.length > 0));
      }
    }
    if (first) {
      memory.reset();
      await recordFeedback(first);
      if (!quiet) {
        console.log('\nlabels for batch 1 (delayed feedback)');
        printSummaries(memory.getFinishedSpans());
      }
    }
  } finally {
    await provider.shutdown();
    trace.disable();
    context.disable();
  }
  if (endpoint) console.log(`\nexported ${batches} pipeline run(s) to ${endpoint}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
