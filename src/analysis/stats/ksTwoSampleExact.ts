/**
 * The two-sample Kolmogorov–Smirnov test on raw arrays: the reference method the
 * sketch-based distance is benchmarked against. D is exact (ties handled by moving past
 * every copy of a value before comparing). The p-value is exact for n·m up to
 * `exactLimit`, by the lattice-path recursion of Hodges (1958), and uses the Kolmogorov
 * distribution with Stephens' correction above it.
 */
import { ksPValue } from './kolmogorov.js';

/** Result of {@link ksTwoSampleExact}. */
export interface KsResult {
  /** sup |F_a − F_b| over all x. */
  d: number;
  /** P(D ≥ d) under the null of one continuous distribution. */
  pValue: number;
  /** Whether the p-value came from the exact recursion or the asymptotic tail. */
  method: 'exact' | 'asymptotic';
}

/** Options of {@link ksTwoSampleExact}. */
export interface KsExactOptions {
  /** Largest n·m computed exactly (the recursion costs n·m steps). Default 4 000 000. */
  exactLimit?: number;
}

function sortedCopy(values: ArrayLike<number>, name: string): Float64Array {
  const out = Float64Array.from(values);
  for (let i = 0; i < out.length; i++) {
    if (Number.isNaN(out[i])) throw new RangeError(`ksTwoSampleExact: ${name}[${i}] is NaN`);
  }
  return out.sort();
}

/** Largest |i·m − j·n| over the merged order, i.e. D·n·m as an integer (no rounding issues). */
function scaledDistance(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let best = 0;
  while (i < n || j < m) {
    const x = j >= m || (i < n && (a[i] as number) <= (b[j] as number)) ? (a[i] as number) : (b[j] as number);
    while (i < n && a[i] === x) i++;
    while (j < m && b[j] === x) j++;
    best = Math.max(best, Math.abs(i * m - j * n));
  }
  return best;
}

/**
 * P(max_k |i_k·m − j_k·n| ≥ bound) over uniformly random merge orders. It sums the
 * probability flowing out of the band instead of computing 1 − P(stay inside), so tiny
 * p-values keep their relative precision.
 */
function exactTail(n: number, m: number, bound: number): number {
  if (bound <= 0) return 1;
  const total = n + m;
  let row = new Float64Array(m + 1);
  let next = new Float64Array(m + 1);
  let escaped = 0;
  row[0] = 1;
  for (let i = 0; i <= n; i++) {
    next.fill(0);
    for (let j = 0; j <= m; j++) {
      const p = row[j] as number;
      if (p === 0) continue;
      const left = total - i - j;
      if (left === 0) continue;
      if (i < n) {
        const q = (p * (n - i)) / left;
        if (Math.abs((i + 1) * m - j * n) >= bound) escaped += q;
        else next[j] = (next[j] as number) + q;
      }
      if (j < m) {
        const q = (p * (m - j)) / left;
        if (Math.abs(i * m - (j + 1) * n) >= bound) escaped += q;
        else row[j + 1] = (row[j + 1] as number) + q;
      }
    }
    [row, next] = [next, row];
  }
  return Math.min(1, escaped);
}

/** Two-sample KS on raw values: exact D, exact p-value for small samples. Throws on NaN. */
export function ksTwoSampleExact(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: KsExactOptions = {},
): KsResult {
  const sa = sortedCopy(a, 'a');
  const sb = sortedCopy(b, 'b');
  const n = sa.length;
  const m = sb.length;
  if (n === 0 || m === 0) return { d: 0, pValue: 1, method: 'exact' };
  const scaled = scaledDistance(sa, sb);
  const d = scaled / (n * m);
  if (n * m <= (options.exactLimit ?? 4_000_000)) {
    return { d, pValue: exactTail(n, m, scaled), method: 'exact' };
  }
  return { d, pValue: ksPValue(d, n, m), method: 'asymptotic' };
}
