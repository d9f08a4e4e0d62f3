/**
 * The seeded pipeline generator: DAGs of 5–30 components (chains, fan-in joins, fan-out to
 * several models, feature tables rewritten by scheduled jobs in other traces), batch or
 * per-request. Stages are built in topological order and each is computed once on a
 * calibration sample, so derived columns and model standardisation fit the data that will
 * flow (a model is "trained" on its inputs' clean distribution). Names are random tokens:
 * nothing about a component's role can be read from its name.
 */
import type { ComponentKind } from '../../src/sdk/index.js';
import { Random } from '../detection/Random.js';
import {
  type ColumnGen,
  computeStage,
  type Derive,
  drawFrame,
  type Frame,
  type JobSpec,
  type Mode,
  type ModelSpec,
  type ModelVersion,
  moments,
  type PipelineSpec,
  type Role,
  type Shape,
  type StageSpec,
  sampleRows,
} from './pipeline.js';

/** Every shape, in report order. */
export const SHAPES: readonly Shape[] = ['chain', 'fanin', 'fanout', 'table'];
/** Both run cadences. */
export const MODES: readonly Mode[] = ['batch', 'request'];

const CAL_ROWS = 400;
const KIND: Record<Role, ComponentKind> = {
  source: 'source',
  transform: 'transform',
  join: 'transform',
  features: 'features',
  inference: 'inference',
  postprocess: 'postprocess',
  sink: 'sink',
  label: 'label',
  job: 'features',
};
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ru',
  'te',
  'vo',
  'sa',
  'ne',
  'po',
  'di',
  'gu',
  'ze',
  'fa',
  'hi',
  'bo',
  'xu',
];

interface Slot {
  role: Role;
  parents: number[];
}

/** Options of {@link generatePipeline}. */
export interface GenerateOptions {
  /** At least this many scheduled jobs (a stale-table case needs one). */
  minJobs?: number;
  /** At most this many components (root, stages, jobs, label recorder), for small test cases. */
  maxComponents?: number;
}

class Builder {
  private readonly used = new Set<string>();
  /** Clean calibration frame of every stage, and of every job's table snapshot. */
  readonly cal: Frame[] = [];
  readonly jobCal: Frame[] = [];

  constructor(
    readonly rng: Random,
    readonly mode: Mode,
  ) {}

  name(): string {
    for (;;) {
      let s = '';
      const parts = 2 + this.rng.index(2);
      for (let i = 0; i < parts; i++) s += SYLLABLES[this.rng.index(SYLLABLES.length)];
      s += String(this.rng.index(10));
      if (!this.used.has(s)) {
        this.used.add(s);
        return s;
      }
    }
  }

