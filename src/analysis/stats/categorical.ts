/**
 * Statistics comparing two category-count vectors aligned on the same categories:
 * the chi-square test of homogeneity (significance) and the Jensen–Shannon distance
 * (effect size, bounded in [0, 1], symmetric and defined when a category is absent on
 * one side, unlike KL divergence).
 */
import { chiSquareSurvival } from './gamma.js';

/** Result of {@link chiSquareHomogeneity}. */
export interface ChiSquareResult {
  /** Pearson's X² statistic. */
  statistic: number;
  /** Degrees of freedom (cells used − 1). */
  df: number;
  /** P(χ²_df ≥ X²). */
  pValue: number;
  /** Categories pooled into one cell because their expected counts were below 5. */
  pooled: number;
}

/** Expected count under which Cochran's rule says the chi-square approximation fails. */
const MIN_EXPECTED = 5;

/**
 * Chi-square test that two samples (counts per category, same order) come from one
 * categorical distribution. Categories with an expected count below 5 on either side are
 * pooled into one cell so sparse tails do not inflate X².
 */
export function chiSquareHomogeneity(
  reference: readonly number[],
  current: readonly number[],
): ChiSquareResult {
  if (reference.length !== current.length) {
    throw new RangeError(
      `chiSquareHomogeneity: reference has ${reference.length} categories, current has ${current.length}`,
    );
  }
  const n1 = reference.reduce((s, x) => s + x, 0);
  const n2 = current.reduce((s, x) => s + x, 0);
  const total = n1 + n2;
  if (!(n1 > 0 && n2 > 0)) return { statistic: 0, df: 0, pValue: 1, pooled: 0 };
  const cells: [number, number][] = [];
  let pooledRef = 0;
  let pooledCur = 0;
  let pooled = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i] as number;
    const c = current[i] as number;
    const column = r + c;
    if (column === 0) continue;
    if ((column * Math.min(n1, n2)) / total < MIN_EXPECTED) {
      pooledRef += r;
      pooledCur += c;
      pooled++;
    } else {
      cells.push([r, c]);
    }
  }
  if (pooledRef + pooledCur > 0) {
    // The pooled cell itself may still be sparse (one rare category seen once in a small
    // window: expected 0.06, X² term ≈ 16); then it joins the smallest remaining cell.
    const smallest = cells.reduce<[number, number] | undefined>(
      (best, cell) => (best === undefined || cell[0] + cell[1] < best[0] + best[1] ? cell : best),
      undefined,
    );
    const sparse = ((pooledRef + pooledCur) * Math.min(n1, n2)) / total < MIN_EXPECTED;
    if (sparse && smallest !== undefined) {
      smallest[0] += pooledRef;
      smallest[1] += pooledCur;
    } else {
      cells.push([pooledRef, pooledCur]);
    }
  }
  if (cells.length < 2) return { statistic: 0, df: 0, pValue: 1, pooled };
  let statistic = 0;
  for (const [r, c] of cells) {
    const column = r + c;
    const e1 = (column * n1) / total;
    const e2 = (column * n2) / total;
    statistic += ((r - e1) * (r - e1)) / e1 + ((c - e2) * (c - e2)) / e2;
  }
  const df = cells.length - 1;
  return { statistic, df, pValue: chiSquareSurvival(statistic, df), pooled };
}

function normalize(values: readonly number[]): number[] {
  const total = values.reduce((s, x) => s + Math.max(0, x), 0);
  return values.map((x) => (total > 0 ? Math.max(0, x) / total : 0));
}

/**
 * Jensen–Shannon distance (square root of the JS divergence in bits) between two count
 * or probability vectors over the same categories: 0 for equal, 1 for disjoint supports.
 */
export function jensenShannonDistance(p: readonly number[], q: readonly number[]): number {
  if (p.length !== q.length) {
    throw new RangeError(`jensenShannonDistance: p has ${p.length} categories, q has ${q.length}`);
  }
  const a = normalize(p);
  const b = normalize(q);
  let divergence = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    const mid = (x + y) / 2;
    if (x > 0) divergence += 0.5 * x * Math.log2(x / mid);
    if (y > 0) divergence += 0.5 * y * Math.log2(y / mid);
  }
  return Math.sqrt(Math.min(1, Math.max(0, divergence)));
}
