/**
 * A credit-risk scoring pipeline with a real ONNX model, instrumented without touching the model
 * code: the stages are mlobs `component()` runs, and the model call is plain `onnxruntime-node`,
 * which `mlobs/register` instruments (feature summaries of the model's inputs, prediction
 * summaries of its outputs):
 *
 *   OTEL_SERVICE_NAME=credit-scoring OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 \
 *     node --import tsx --import mlobs/register examples/credit/pipeline.ts --batches 12 --fault unit-change
 *
 * Each batch is one pipeline run (one trace):
 *   region-stats-etl (scheduled job, its own trace: writes table:<pipeline>.region_stats)
 *   credit-scoring → load → validate → join (reads the table: a span link to the job's run)
 *                  → featurize → credit-risk (the ONNX model) → decide → write
 * and loan outcomes (labels) arrive `--label-delay` batches later for `--label-share` of the rows.
 *
 * Options: `--pipeline NAME` (credit-scoring), `--batches N` (40), `--rows N` (500), `--interval MS`
 * (500: four batches per 2-second window of the demo config), `--fault NAME` from batch
 * `--fault-at K` (17: after four clean windows) on (`--fault a,b` or `all`: one pipeline per fault,
 * `<pipeline>-<fault>`, side by side), `--align MS` (2000: batches start on the window grid), `--label-share S` (0.3), `--label-delay N`
 * batches (2), `--quiet`.
 * Faults, and the stage they break:
 * - `unit-change`: the applications feed reports monthly income in thousands (load);
 * - `null-join`: a join change upper-cases the region key, so the table no longer matches (join);
 * - `category-rename`: the feed renames `self_employed` to `self-employed` (load);
 * - `stale-table`: the ETL job stops running; the join keeps reading its last table (region-stats-etl);
 * - `model-swap`: version 2 of the model, trained with two columns swapped, is deployed (credit-risk);
 * - `label-shift`: defaults rise for the same applicants, a change in the world (credit-risk's labels);
 * - `latency`: writes to the decisions table take 400 ms (write);
 * - `errors`: a release sends the model float64 tensors, which it refuses (credit-risk).
 */
import { join as joinPath } from 'node:path';
import * as ort from 'onnxruntime-node';
import { component } from '../../src/index.js';
import {
  CLASS_NAMES,
  drawApplications,
  FEATURE_NAMES,
  featurize,
  type Joined,
  regionStats,
  seeded,
  trueDefaultProbability,
} from './data.js';

/** The faults `--fault` can inject. */
export const FAULTS = [
  'unit-change',
  'null-join',
  'category-rename',
  'stale-table',
  'model-swap',
  'label-shift',
  'latency',
  'errors',
] as const;
/** One of {@link FAULTS}. */
export type Fault = (typeof FAULTS)[number];

const MODELS = joinPath(__dirname, 'models');
const APPROVE_BELOW = 0.2;

interface Options {
  pipeline: string;
  batches: number;
  rows: number;
  intervalMs: number;
  alignMs: number;
  faults: Fault[];
  faultAt: number;
  labelShare: number;
  labelDelay: number;
  quiet: boolean;
}

/** What a scored batch leaves for the delayed labels: its rows' features and the rows scored. */
interface Scored {
  batch: number;
  features: Float32Array;
  rows: number;
}

class Pipeline {
  private tableVersion = 0;
  private table = new Map<string, number>();
  private readonly scored: Scored[] = [];

  constructor(
    private readonly o: Options,
    private readonly good: ort.InferenceSession,
    private readonly swapped: ort.InferenceSession,
  ) {}

  /** The ETL job's table; named per pipeline so pipelines run side by side do not share it. */
  private get table_(): string {
    return `table:${this.o.pipeline}.region_stats`;
  }

  /** Unique across pipelines, since labels join predictions by `<batch id>:<row>`. */
  private batchId(batch: number): string {
    return `${this.o.pipeline}/b${batch}`;
  }

  private faulty(batch: number, fault: Fault): boolean {
    return this.o.faults[0] === fault && batch >= this.o.faultAt;
  }

  /** The nightly job, run before each batch here so a demo sees it on schedule. */
  async etl(batch: number): Promise<void> {
    if (this.faulty(batch, 'stale-table')) return;
    const version = ++this.tableVersion;
    await component(
      'region-stats-etl',
      { kind: 'source', pipeline: `${this.o.pipeline}-etl`, runId: `etl-${version}`, version: '3.1.0' },
      async (run) => {
        // Last year's default rates do not change from one nightly run to the next.
        this.table = regionStats(seeded(500));
        run.recordFeatures({ region: [...this.table.keys()], default_rate: [...this.table.values()] });
        run.addOutput(this.table_, `v${version}`);
      },
    );
  }

