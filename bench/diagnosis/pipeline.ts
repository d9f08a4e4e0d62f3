/**
 * The plain-data description of a generated pipeline and the pure functions that compute
 * its data: a stage's output frame is computed from its inputs' frames (numeric transforms,
 * joins, categorical mappings, a model's scoring function), so a fault injected at one stage
 * reaches every stage downstream of it the way it would in a real pipeline.
 */
import type { ComponentKind } from '../../src/sdk/index.js';
import type { Random } from '../detection/Random.js';

/** One cell of a frame. */
export type Value = number | string | null;

/** One column of a frame. */
export interface Column {
  /** How the column is summarised. */
  type: 'numeric' | 'categorical';
  /** One value per row. */
  values: Value[];
}

/** Row-aligned columns (row i of every column describes the same entity), in output order. */
export type Frame = Map<string, Column>;

/** How a generated column is drawn (sources and scheduled jobs). */
export type ColumnGen =
  | { name: string; type: 'numeric'; mean: number; sd: number; log: boolean }
  | { name: string; type: 'categorical'; cats: string[]; probs: number[] };

/** One derived output column. */
export type Derive =
  | { kind: 'affine'; from: string; a: number; b: number; out: string }
  | { kind: 'log'; from: string; out: string }
  | { kind: 'ratio'; from: [string, string]; out: string }
  | { kind: 'bucket'; from: string; edges: number[]; labels: string[]; out: string }
  | { kind: 'map'; from: string; mapping: Record<string, string>; out: string }
  | { kind: 'encode'; from: string; num: string; table: Record<string, number>; out: string }
  | { kind: 'mix'; from: string[]; mean: number[]; sd: number[]; w: number[]; out: string };

/** One version of a model: weights over standardised inputs plus categorical offsets. */
export interface ModelVersion {
  /** `ml.model.version`. */
  version: string;
  /** One weight per numeric input. */
  w: number[];
  /** Intercept. */
  b: number;
  /** Offset per category of the categorical input, when there is one. */
  catW: Record<string, number>;
}

/** A binary classifier scoring its numeric (and optionally one categorical) input columns. */
export interface ModelSpec {
  /** `ml.model.name`. */
  name: string;
  /** Numeric input columns. */
  from: string[];
  /** Training means of the inputs (a null input is imputed with it). */
  mean: number[];
  /** Training standard deviations of the inputs. */
  sd: number[];
  /** Categorical input column, when there is one. */
  catFrom?: string;
  /** Output column holding P(class 1). */
  out: string;
  /** The deployed version (index 0) and the one a model-swap fault deploys (index 1). */
  versions: [ModelVersion, ModelVersion];
}

/** What a stage does in the pipeline (never written to spans; kinds and names are). */
export type Role =
  | 'source'
  | 'transform'
  | 'join'
  | 'features'
  | 'inference'
  | 'postprocess'
  | 'sink'
  | 'label'
  | 'job';

/** One component of a generated pipeline. */
export interface StageSpec {
  /** `ml.component.name`: random, so nothing can be read from it. */
  name: string;
  /** What it does. */
  role: Role;
  /** `ml.component.kind`. */
  kind: ComponentKind;
  /** Upstream stages (indices into `PipelineSpec.stages`), in join order. */
  parents: number[];
  /** Shared tables read (indices into `PipelineSpec.jobs`). */
  tables: number[];
  /** Columns drawn by a source or a job. */
  generate: ColumnGen[];
  /** Input columns passed through unchanged (same name downstream). */
  keep: string[];
  /** Derived columns, computed in order (a derive may read an earlier one). */
  derive: Derive[];
  /** The model of an inference stage. */
  model?: ModelSpec;
  /** Typical run duration, ms of virtual time. */
  baseMs: number;
  /** `ml.io` reference the stage writes (batch intermediates, sinks, jobs), '' when none. */
  output: string;
  /** External `ml.io` reference the stage reads that no traced run writes, '' when none. */
  external: string;
}

