/**
 * The eight fault types and where each can be injected. A fault starts at a window and stays;
 * its ground truth is the component where it was injected, with two documented choices: a
 * stale table's truth is the scheduled job that stopped rewriting it (the reader only shows
 * the symptom), and a label shift's truth is the component that records the labels (the
 * model whose performance drops only shows the symptom).
 */
import type { Random } from '../detection/Random.js';
import type { Column, Frame, PipelineSpec, StageSpec } from './pipeline.js';

/** Fault types, in report order. */
export const FAULT_TYPES = [
  'unit',
  'nulls',
  'stale',
  'remap',
  'model',
  'latency',
  'errors',
  'labels',
] as const;

/** One fault type. */
export type FaultType = (typeof FAULT_TYPES)[number];

/** One injected fault. */
export interface Fault {
  /** What breaks. */
  type: FaultType;
  /** Ground truth: `ml.component.name` of the component where the fault is injected. */
  target: string;
  /** First faulty window (index from the first window of the case). */
  fromWindow: number;
  /** Columns touched (unit, nulls, remap). */
  columns: string[];
  /** Unit factor (×1000 or cm→m ×0.01), latency factor (5–100). */
  factor: number;
  /** Null share (0.3–0.6), failed-run share (0.3–0.7), flipped-label share (0.5–0.8). */
  share: number;
}

// A model's score is not a measured quantity (no unit to change, no join to break): its faults
// are the model-swap type, so it is not listed here.
function ownColumns(s: StageSpec, type: 'numeric' | 'categorical'): string[] {
  const out: string[] = [];
  for (const g of s.generate) if (g.type === type) out.push(g.name);
  for (const d of s.derive) {
    const cat = d.kind === 'bucket' || d.kind === 'map';
    if (cat === (type === 'categorical')) out.push(d.out);
  }
  return out;
}

/** Columns a stage took from its secondary inputs (later parents and tables): a join's right side. */
function joinedColumns(s: StageSpec, p: PipelineSpec): string[] {
  const cols: string[] = [];
  const secondary = new Set<string>();
  for (const t of s.tables)
    for (const g of (p.jobs[t] as { stage: StageSpec }).stage.generate) secondary.add(g.name);
  for (const parent of s.parents.slice(1)) {
    const ps = p.stages[parent] as StageSpec;
    for (const c of [...ownColumns(ps, 'numeric'), ...ownColumns(ps, 'categorical'), ...ps.keep])
      secondary.add(c);
  }
  for (const k of s.keep) if (secondary.has(k)) cols.push(k);
  return cols;
}

function uniform(rng: Random, a: number, b: number): number {
  return a + (b - a) * rng.next();
}

function pick<T>(rng: Random, xs: readonly T[]): T {
  return xs[rng.index(xs.length)] as T;
}

/**
 * Chooses where and how a fault of `type` is injected, or undefined when the pipeline has no
 * place for it (the runner then generates another pipeline).
 */
export function chooseFault(
  p: PipelineSpec,
  type: FaultType,
  fromWindow: number,
  rng: Random,
): Fault | undefined {
  const base = { type, fromWindow, columns: [] as string[], factor: 1, share: 0 };
  const all: StageSpec[] = [...p.stages, ...p.jobs.map((j) => j.stage)];
  switch (type) {
    case 'unit': {
      const c = all.filter((s) => ownColumns(s, 'numeric').length > 0);
      if (c.length === 0) return undefined;
      const s = pick(rng, c);
      return {
        ...base,
        target: s.name,
        columns: [pick(rng, ownColumns(s, 'numeric'))],
        factor: rng.next() < 0.5 ? 1000 : 0.01,
      };
    }
    case 'nulls': {
      const joins = p.stages.filter((s) => joinedColumns(s, p).length > 0);
      if (joins.length > 0 && rng.next() < 0.7) {
        const s = pick(rng, joins);
        return { ...base, target: s.name, columns: joinedColumns(s, p), share: uniform(rng, 0.3, 0.6) };
      }
      const c = all.filter((s) => ownColumns(s, 'numeric').length + ownColumns(s, 'categorical').length > 0);
      const s = pick(rng, c);
      const own = [...ownColumns(s, 'numeric'), ...ownColumns(s, 'categorical')];
      const columns = own.filter(() => rng.next() < 0.5);
      return {
        ...base,
        target: s.name,
        columns: columns.length > 0 ? columns : [pick(rng, own)],
        share: uniform(rng, 0.3, 0.6),
      };
    }
    case 'stale':
      if (p.jobs.length === 0) return undefined;
      return { ...base, target: pick(rng, p.jobs).stage.name };
    case 'remap': {
      const c = all.filter((s) => ownColumns(s, 'categorical').length > 0);
      if (c.length === 0) return undefined;
      const s = pick(rng, c);
      return { ...base, target: s.name, columns: [pick(rng, ownColumns(s, 'categorical'))] };
    }
    case 'model': {
      const c = p.stages.filter((s) => s.model !== undefined);
      if (c.length === 0) return undefined;
      return { ...base, target: pick(rng, c).name };
    }
    case 'latency':
      return {
        ...base,
        target: pick(rng, p.stages).name,
        factor: Math.exp(uniform(rng, Math.log(5), Math.log(100))),
      };
    case 'errors':
      return { ...base, target: pick(rng, p.stages).name, share: uniform(rng, 0.3, 0.7) };
    case 'labels':
      return { ...base, target: p.label.name, share: uniform(rng, 0.5, 0.8) };
  }
}

/** Whether the fault is active at `stage` in window `w`. */
export function activeAt(f: Fault | undefined, stage: string, w: number): f is Fault {
  return f !== undefined && f.target === stage && w >= f.fromWindow;
}

/** A stage's output with a data fault (unit, nulls, remap) applied; other faults leave it alone. */
export function corruptFrame(f: Fault, frame: Frame, rng: Random): Frame {
  if (f.type !== 'unit' && f.type !== 'nulls' && f.type !== 'remap') return frame;
  const out: Frame = new Map(frame);
  for (const name of f.columns) {
    const c = frame.get(name);
    if (!c) continue;
    const values = c.values.slice();
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (f.type === 'unit' && typeof v === 'number') values[i] = v * f.factor;
      else if (f.type === 'nulls' && rng.next() < f.share) values[i] = null;
      // A renamed category: the same entities, spelled as another system spells them.
      else if (f.type === 'remap' && typeof v === 'string') values[i] = v.toUpperCase();
    }
    out.set(name, { type: c.type, values } as Column);
  }
  return out;
}