  async run(batch: number): Promise<string> {
    const rand = seeded(10_000 + batch);
    return component(
      this.o.pipeline,
      { pipeline: this.o.pipeline, runId: `run-${batch}`, batchId: this.batchId(batch) },
      async () => {
        // What each stage hands the next, declared so the analysis learns the data flow (ml.io).
        const frame = (what: string): string => `memory:${this.o.pipeline}/${what}/b${batch}`;
        const apps = await component(
          'load',
          {
            kind: 'source',
            version: '1.4.0',
            inputs: ['table:loans.applications'],
            outputs: [frame('applications')],
          },
          async (run) => {
            const a = drawApplications(rand, this.o.rows, batch * this.o.rows);
            if (this.faulty(batch, 'unit-change'))
              a.monthly_income = a.monthly_income.map((x) => (x === null ? null : x / 1000));
            if (this.faulty(batch, 'category-rename'))
              a.employment = a.employment.map((e) => (e === 'self_employed' ? 'self-employed' : e));
            const { applicant_id: _ids, ...columns } = a;
            run.recordFeatures(columns, { batchId: this.batchId(batch) });
            return a;
          },
        );
        const valid = await component(
          'validate',
          { kind: 'transform', version: '1.0.2', inputs: [frame('applications')], outputs: [frame('valid')] },
          async () => {
            // Rules the lending policy sets: adults, a positive amount, a known term.
            const keep = apps.age.map(
              (age, i) => age >= 18 && apps.loan_amount[i] > 0 && apps.term_months[i] > 0,
            );
            return {
              applicant_id: apps.applicant_id.filter((_, i) => keep[i]),
              age: apps.age.filter((_, i) => keep[i]),
              monthly_income: apps.monthly_income.filter((_, i) => keep[i]),
              loan_amount: apps.loan_amount.filter((_, i) => keep[i]),
              term_months: apps.term_months.filter((_, i) => keep[i]),
              employment: apps.employment.filter((_, i) => keep[i]),
              region: apps.region.filter((_, i) => keep[i]),
            };
          },
        );
        const joined = await component(
          'join',
          {
            kind: 'transform',
            version: this.faulty(batch, 'null-join') ? '2.1.0' : '2.0.3',
            inputs: [frame('valid')],
            outputs: [frame('joined')],
          },
          async (run) => {
            run.addInput(this.table_, `v${this.tableVersion}`);
            const key = (r: string): string => (this.faulty(batch, 'null-join') ? r.toUpperCase() : r);
            const j: Joined = {
              ...valid,
              region_default_rate: valid.region.map((r) => this.table.get(key(r)) ?? null),
            };
            // Declared: a batch where nothing matched is all nulls, which says nothing about its kind.
            run.recordFeatures(
              { region_default_rate: j.region_default_rate },
              { batchId: this.batchId(batch), schema: { region_default_rate: 'numeric' } },
            );
            return j;
          },
        );
        const matrix = await component(
          'featurize',
          { kind: 'features', version: '5.0.0', inputs: [frame('joined')], outputs: [frame('features')] },
          async (run) => {
            const m = featurize(joined);
            run.recordFeatures(
              { data: m.data, shape: [m.rows, FEATURE_NAMES.length], columns: [...FEATURE_NAMES] },
              { batchId: this.batchId(batch) },
            );
            return m;
          },
        );
        const session = this.faulty(batch, 'model-swap') ? this.swapped : this.good;
        const broken = this.faulty(batch, 'errors');
        let pDefault: Float32Array | undefined;
        try {
          // The model call: plain onnxruntime-node, recorded by mlobs' instrumentation.
          const tensor = broken
            ? new ort.Tensor('float64', Float64Array.from(matrix.data), [matrix.rows, FEATURE_NAMES.length])
            : new ort.Tensor('float32', matrix.data, [matrix.rows, FEATURE_NAMES.length]);
          const out = await session.run({ features: tensor });
          const probs = out.probabilities.data as Float32Array;
          pDefault = Float32Array.from({ length: matrix.rows }, (_, i) => probs[i * 2 + 1]);
          this.scored.push({ batch, features: matrix.data, rows: matrix.rows });
        } catch {
          // The model refused the batch: every application goes to a person.
        }
        const decisions = await component(
          'decide',
          { kind: 'postprocess', version: '1.2.0', outputs: [frame('decisions')] },
          async (run) => {
            const d = Array.from({ length: matrix.rows }, (_, i) =>
              pDefault === undefined ? 'manual_review' : pDefault[i] < APPROVE_BELOW ? 'approve' : 'decline',
            );
            run.recordFeatures({ decision: d }, { batchId: this.batchId(batch) });
            return d;
          },
        );
        await component(
          'write',
          {
            kind: 'sink',
            version: '1.0.0',
            inputs: [frame('decisions')],
            outputs: [`table:loans.decisions@b${batch}`],
          },
          async () => {
            if (this.faulty(batch, 'latency')) await sleep(400);
          },
        );
        const approved = decisions.filter((d) => d === 'approve').length;
        return `${approved}/${decisions.length} approved${pDefault === undefined ? ' (model refused the batch)' : ''}`;
      },
    );
  }

