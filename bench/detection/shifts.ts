/**
 * The shifts of the study, after Rabanser et al. ("Failing Loudly", NeurIPS 2019) adapted
 * to tabular data: Gaussian noise of σ ∈ {0.1, 1, 10} feature sds on a fraction δ ∈ {0.1,
 * 0.5, 1} of rows (all numeric features), a unit change (×1000) of one feature, nulls
 * injected into one feature, a renamed category, a feature stuck at a constant, a
 * class-prior shift (half the rows of the most frequent class knocked out), and a trivial
 * 0.05 sd mean shift that no one should page for but large-sample p-values flag.
 */
import type { Batch, Dataset } from './dataset.js';
import type { Random } from './Random.js';

/** What a shift needs to know about the reference distribution. */
export interface ShiftContext {
  /** The dataset. */
  dataset: Dataset;
  /** Standard deviation of every numeric feature in the reference. */
  sd: Record<string, number>;
  /** Median of the shifted numeric feature in the reference. */
  median: number;
  /** Most frequent category of the shifted categorical feature. */
  topCategory: string;
  /** Most frequent class. */
  topClass: string;
}

/** One shift: an optional row filter while sampling and an optional in-place change after. */
export interface Shift {
  /** Stable id (used in seeds, so renaming one changes its numbers). */
  id: string;
  /** Row label in the tables. */
  label: string;
  /** Whether the study's "must catch at n ≥ 100" goal applies to it. */
  large: boolean;
  /** Row filter for the sampler (class-prior shifts). */
  accept?: (ctx: ShiftContext, rng: Random) => (classValue: string | null) => boolean;
  /** Changes the window in place. */
  apply?: (b: Batch, ctx: ShiftContext, rng: Random) => void;
}

function gaussian(sigma: number, delta: number): Shift {
  return {
    id: `noise_s${sigma}_d${delta}`,
    label: `Gaussian noise σ=${sigma}·sd on ${delta * 100}% of rows`,
    large: sigma >= 10,
    apply(b, ctx, rng) {
      const rows = rng.choose(b.n, Math.round(delta * b.n));
      for (const f of ctx.dataset.numeric) {
        const col = b.numeric[f] as Float64Array;
        const scale = sigma * (ctx.sd[f] ?? 0);
        for (const r of rows) col[r] = (col[r] as number) + scale * rng.normal();
      }
    },
  };
}

/** Every shift of the study, `none` first. */
export function allShifts(): Shift[] {
  const noise: Shift[] = [];
  for (const sigma of [0.1, 1, 10]) for (const delta of [0.1, 0.5, 1]) noise.push(gaussian(sigma, delta));
  return [
    { id: 'none', label: 'no shift', large: false },
    ...noise,
    {
      id: 'unit_x1000',
      label: 'unit change ×1000 on one feature',
      large: true,
      apply(b, ctx) {
        const col = b.numeric[ctx.dataset.shiftNumeric] as Float64Array;
        for (let r = 0; r < b.n; r++) col[r] = (col[r] as number) * 1000;
      },
    },
    nulls(0.05),
    nulls(0.5),
    {
      id: 'rename',
      label: 'most frequent category renamed',
      large: true,
      apply(b, ctx) {
        const col = b.categorical[ctx.dataset.shiftCategorical] as (string | null)[];
        const renamed = `${ctx.topCategory}_v2`;
        for (let r = 0; r < b.n; r++) if (col[r] === ctx.topCategory) col[r] = renamed;
      },
    },
    {
      id: 'stuck',
      label: 'one feature stuck at its median',
      large: false,
      apply(b, ctx) {
        const col = b.numeric[ctx.dataset.shiftNumeric] as Float64Array;
        for (let r = 0; r < b.n; r++) if (!Number.isNaN(col[r])) col[r] = ctx.median;
      },
    },
    {
      id: 'knockout',
      label: 'class prior: 50% of the top class knocked out',
      large: false,
      accept: (ctx, rng) => (c) => c !== ctx.topClass || rng.next() >= 0.5,
    },
    newCategory(0.05),
    newCategory(0.2),
    {
      id: 'none_repeated',
      label: 'no shift, rows repeated: each record fans out to 4 rows (a one-to-many join)',
      large: false,
      apply(b) {
        // Row r becomes a copy of row r − r mod 4: n/4 records, each 4 times.
        for (const col of Object.values(b.numeric))
          for (let r = 0; r < b.n; r++) col[r] = col[r - (r % 4)] as number;
        for (const col of Object.values(b.categorical))
          for (let r = 0; r < b.n; r++) col[r] = col[r - (r % 4)] ?? null;
      },
    },
    {
      id: 'mean_0.05sd',
      label: 'trivial: one feature +0.05 sd',
      large: false,
      apply(b, ctx) {
        const f = ctx.dataset.shiftNumeric;
        const col = b.numeric[f] as Float64Array;
        const d = 0.05 * (ctx.sd[f] ?? 0);
        for (let r = 0; r < b.n; r++) col[r] = (col[r] as number) + d;
      },
    },
  ];
}

/** A value the reference never had, in `share` of the rows of the long-tailed column. */
function newCategory(share: number): Shift {
  return {
    id: `new_category_${share * 100}`,
    label: `new category in ${share * 100}% of rows of a long-tailed feature`,
    large: share >= 0.2,
    apply(b, ctx, rng) {
      const col = b.categorical[ctx.dataset.longTail ?? ctx.dataset.shiftCategorical] as (string | null)[];
      for (let r = 0; r < b.n; r++) if (rng.next() < share) col[r] = 'NEW-VALUE';
    },
  };
}

/** Shifts that change nothing about the distribution: their windows count as false alarms. */
export const CLEAN_SHIFTS: ReadonlySet<string> = new Set(['none', 'none_repeated']);

function nulls(share: number): Shift {
  return {
    id: `nulls_${share * 100}`,
    label: `${share * 100}% nulls injected into one feature`,
    large: share >= 0.5,
    apply(b, ctx, rng) {
      const col = b.numeric[ctx.dataset.shiftNumeric] as Float64Array;
      for (let r = 0; r < b.n; r++) if (rng.next() < share) col[r] = Number.NaN;
    },
  };
}

/** Reference statistics a shift needs, measured on a reference sample. */
export function shiftContext(dataset: Dataset, ref: Batch): ShiftContext {
  const sd: Record<string, number> = {};
  for (const f of dataset.numeric) {
    const xs = [...(ref.numeric[f] as Float64Array)].filter((x) => !Number.isNaN(x));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    sd[f] = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  }
  const target = [...(ref.numeric[dataset.shiftNumeric] as Float64Array)]
    .filter((x) => !Number.isNaN(x))
    .sort((a, b) => a - b);
  const top = (col: string): string => {
    const counts = new Map<string, number>();
    for (const v of ref.categorical[col] ?? []) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? '';
  };
  return {
    dataset,
    sd,
    median: target[Math.floor(target.length / 2)] ?? 0,
    topCategory: top(dataset.shiftCategorical),
    topClass: top(dataset.classColumn),
  };
}
