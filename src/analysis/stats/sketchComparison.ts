/**
 * Two-sample statistics computed from two bucketed samples (quantile sketches), never
 * from raw values: the KS distance with rigorous bounds, PSI on the reference's quantile
 * bins and the Wasserstein-1 distance. See `binnedCdf.ts` for what a bucket guarantees.
 */
import { alignCdfs, type Bucket, bucketQuantile, cdfAtPoints, normalizeBuckets } from './binnedCdf.js';
import { chiSquareSurvival } from './gamma.js';

/** KS distance between two sketches, bracketed by what the buckets allow. */
export interface BinnedKs {
  /**
   * The binned distance: max |F_a − F_b| over boundaries where neither sketch has a bucket
   * straddling the point (every boundary, for two aligned sketches), plus interval bounds
   * elsewhere. It is a lower bound: d ≤ true D, so sketch error can only hide a shift,
   * never invent one.
   */
  d: number;
  /** Upper bound of the true D: every value may sit anywhere in its bucket. */
  dUpper: number;
  /** dUpper − d: the sketches' own rank error, as a fraction of the sample. */
  rankError: number;
  /** Values in the first sample. */
  n: number;
  /** Values in the second sample. */
  m: number;
}

/** KS distance of two bucketed samples with the bracket [d, dUpper] containing the true D. */
export function binnedKs(first: readonly Bucket[], second: readonly Bucket[]): BinnedKs {
  const { points, ca, cb } = alignCdfs(first, second);
  const n = ca.total;
  const m = cb.total;
  if (n === 0 || m === 0) return { d: 0, dUpper: 0, rankError: 0, n, m };
  let d = 0;
  let dUpper = 0;
  for (let i = 0; i < points.length; i++) {
    const belowA = (ca.below[i] as number) / n;
    const belowB = (cb.below[i] as number) / m;
    const atMostA = (ca.atMost[i] as number) / n;
    const atMostB = (cb.atMost[i] as number) / m;
    if (ca.interior[i] === 0 && cb.interior[i] === 0) d = Math.max(d, Math.abs(belowA - belowB));
    d = Math.max(d, belowA - atMostB, belowB - atMostA);
    dUpper = Math.max(dUpper, atMostA - belowB, atMostB - belowA);
  }
  dUpper = Math.max(dUpper, d);
  return { d, dUpper, rankError: dUpper - d, n, m };
}

/** Population stability index on the reference's quantile bins. */
export interface BinnedPsi {
  /** Σ (q_i − p_i)·ln(q_i / p_i) over bins, with p the reference share and q the current share. */
  psi: number;
  /** Bins used (fewer than asked when the reference has ties or few buckets). */
  bins: number;
  /**
   * Approximate p-value: under no change PSI·n·m/(n+m) is approximately χ² with bins − 1
   * degrees of freedom (PSI is Jeffreys' divergence, whose local expansion is Pearson's X²).
   */
  pValue: number;
  /** Reference share per bin. */
  reference: number[];
  /** Current share per bin. */
  current: number[];
  /** Upper edges of all bins but the last (which is open above), ascending. */
  edges: number[];
}

/**
 * PSI with bin edges at the reference's quantiles, snapped to reference bucket boundaries
 * so both sides' bin counts are exact when the sketches are aligned. Shares are smoothed
 * by half a count per bin so an empty bin gives a large but finite term.
 */
