/**
 * The reference method of the study: the two-sample Kolmogorov–Smirnov test on the raw rows
 * of every feature, Bonferroni-corrected across features (Rabanser et al.'s best univariate
 * detector). A window is "detected" when some feature has p < α/k.
 *
 * Raw rows include nulls, which a pure KS would drop: a null is coded as −∞ so a rise in
 * nulls moves the empirical CDF by the change in null rate. Categorical values are coded by
 * reference frequency rank (null −1, categories the reference never had after all known
 * ones); KS on such codes is a valid, if order-dependent and with ties conservative, test.
 * Columns a table marks as not rank-codable (ID-like, date-like and long-tailed columns, where
 * most window values are unseen in any finite reference and would all be coded past the known
 * ones) are left out: on them the coded KS rejects almost every clean window.
 */
import { ksTwoSampleExact } from '../../src/analysis/stats/ksTwoSampleExact.js';
import type { Batch, Dataset } from './dataset.js';

/** Outcome of the reference method on one window. */
export interface KsVerdict {
  /** Whether some feature's p-value is below α/k. */
  detected: boolean;
  /** Smallest raw p-value and its feature. */
  minP: number;
  /** The feature with the smallest p-value. */
  feature: string;
  /** Features tested (the Bonferroni divisor), so the verdict can be read at another level. */
  tests: number;
}

function numericCodes(col: Float64Array): Float64Array {
  const out = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) {
    const x = col[i] as number;
    out[i] = Number.isNaN(x) ? Number.NEGATIVE_INFINITY : x;
  }
  return out;
}

/** Raw reference rows prepared once (coded and sorted) and tested against many windows. */
export class KsBonferroni {
  private readonly numeric = new Map<string, Float64Array>();
  private readonly categorical = new Map<string, { codes: Float64Array; rank: Map<string, number> }>();

  /**
   * @param dataset which columns to test.
   * @param reference the raw reference rows.
   * @param alpha family-wise level (Bonferroni over all features).
   * @param exactLimit largest n·m whose p-value is computed exactly (see `ksTwoSampleExact`).
   */
  constructor(
    dataset: Dataset,
    reference: Batch,
    private readonly alpha: number,
    private readonly exactLimit: number,
  ) {
    for (const f of dataset.numeric)
      this.numeric.set(f, numericCodes(reference.numeric[f] as Float64Array).sort());
    for (const f of dataset.categorical) {
      if (dataset.ksExclude?.includes(f)) continue;
      const col = reference.categorical[f] as (string | null)[];
      const counts = new Map<string, number>();
      for (const v of col) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
      const rank = new Map(
        [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([v], i) => [v, i]),
      );
      this.categorical.set(f, { codes: this.codes(col, rank).sort(), rank });
    }
  }

  /** Tests every feature of the window against the reference. */
  judge(window: Batch): KsVerdict {
    const k = this.numeric.size + this.categorical.size;
    let minP = 1;
    let feature = '';
    const test = (name: string, ref: Float64Array, cur: Float64Array) => {
      const p = ksTwoSampleExact(ref, cur, { exactLimit: this.exactLimit }).pValue;
      if (p < minP) {
        minP = p;
        feature = name;
      }
    };
    for (const [f, ref] of this.numeric) test(f, ref, numericCodes(window.numeric[f] as Float64Array));
    for (const [f, ref] of this.categorical)
      test(f, ref.codes, this.codes(window.categorical[f] as (string | null)[], ref.rank));
    return { detected: minP < this.alpha / k, minP, feature, tests: k };
  }

  private codes(col: readonly (string | null)[], rank: ReadonlyMap<string, number>): Float64Array {
    const unseen = new Map<string, number>();
    const out = new Float64Array(col.length);
    for (let i = 0; i < col.length; i++) {
      const v = col[i];
      if (v === null || v === undefined) {
        out[i] = -1;
        continue;
      }
      let c = rank.get(v) ?? unseen.get(v);
      if (c === undefined) {
        c = rank.size + unseen.size;
        unseen.set(v, c);
      }
      out[i] = c;
    }
    return out;
  }
}