/** A scheduled job in other traces that rewrites a shared feature table. */
export interface JobSpec {
  /** The job's component. */
  stage: StageSpec;
  /** `ml.pipeline.name` of the job (its own). */
  pipeline: string;
  /**
   * When in each window the job runs, ms after the window start: early (before the pipeline's
   * runs, which then read this window's table) or late (after them, so the readers' first runs
   * come before the job's first run and read the previous window's table).
   */
  offsetMs: number;
  /** Rows per table snapshot. */
  rows: number;
}

/** A pipeline shape: how its DAG is laid out. */
export type Shape = 'chain' | 'fanin' | 'fanout' | 'table';

/** Batch (one or two big runs a window) or per-request (many small runs). */
export type Mode = 'batch' | 'request';

/** Everything needed to replay one generated pipeline. */
export interface PipelineSpec {
  /** DAG layout. */
  shape: Shape;
  /** Run cadence. */
  mode: Mode;
  /** `service.name`. */
  service: string;
  /** `ml.pipeline.name`. */
  pipeline: string;
  /** The run's root span (the orchestrator's DAG run, or the request handler). */
  root: { name: string; baseMs: number };
  /** Pipeline stages in a topological order. */
  stages: StageSpec[];
  /** Scheduled jobs writing shared tables. */
  jobs: JobSpec[];
  /** The component that records delayed labels, in a trace of its own each window. */
  label: StageSpec;
  /** Index of the inference stage whose predictions get labels. */
  labelled: number;
  /** Pipeline runs per window. */
  runsPerWindow: number;
  /** Rows per pipeline run. */
  rowsPerRun: number;
}

/** Draws `n` rows of a generated column. */
export function drawColumn(g: ColumnGen, n: number, rng: Random): Column {
  const values: Value[] = new Array(n);
  if (g.type === 'numeric') {
    for (let i = 0; i < n; i++) {
      const z = g.mean + g.sd * rng.normal();
      values[i] = g.log ? Math.exp(z) : z;
    }
    return { type: 'numeric', values };
  }
  for (let i = 0; i < n; i++) {
    let u = rng.next();
    let k = 0;
    while (k < g.cats.length - 1 && u >= (g.probs[k] as number)) {
      u -= g.probs[k] as number;
      k++;
    }
    values[i] = g.cats[k] as string;
  }
  return { type: 'categorical', values };
}

/** Draws `n` rows of every generated column of a stage. */
export function drawFrame(gens: readonly ColumnGen[], n: number, rng: Random): Frame {
  const f: Frame = new Map();
  for (const g of gens) f.set(g.name, drawColumn(g, n, rng));
  return f;
}

/** Takes rows `idx` of a table snapshot (a reader looking up its entities). */
export function sampleRows(table: Frame, idx: ArrayLike<number>): Frame {
  const out: Frame = new Map();
  for (const [name, c] of table) {
    const values: Value[] = new Array(idx.length);
    for (let i = 0; i < idx.length; i++) values[i] = c.values[idx[i] as number] ?? null;
    out.set(name, { type: c.type, values });
  }
  return out;
}