  uniform(a: number, b: number): number {
    return a + (b - a) * this.rng.next();
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.rng.index(xs.length)] as T;
  }

  durationMs(): number {
    return this.mode === 'batch'
      ? Math.round(Math.exp(this.uniform(Math.log(80), Math.log(1500))))
      : this.uniform(1, 25);
  }

  gens(numeric: number, categorical: number): ColumnGen[] {
    const out: ColumnGen[] = [];
    for (let i = 0; i < numeric; i++) {
      const log = this.rng.next() < 0.3;
      const mean = log ? this.uniform(1, 5) : this.uniform(-20, 400);
      const sd = log
        ? this.uniform(0.2, 0.8)
        : Math.abs(mean) * this.uniform(0.05, 0.4) + this.uniform(0.5, 5);
      out.push({ name: this.name(), type: 'numeric', mean, sd, log });
    }
    for (let i = 0; i < categorical; i++) {
      const k = 3 + this.rng.index(4);
      const cats = Array.from({ length: k }, () => this.name());
      const w = cats.map(() => this.uniform(0.5, 2));
      const total = w.reduce((a, b) => a + b, 0);
      out.push({ name: this.name(), type: 'categorical', cats, probs: w.map((x) => x / total) });
    }
    return out;
  }

  /** Numeric and categorical columns of some frames, with their clean statistics. */
  columns(frames: readonly Frame[]): { numeric: string[]; categorical: Map<string, string[]> } {
    const numeric: string[] = [];
    const categorical = new Map<string, string[]>();
    for (const f of frames)
      for (const [name, c] of f) {
        if (c.type === 'numeric') {
          if (!numeric.includes(name)) numeric.push(name);
        } else if (!categorical.has(name)) {
          const cats = [...new Set(c.values.filter((v): v is string => typeof v === 'string'))].sort();
          categorical.set(name, cats);
        }
      }
    return { numeric, categorical };
  }

  stat(frames: readonly Frame[], name: string): { mean: number; sd: number } {
    for (const f of frames) if (f.has(name)) return moments(f.get(name));
    return { mean: 0, sd: 1 };
  }

  /** One random derived column over the input columns. */
  derive(frames: readonly Frame[], prefer: readonly string[]): Derive {
    const { numeric, categorical } = this.columns(frames);
    const pool = prefer.filter((p) => numeric.includes(p));
    const pickNum = () => this.pick(pool.length > 0 && this.rng.next() < 0.6 ? pool : numeric);
    const out = this.name();
    const r = this.rng.next();
    const cats = [...categorical.keys()];
    if (cats.length > 0 && r < 0.15) {
      const from = this.pick(cats);
      const labels = Array.from({ length: 2 + this.rng.index(2) }, () => this.name());
      const mapping: Record<string, string> = {};
      for (const c of categorical.get(from) ?? []) mapping[c] = this.pick(labels);
      return { kind: 'map', from, mapping, out };
    }
    if (cats.length > 0 && r < 0.3 && numeric.length > 0) {
      const from = this.pick(cats);
      const table: Record<string, number> = {};
      for (const c of categorical.get(from) ?? []) table[c] = this.uniform(-3, 3);
      return { kind: 'encode', from, num: pickNum(), table, out };
    }
    if (numeric.length === 0) {
      const from = this.pick(cats);
      return {
        kind: 'map',
        from,
        mapping: Object.fromEntries((categorical.get(from) ?? []).map((c) => [c, c])),
        out,
      };
    }
    if (r < 0.42) {
      const from = pickNum();
      const { mean, sd } = this.stat(frames, from);
      const labels = Array.from({ length: 3 }, () => this.name());
      return { kind: 'bucket', from, edges: [mean - 0.5 * sd, mean + 0.5 * sd], labels, out };
    }
    if (r < 0.6 && numeric.length > 1) {
      const a = pickNum();
      const b = this.pick(numeric.filter((x) => x !== a));
      return { kind: 'ratio', from: [a, b], out };
    }
    if (r < 0.72) return { kind: 'log', from: pickNum(), out };
    return {
      kind: 'affine',
      from: pickNum(),
      a: this.uniform(0.2, 3) * (this.rng.next() < 0.3 ? -1 : 1),
      b: this.uniform(-10, 10),
      out,
    };
  }

  mix(frames: readonly Frame[], from: string[]): Derive {
    return {
      kind: 'mix',
      from,
      mean: from.map((f) => this.stat(frames, f).mean),
      sd: from.map((f) => this.stat(frames, f).sd),
      w: from.map(() => this.uniform(-1.2, 1.2)),
      out: this.name(),
    };
  }

  version(inputs: number, cats: readonly string[]): ModelVersion {
    const catW: Record<string, number> = {};
    for (const c of cats) catW[c] = this.uniform(-1, 1);
    return {
      version: `${1 + this.rng.index(5)}.${this.rng.index(20)}.${this.rng.index(10)}`,
      w: Array.from({ length: inputs }, () => this.uniform(-2.5, 2.5)),
      b: this.uniform(-0.5, 0.5),
      catW,
    };
  }
}

function layout(shape: Shape, m: number, b: Builder): Slot[] {
  const slots: Slot[] = [];
  const add = (role: Role, parents: number[]): number => slots.push({ role, parents }) - 1;
  if (shape === 'fanin') {
    const branches = m >= 9 && b.rng.next() < 0.5 ? 3 : 2;
    let extra = m - branches - 4;
    const ends: number[] = [];
    for (let i = 0; i < branches; i++) {
      let end = add('source', []);
      const t = i === branches - 1 ? Math.ceil(extra / 2) : b.rng.index(Math.floor(extra / 2) + 1);
      for (let k = 0; k < t; k++) end = add('transform', [end]);
      extra -= t;
      ends.push(end);
    }
    let end = add('join', ends);
    for (let k = 0; k < extra; k++) end = add('transform', [end]);
    end = add('features', [end]);
    end = add('inference', [end]);
    add('sink', [end]);
    return slots;
  }
  if (shape === 'fanout') {
    const models = Math.max(2, Math.min(2 + b.rng.index(3), m - 2));
    let extra = m - 2 - models;
    const post = Math.min(models, extra);
    extra -= post;
    let end = add('source', []);
    for (let k = 0; k < extra; k++) end = add('transform', [end]);
    const feats = add('features', [end]);
    for (let i = 0; i < models; i++) {
      const model = add('inference', [feats]);
      if (i < post) add('postprocess', [model]);
    }
    return slots;
  }
  // chain (and the table shape, a chain whose stages also read shared tables)
  let end = add('source', []);
  if (m === 3) {
    end = add('inference', [end]);
    add('sink', [end]);
    return slots;
  }
  const post = m >= 6 ? 1 : 0;
  for (let k = 0; k < m - 4 - post; k++) end = add('transform', [end]);
  end = add('features', [end]);
  end = add('inference', [end]);
  if (post) end = add('postprocess', [end]);
  add('sink', [end]);
  return slots;
}