export function binnedPsi(reference: readonly Bucket[], current: readonly Bucket[], bins = 10): BinnedPsi {
  const ref = normalizeBuckets(reference);
  const cur = normalizeBuckets(current);
  const n = ref.reduce((s, x) => s + x.count, 0);
  const m = cur.reduce((s, x) => s + x.count, 0);
  if (n === 0 || m === 0) return { psi: 0, bins: 0, pValue: 1, reference: [], current: [], edges: [] };
  const edges: number[] = [];
  let seen = 0;
  let next = 1;
  for (const bucket of ref) {
    seen += bucket.count;
    while (next < bins && seen >= (next * n) / bins) {
      if (edges[edges.length - 1] !== bucket.upper) edges.push(bucket.upper);
      next++;
    }
  }
  const refCdf = cdfAtPoints(ref, edges);
  const curCdf = cdfAtPoints(cur, edges);
  const refCounts: number[] = [];
  const curCounts: number[] = [];
  let prevRef = 0;
  let prevCur = 0;
  for (let i = 0; i < edges.length; i++) {
    const r = refCdf.below[i] as number;
    // An edge inside a current bucket happens only for unaligned sketches: split it linearly.
    const c = curCdf.interior[i] === 0 ? (curCdf.below[i] as number) : (curCdf.linear[i] as number);
    refCounts.push(r - prevRef);
    curCounts.push(c - prevCur);
    prevRef = r;
    prevCur = c;
  }
  refCounts.push(n - prevRef);
  curCounts.push(m - prevCur);
  const k = refCounts.length;
  const p = refCounts.map((c) => (c + 0.5) / (n + 0.5 * k));
  const q = curCounts.map((c) => (Math.max(0, c) + 0.5) / (m + 0.5 * k));
  const psi = populationStabilityIndex(p, q);
  const pValue = k > 1 ? chiSquareSurvival((psi * n * m) / (n + m), k - 1) : 1;
  return { psi, bins: k, pValue, reference: p, current: q, edges };
}

/** PSI of two share vectors over the same bins: Σ (q − p)·ln(q / p). Shares must be > 0. */
export function populationStabilityIndex(reference: readonly number[], current: readonly number[]): number {
  if (reference.length !== current.length) {
    throw new RangeError(
      `populationStabilityIndex: ${reference.length} reference bins vs ${current.length} current`,
    );
  }
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const p = reference[i] as number;
    const q = current[i] as number;
    if (!(p > 0 && q > 0))
      throw new RangeError(`populationStabilityIndex: bin ${i} has a share ≤ 0 (${p}, ${q})`);
    psi += (q - p) * Math.log(q / p);
  }
  return psi;
}

/** Wasserstein-1 distance between two bucketed samples. */
export interface BinnedWasserstein {
  /** ∫|F_a − F_b| dx with values spread uniformly inside their buckets. */
  distance: number;
  /** Bound on |distance − true W1|: half the mean bucket width, summed over both samples. */
  error: number;
}

function integrateAbsLinear(g0: number, g1: number, width: number): number {
  if (g0 === 0 && g1 === 0) return 0;
  if (g0 * g1 >= 0) return (width * (Math.abs(g0) + Math.abs(g1))) / 2;
  // The difference crosses zero inside the segment: two triangles.
  return (width * (g0 * g0 + g1 * g1)) / (2 * (Math.abs(g0) + Math.abs(g1)));
}

function meanHalfWidth(buckets: readonly Bucket[], total: number): number {
  let sum = 0;
  for (const b of buckets) sum += b.count * (b.upper - b.lower);
  return total > 0 ? sum / (2 * total) : 0;
}

/** W1 between two bucketed samples, integrating the piecewise-linear CDF difference exactly. */
export function binnedWasserstein(first: readonly Bucket[], second: readonly Bucket[]): BinnedWasserstein {
  const { a, b, points, ca, cb } = alignCdfs(first, second);
  const n = ca.total;
  const m = cb.total;
  if (n === 0 || m === 0) return { distance: 0, error: 0 };
  let distance = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const g0 = (ca.linear[i] as number) / n - (cb.linear[i] as number) / m;
    const g1 =
      ((ca.linear[i + 1] as number) - (ca.jump[i + 1] as number)) / n -
      ((cb.linear[i + 1] as number) - (cb.jump[i + 1] as number)) / m;
    distance += integrateAbsLinear(g0, g1, (points[i + 1] as number) - (points[i] as number));
  }
  return { distance, error: meanHalfWidth(a, n) + meanHalfWidth(b, m) };
}

/** Interquartile range of a bucketed sample (NaN when empty). */
export function bucketIqr(buckets: readonly Bucket[]): number {
  const sorted = normalizeBuckets(buckets);
  return bucketQuantile(sorted, 0.75) - bucketQuantile(sorted, 0.25);
}