function num(v: Value | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function lookup(name: string, own: Frame, inputs: readonly Frame[]): Column | undefined {
  const o = own.get(name);
  if (o) return o;
  for (const f of inputs) {
    const c = f.get(name);
    if (c) return c;
  }
  return undefined;
}

function rowsOf(inputs: readonly Frame[]): number {
  for (const f of inputs) for (const c of f.values()) return c.values.length;
  return 0;
}

/** σ(x), clamped away from overflow. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-Math.max(-40, Math.min(40, x))));
}

function derive(d: Derive, own: Frame, inputs: readonly Frame[], n: number): Column {
  const col = (name: string): Value[] => lookup(name, own, inputs)?.values ?? new Array(n).fill(null);
  const out: Value[] = new Array(n);
  switch (d.kind) {
    case 'affine': {
      const x = col(d.from);
      for (let i = 0; i < n; i++) {
        const v = num(x[i]);
        out[i] = v === null ? null : d.a * v + d.b;
      }
      return { type: 'numeric', values: out };
    }
    case 'log': {
      const x = col(d.from);
      for (let i = 0; i < n; i++) {
        const v = num(x[i]);
        out[i] = v === null ? null : Math.log1p(Math.abs(v));
      }
      return { type: 'numeric', values: out };
    }
    case 'ratio': {
      const x = col(d.from[0]);
      const y = col(d.from[1]);
      for (let i = 0; i < n; i++) {
        const a = num(x[i]);
        const b = num(y[i]);
        out[i] = a === null || b === null ? null : a / (1 + Math.abs(b));
      }
      return { type: 'numeric', values: out };
    }
    case 'bucket': {
      const x = col(d.from);
      for (let i = 0; i < n; i++) {
        const v = num(x[i]);
        if (v === null) out[i] = null;
        else {
          let k = 0;
          while (k < d.edges.length && v >= (d.edges[k] as number)) k++;
          out[i] = d.labels[k] as string;
        }
      }
      return { type: 'categorical', values: out };
    }
    case 'map': {
      const x = col(d.from);
      // A category the mapping does not know is a failed lookup: null, as a left join gives.
      for (let i = 0; i < n; i++)
        out[i] = typeof x[i] === 'string' ? (d.mapping[x[i] as string] ?? null) : null;
      return { type: 'categorical', values: out };
    }
    case 'encode': {
      const c = col(d.from);
      const x = col(d.num);
      for (let i = 0; i < n; i++) {
        const v = num(x[i]);
        const e = typeof c[i] === 'string' ? (d.table[c[i] as string] ?? 0) : 0;
        out[i] = v === null ? null : e + 0.1 * v;
      }
      return { type: 'numeric', values: out };
    }
    case 'mix': {
      const xs = d.from.map(col);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < xs.length; j++) {
          // A missing input is imputed with its training mean (z = 0), as a feature pipeline would.
          const v = num(xs[j]![i]);
          if (v !== null) s += (d.w[j] as number) * ((v - (d.mean[j] as number)) / (d.sd[j] as number));
        }
        out[i] = Math.tanh(s) * 2;
      }
      return { type: 'numeric', values: out };
    }
  }
}

/** P(class 1) of each row under one model version. */
export function score(
  m: ModelSpec,
  v: ModelVersion,
  own: Frame,
  inputs: readonly Frame[],
  n: number,
): number[] {
  const xs = m.from.map((name) => lookup(name, own, inputs)?.values);
  const cat = m.catFrom === undefined ? undefined : lookup(m.catFrom, own, inputs)?.values;
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    let s = v.b;
    for (let j = 0; j < xs.length; j++) {
      const x = num(xs[j]?.[i]);
      if (x !== null) s += (v.w[j] as number) * ((x - (m.mean[j] as number)) / (m.sd[j] as number));
    }
    const c = cat?.[i];
    if (typeof c === 'string') s += v.catW[c] ?? 0;
    out[i] = sigmoid(s);
  }
  return out;
}

/**
 * A stage's output frame from its inputs (parents' frames then table rows): pass-through
 * columns, then derived ones, then the model score. Sources and jobs draw theirs instead.
 */
export function computeStage(
  s: StageSpec,
  inputs: readonly Frame[],
  version: ModelVersion | undefined,
  n: number,
  rng: Random,
): Frame {
  const own: Frame = s.generate.length > 0 ? drawFrame(s.generate, n, rng) : new Map();
  const rows = s.generate.length > 0 ? n : rowsOf(inputs) || n;
  for (const k of s.keep) {
    const c = lookup(k, new Map(), inputs);
    if (c && !own.has(k)) own.set(k, c);
  }
  for (const d of s.derive) own.set(d.out, derive(d, own, inputs, rows));
  if (s.model && version)
    own.set(s.model.out, { type: 'numeric', values: score(s.model, version, own, inputs, rows) });
  return own;
}

/** Mean and standard deviation of a numeric column's finite values (sd ≥ a small floor). */
export function moments(c: Column | undefined): { mean: number; sd: number } {
  let n = 0;
  let s = 0;
  let ss = 0;
  for (const v of c?.values ?? []) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    n++;
    s += v;
    ss += v * v;
  }
  if (n === 0) return { mean: 0, sd: 1 };
  const mean = s / n;
  const sd = Math.sqrt(Math.max(0, ss / n - mean * mean));
  return { mean, sd: Math.max(sd, 1e-6 + Math.abs(mean) * 1e-3) };
}