function minStages(shape: Shape): number {
  return shape === 'fanin' ? 6 : shape === 'fanout' ? 4 : 3;
}

/** Generates one pipeline from a seed; equal arguments give an equal pipeline. */
export function generatePipeline(
  seed: number,
  shape: Shape,
  mode: Mode,
  options: GenerateOptions = {},
): PipelineSpec {
  const b = new Builder(new Random(seed), mode);
  const calRng = new Random(seed ^ 0x5bd1e995);
  let total = mode === 'batch' ? 5 + b.rng.index(26) : 5 + b.rng.index(8);
  total = Math.min(total, options.maxComponents ?? total);
  let jobs = shape === 'table' ? 1 + b.rng.index(2) : b.rng.next() < 0.25 ? 1 : 0;
  jobs = Math.max(jobs, options.minJobs ?? 0);
  // root + label + jobs + stages
  const m = Math.max(minStages(shape), total - 2 - jobs);
  total = m + 2 + jobs;
  const slots = layout(shape, m, b);

  const jobSpecs: JobSpec[] = [];
  const warehouse = b.name();
  for (let j = 0; j < jobs; j++) {
    const name = b.name();
    const stage: StageSpec = {
      name,
      role: 'job',
      kind: KIND.job,
      parents: [],
      tables: [],
      generate: b.gens(2 + b.rng.index(2), 1),
      keep: [],
      derive: [],
      baseMs: Math.round(b.uniform(200, 3000)),
      output: `table:${warehouse}.${b.name()}`,
      external: '',
    };
    // Once a window: a job that ran less often would not have the five windows of history its
    // own reference needs within a case. Early or late in the window, so that arrival order
    // (job first or readers first) says nothing about the topology; late leaves room for the
    // longest job (3 s) to end in its own window, or its runs would pile up in every other one.
    jobSpecs.push({
      stage,
      pipeline: b.name(),
      offsetMs: b.rng.next() < 0.5 ? 500 + 200 * j : 50_000 + 200 * j,
      rows: 500,
    });
    b.jobCal.push(drawFrame(stage.generate, 500, calRng));
  }
  // Each table is read by one stage that can look entities up: a source, transform, join or features.
  const readers = slots
    .map((s, i) => (['source', 'transform', 'join', 'features'].includes(s.role) ? i : -1))
    .filter((i) => i >= 0);
  const tablesOf = new Map<number, number[]>();
  for (let j = 0; j < jobs; j++) {
    const r = b.pick(readers);
    tablesOf.set(r, [...(tablesOf.get(r) ?? []), j]);
  }

  const stages: StageSpec[] = [];
  const bucket = b.name();
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i] as Slot;
    const tables = tablesOf.get(i) ?? [];
    const idx = b.rng.choose(500, CAL_ROWS);
    const inputs: Frame[] = [
      ...slot.parents.map((p) => b.cal[p] as Frame),
      ...tables.map((t) => sampleRows(b.jobCal[t] as Frame, idx)),
    ];
    const tableCols = tables.flatMap((t) => [...(b.jobCal[t] as Frame).keys()]);
    const s: StageSpec = {
      name: b.name(),
      role: slot.role,
      kind: KIND[slot.role],
      parents: slot.parents,
      tables,
      generate: [],
      keep: [],
      derive: [],
      baseMs: b.durationMs(),
      output: '',
      external: '',
    };
    const keepSome = (frames: readonly Frame[], k: number) => {
      for (const f of frames) {
        const names = [...f.keys()];
        for (let x = 0; x < k && names.length > 0; x++) {
          const n = names.splice(b.rng.index(names.length), 1)[0] as string;
          if (!s.keep.includes(n)) s.keep.push(n);
        }
      }
    };
    switch (slot.role) {
      case 'source':
        s.generate = b.gens(2 + b.rng.index(2), 1 + b.rng.index(2));
        if (mode === 'batch') s.external = `s3://${bucket}/${b.name()}`;
        break;
      case 'transform':
        keepSome(inputs, 2);
        for (let k = 0, n = 1 + b.rng.index(2); k < n; k++) s.derive.push(b.derive(inputs, tableCols));
        break;
      case 'join':
        keepSome(inputs, 2);
        s.derive.push(b.derive(inputs, []));
        break;
      case 'features': {
        const { numeric, categorical } = b.columns(inputs);
        const cats = [...categorical.keys()];
        if (cats.length > 0) s.keep.push(b.pick(cats));
        for (const t of tableCols.slice(0, 1)) if (!s.keep.includes(t)) s.keep.push(t);
        const k = 2 + b.rng.index(3);
        for (let x = 0; x < k; x++) {
          const from = [...numeric]
            .sort(() => b.rng.next() - 0.5)
            .slice(0, Math.min(numeric.length, 2 + b.rng.index(3)));
          if (from.length > 0) s.derive.push(b.mix(inputs, from));
        }
        break;
      }
      case 'inference': {
        const { numeric, categorical } = b.columns(inputs);
        const from = numeric.slice(0, 5);
        const cats = [...categorical.keys()];
        const catFrom = cats.length > 0 ? cats[0] : undefined;
        const catValues = catFrom ? (categorical.get(catFrom) ?? []) : [];
        const model: ModelSpec = {
          name: b.name(),
          from,
          mean: from.map((f) => b.stat(inputs, f).mean),
          sd: from.map((f) => b.stat(inputs, f).sd),
          ...(catFrom ? { catFrom } : {}),
          out: b.name(),
          versions: [b.version(from.length, catValues), b.version(from.length, catValues)],
        };
        s.model = model;
        break;
      }
      case 'postprocess': {
        const score = slots[slot.parents[0] as number]
          ? stages[slot.parents[0] as number]?.model?.out
          : undefined;
        const from = score ?? [...(inputs[0]?.keys() ?? [])][0] ?? '';
        s.keep.push(from);
        s.derive.push({
          kind: 'bucket',
          from,
          edges: [0.3, 0.7],
          labels: [b.name(), b.name(), b.name()],
          out: b.name(),
        });
        s.derive.push({ kind: 'affine', from, a: b.uniform(50, 150), b: b.uniform(-5, 5), out: b.name() });
        break;
      }
      case 'sink':
        keepSome(inputs, 4);
        break;
      default:
        break;
    }
    if (mode === 'batch' || slot.role === 'sink') s.output = `table:${warehouse}.${b.name()}`;
    stages.push(s);
    b.cal.push(computeStage(s, inputs, s.model?.versions[0], CAL_ROWS, calRng));
  }
  const labelled = stages.findIndex((s) => s.role === 'inference');
  const label: StageSpec = {
    name: b.name(),
    role: 'label',
    kind: KIND.label,
    parents: [],
    tables: [],
    generate: [],
    keep: [],
    derive: [],
    baseMs: Math.round(b.uniform(50, 800)),
    output: '',
    external: `table:${warehouse}.${b.name()}`,
  };
  const runsPerWindow = mode === 'batch' ? 1 + b.rng.index(2) : 20;
  return {
    shape,
    mode,
    service: b.name(),
    pipeline: b.name(),
    root: { name: b.name(), baseMs: mode === 'batch' ? b.uniform(20, 200) : b.uniform(0.2, 2) },
    stages,
    jobs: jobSpecs,
    label,
    labelled,
    runsPerWindow,
    rowsPerRun: mode === 'batch' ? (runsPerWindow === 1 ? 300 : 200) : 10,
  };
}

/** Components of a pipeline: root, stages, jobs and the label recorder (for counts and checks). */
export function componentNames(p: PipelineSpec): string[] {
  return [p.root.name, ...p.stages.map((s) => s.name), ...p.jobs.map((j) => j.stage.name), p.label.name];
}
