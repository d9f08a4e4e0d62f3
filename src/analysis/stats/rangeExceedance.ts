/**
 * How many values of a new sample fall outside the range (min, max) of a reference sample
 * when both come from one continuous distribution. The range is itself random, so the
 * exceedances of the m new values are not independent: a reference whose extremes happen to
 * be mild lets several new values out at once. Exchangeability gives the exact law: of the
 * C(n+m, n) equally likely placements of the reference among the n+m ranks, those with a new
 * values below the reference minimum and b above its maximum number C(n+m−a−b−2, n−2), so
 *
 *   P(K = k) = (k + 1) · C(n + m − k − 2, n − 2) / C(n + m, n),   K = a + b.
 *
 * Ties (discrete data) only keep values inside the closed range, so the tail is conservative.
 */
import { logGamma } from './gamma.js';

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** log P(K = k) for k new values outside the range of n reference values (n ≥ 2, 0 ≤ k ≤ m). */
function logMass(k: number, n: number, m: number): number {
  return Math.log(k + 1) + logChoose(n + m - k - 2, n - 2) - logChoose(n + m, n);
}

/**
 * P(K ≥ k): the chance that at least `k` of `m` new values fall outside the closed range of
 * `n` reference values from the same continuous distribution. 1 when k ≤ 0 or n < 2 (a
 * reference of one value has no range to speak of).
 */
export function rangeExceedanceTail(k: number, n: number, m: number): number {
  if (k <= 0 || n < 2) return 1;
  if (k > m) return 0;
  // The mass falls monotonically in k (each step trades one inside placement for a ratio
  // below one once k ≥ 1), so summing from k upward until the terms vanish is exact to rounding.
  let sum = 0;
  for (let j = Math.ceil(k); j <= m; j++) {
    const term = Math.exp(logMass(j, n, m));
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.min(1, sum);
}

/** P(a given new value falls outside the range of n reference values) = 2/(n+1). */
export function rangeExceedanceRate(n: number): number {
  return n < 2 ? 1 : 2 / (n + 1);
}
