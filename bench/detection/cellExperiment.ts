/**
 * The power study for one dataset: for every shift and window size, draw windows, shift
 * them, and ask both methods whether they see it. References rotate over a few fixed
 * reference samples (a fixed training set per rotation, as in production), so a result is
 * not the luck of one reference.
 */
import type { DetectorsConfig } from '../../src/analysis/detectors/index.js';
import type { Dataset } from './dataset.js';
import { KsBonferroni } from './KsBonferroni.js';
import { FDR_LEVELS, MlobsJudge, profileOf } from './MlobsJudge.js';
import { Random, seedOf } from './Random.js';
import { allShifts, CLEAN_SHIFTS, type ShiftContext, shiftContext } from './shifts.js';

/** How much to run. */
export interface Plan {
  /** Window sizes. */
  sizes: number[];
  /** Unshifted windows per size. */
  unshiftedRuns: (n: number) => number;
  /** Shifted windows per shift and size. */
  shiftedRuns: (n: number) => number;
  /** Rows of each reference sample. */
  referenceRows: number;
  /** Reference samples rotated over runs. */
  references: number;
  /** Profile segments per reference (for mlobs' calibration). */
  segments: number;
  /** Level of the reference method (Bonferroni family-wise). */
  alpha: number;
  /** Largest n·m with an exact KS p-value. */
  exactLimit: number;
  /** Shift ids to run (default all). */
  shiftIds?: string[];
  /** Detector settings for mlobs (default: the product defaults). */
  detectors?: DetectorsConfig;
}

/** The reference method at the false-alarm rate mlobs is held to (1%), read off the same p-values. */
export const MATCHED_KS_ALPHA = 0.01;

/** Counts for one (dataset, shift, n) cell. */
export interface CellResult {
  /** Dataset name. */
  dataset: string;
  /** Shift id. */
  shift: string;
  /** Window size. */
  n: number;
  /** Windows judged. */
  runs: number;
  /** Windows where mlobs made at least one finding. */
  mlobs: number;
  /** Windows where exact KS + Bonferroni rejected. */
  ks: number;
  /** Windows where exact KS + Bonferroni rejected at {@link MATCHED_KS_ALPHA}, mlobs' own false-alarm budget. */
  ksMatched: number;
  /** Windows where sketch p-values alone (BH, no effect floor) rejected. */
  naive: number;
  /** Per level of `FDR_LEVELS`: windows where mlobs with that FDR made a finding. */
  atLevels: number[];
  /** How often each `detector/statistic` produced a finding (the finding's decisive statistic). */
  fired: Record<string, number>;
  /** Windows in which each detector produced at least one finding. */
  detectors: Record<string, number>;
  /** Wall time of the cell, ms. */
  ms: number;
}

interface Side {
  judge: MlobsJudge;
  ks: KsBonferroni;
  ctx: ShiftContext;
}

/** Runs every cell of one dataset; `onCell` sees each result as it is done. */
export function runDataset(dataset: Dataset, plan: Plan, onCell?: (c: CellResult) => void): CellResult[] {
  const sides: Side[] = [];
  for (let k = 0; k < plan.references; k++) {
    const ref = dataset.sample(
      dataset.referenceRows ?? plan.referenceRows,
      new Random(seedOf(dataset.name, 'reference', k)),
    );
    sides.push({
      judge: new MlobsJudge(profileOf(ref, plan.segments), undefined, plan.detectors),
      ks: new KsBonferroni(dataset, ref, plan.alpha, plan.exactLimit),
      ctx: shiftContext(dataset, ref),
    });
  }
  const shifts = allShifts().filter((s) => plan.shiftIds === undefined || plan.shiftIds.includes(s.id));
  const out: CellResult[] = [];
  for (const n of plan.sizes) {
    for (const shift of shifts) {
      const started = performance.now();
      const runs = CLEAN_SHIFTS.has(shift.id) ? plan.unshiftedRuns(n) : plan.shiftedRuns(n);
      const cell: CellResult = {
        dataset: dataset.name,
        shift: shift.id,
        n,
        runs,
        mlobs: 0,
        ks: 0,
        ksMatched: 0,
        naive: 0,
        atLevels: FDR_LEVELS.map(() => 0),
        fired: {},
        detectors: {},
        ms: 0,
      };
      for (let r = 0; r < runs; r++) {
        const side = sides[r % sides.length] as Side;
        const rng = new Random(seedOf(dataset.name, shift.id, n, r));
        const window = dataset.sample(n, rng, shift.accept?.(side.ctx, rng));
        shift.apply?.(window, side.ctx, rng);
        const m = side.judge.judge(window);
        if (m.detected) cell.mlobs++;
        if (m.naive) cell.naive++;
        m.atLevels.forEach((hit, i) => {
          if (hit) cell.atLevels[i] = (cell.atLevels[i] ?? 0) + 1;
        });
        for (const key of new Set(m.fired)) cell.fired[key] = (cell.fired[key] ?? 0) + 1;
        for (const d of new Set(m.fired.map((k) => k.split('/')[0] as string)))
          cell.detectors[d] = (cell.detectors[d] ?? 0) + 1;
        const ks = side.ks.judge(window);
        if (ks.detected) cell.ks++;
        if (ks.minP < MATCHED_KS_ALPHA / ks.tests) cell.ksMatched++;
      }
      cell.ms = performance.now() - started;
      out.push(cell);
      onCell?.(cell);
    }
  }
  return out;
}