  /** Outcomes of an earlier batch: whether each of a share of its loans defaulted. */
  async labels(batch: number): Promise<void> {
    const due = this.scored.find((s) => s.batch === batch - this.o.labelDelay);
    if (!due) return;
    const rand = seeded(90_000 + due.batch);
    const rows: number[] = [];
    const classes: string[] = [];
    const shifted = this.faulty(batch, 'label-shift');
    for (let i = 0; i < due.rows; i++) {
      if (rand() >= this.o.labelShare) continue;
      const p = trueDefaultProbability(due.features, i * FEATURE_NAMES.length);
      // A downturn: applicants the model rates safe now default as often as risky ones.
      const defaulted = rand() < (shifted ? Math.min(1, 0.35 + p) : p);
      rows.push(i);
      classes.push(CLASS_NAMES[defaulted ? 1 : 0]);
    }
    await component('loan-outcomes', { kind: 'label', pipeline: this.o.pipeline }, async (run) => {
      run.recordLabels({ classes }, { batchId: this.batchId(due.batch), rows });
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

function option(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function number(
  args: readonly string[],
  name: string,
  fallback: number,
  min: number,
  max = Infinity,
): number {
  const text = option(args, name);
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isFinite(v) || v < min || v > max)
    throw new Error(`${name} must be a number in [${min}, ${max}], got ${text}`);
  return v;
}

/** Parses the command line; errors name the option. */
export function parseOptions(args: readonly string[]): Options {
  const text = option(args, '--fault');
  const faults = text === undefined ? [] : text === 'all' ? [...FAULTS] : text.split(',');
  for (const f of faults) {
    if (!(FAULTS as readonly string[]).includes(f))
      throw new Error(`--fault must be all or a comma-separated list of ${FAULTS.join(', ')}, got ${text}`);
  }
  return {
    pipeline: option(args, '--pipeline') ?? 'credit-scoring',
    batches: Math.floor(number(args, '--batches', 40, 1)),
    rows: Math.floor(number(args, '--rows', 500, 10)),
    intervalMs: number(args, '--interval', 500, 0),
    alignMs: number(args, '--align', 2000, 0),
    faults: faults as Fault[],
    faultAt: Math.floor(number(args, '--fault-at', 17, 1)),
    labelShare: number(args, '--label-share', 0.3, 0, 1),
    labelDelay: Math.floor(number(args, '--label-delay', 2, 1)),
    quiet: args.includes('--quiet'),
  };
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const good = await ort.InferenceSession.create(joinPath(MODELS, 'credit-risk.onnx'));
  const swapped = await ort.InferenceSession.create(joinPath(MODELS, 'credit-risk-v2.onnx'));
  // Several faults run side by side, each in its own pipeline (its own streams and incidents).
  const runs: Options[] =
    o.faults.length <= 1
      ? [{ ...o }]
      : o.faults.map((f) => ({ ...o, faults: [f], pipeline: `${o.pipeline}-${f}` }));
  const pipelines = runs.map((r) => new Pipeline(r, good, swapped));
  // A fixed schedule, as a scheduler runs batch jobs: batch b starts at t0 + (b − 1)·interval,
  // t0 just after a multiple of --align, so each analysis window gets the same number of batches.
  const now = Date.now();
  const t0 = o.alignMs > 0 ? Math.ceil(now / o.alignMs) * o.alignMs + 100 : now;
  for (let b = 1; b <= o.batches; b++) {
    await sleep(t0 + (b - 1) * o.intervalMs - Date.now());
    const summaries = await Promise.all(
      pipelines.map(async (p) => {
        await p.etl(b);
        const summary = await p.run(b);
        await p.labels(b);
        return summary;
      }),
    );
    if (!o.quiet || b === o.batches) {
      summaries.forEach((summary, i) => {
        const r = runs[i] as Options;
        const fault = r.faults[0] && b >= o.faultAt ? ` [${r.faults[0]}]` : '';
        const who = runs.length > 1 ? `${r.pipeline} ` : '';
        console.log(`${who}batch ${b}${fault}: ${summary}`);
      });
    }
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
