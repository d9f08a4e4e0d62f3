/**
 * Cumulative counts of a bucketed sample (a quantile sketch's `buckets()`) at chosen
 * points. Every value is only known to lie in its bucket's closed interval [lower, upper],
 * so at a point p the true count of values ≤ p lies between
 *   below(p)  = Σ count of buckets with upper ≤ p   (surely ≤ p), and
 *   atMost(p) = Σ count of buckets with lower ≤ p   (possibly ≤ p).
 * Between two consecutive boundaries both sums are constant, so these bounds also hold
 * on the open segment after p. A point strictly inside no bucket is "clean": there
 * below(p) is the exact count of values ≤ p (or < p, for a sketch whose buckets are closed
 * on the left — the same for both sides of a comparison, which is all KS needs).
 *
 * Assumes one sample's buckets do not overlap, which holds for a relative-accuracy sketch
 * except after it collapsed its smallest magnitudes (beyond a 2^41 dynamic range).
 */

/** A bucket of values with known bounds and an exact count. */
export interface Bucket {
  /** Lower boundary. */
  lower: number;
  /** Upper boundary. */
  upper: number;
  /** Values in the bucket. */
  count: number;
}

/** Cumulative counts at sorted points; see the file comment for the meaning of each. */
export interface CdfAtPoints {
  /** Values surely ≤ p. */
  below: Float64Array;
  /** Values possibly ≤ p. */
  atMost: Float64Array;
  /** Mass of buckets with lower < p < upper (0 at a clean point). */
  interior: Float64Array;
  /** Right-continuous CDF count at p with values spread uniformly inside each bucket. */
  linear: Float64Array;
  /** Mass of zero-width buckets sitting exactly at p (a jump of the linear CDF at p). */
  jump: Float64Array;
  /** Total count. */
  total: number;
}

/** Sorts and drops empty buckets without mutating the input. */
export function normalizeBuckets(buckets: readonly Bucket[]): Bucket[] {
  const out = buckets.filter((b) => b.count > 0);
  // A sketch's buckets() are already in order; only sort (with a comparator, slow) when not.
  return isSorted(out, (b) => b.lower) ? out : out.sort((x, y) => x.lower - y.lower || x.upper - y.upper);
}

function isSorted(buckets: readonly Bucket[], key: (b: Bucket) => number): boolean {
  for (let i = 1; i < buckets.length; i++) {
    if (key(buckets[i] as Bucket) < key(buckets[i - 1] as Bucket)) return false;
  }
  return true;
}

/** Sorted distinct boundaries of one or more bucket lists. */
export function unionBoundaries(...lists: (readonly Bucket[])[]): number[] {
  let size = 0;
  for (const list of lists) size += 2 * list.length;
  const all = new Float64Array(size);
  let k = 0;
  for (const list of lists) {
    for (const b of list) {
      all[k++] = b.lower;
      all[k++] = b.upper;
    }
  }
  // Typed-array sort is numeric and far faster than Array#sort with a comparator.
  all.sort();
  const out: number[] = [];
  for (let i = 0; i < all.length; i++) {
    if (i === 0 || all[i] !== all[i - 1]) out.push(all[i] as number);
  }
  return out;
}

/** Cumulative counts of sorted, non-overlapping `buckets` at ascending `points`, in one sweep. */
export function cdfAtPoints(buckets: readonly Bucket[], points: readonly number[]): CdfAtPoints {
  const k = points.length;
  const out: CdfAtPoints = {
    below: new Float64Array(k),
    atMost: new Float64Array(k),
    interior: new Float64Array(k),
    linear: new Float64Array(k),
    jump: new Float64Array(k),
    total: buckets.reduce((s, b) => s + b.count, 0),
  };
  const byUpper = isSorted(buckets, (b) => b.upper)
    ? buckets
    : [...buckets].sort((x, y) => x.upper - y.upper);
  let lowerIndex = 0;
  let upperIndex = 0;
  let atMost = 0;
  let below = 0;
  for (let i = 0; i < k; i++) {
    const p = points[i] as number;
    while (lowerIndex < buckets.length && (buckets[lowerIndex] as Bucket).lower <= p) {
      atMost += (buckets[lowerIndex] as Bucket).count;
      lowerIndex++;
    }
    while (upperIndex < byUpper.length && (byUpper[upperIndex] as Bucket).upper <= p) {
      below += (byUpper[upperIndex] as Bucket).count;
      upperIndex++;
    }
    // Zero-width buckets at p (the zero bucket) make the linear CDF jump at p.
    let jump = 0;
    for (let j = lowerIndex - 1; j >= 0 && (buckets[j] as Bucket).lower === p; j--) {
      if ((buckets[j] as Bucket).upper === p) jump += (buckets[j] as Bucket).count;
    }
    let partial = 0;
    let interior = 0;
    // Non-overlapping buckets: only the last bucket starting before p can contain p inside.
    for (let j = lowerIndex - 1; j >= 0; j--) {
      const b = buckets[j] as Bucket;
      if (b.lower >= p) continue;
      if (b.upper > p) {
        interior += b.count;
        partial += (b.count * (p - b.lower)) / (b.upper - b.lower);
      }
      break;
    }
    out.below[i] = below;
    out.atMost[i] = atMost;
    out.interior[i] = interior;
    out.jump[i] = jump;
    out.linear[i] = below + partial;
  }
  return out;
}

/** Two bucketed samples on one grid, as the two-sample distances compare them. */
export interface AlignedCdfs {
  /** The first sample's buckets, normalized. */
  a: Bucket[];
  /** The second sample's buckets, normalized. */
  b: Bucket[];
  /** Every boundary of either sample, ascending. */
  points: number[];
  /** The first sample's cumulative counts at `points`. */
  ca: CdfAtPoints;
  /** The second sample's cumulative counts at `points`. */
  cb: CdfAtPoints;
}

/** Normalizes both samples and evaluates both CDFs at the union of their boundaries. */
export function alignCdfs(first: readonly Bucket[], second: readonly Bucket[]): AlignedCdfs {
  const a = normalizeBuckets(first);
  const b = normalizeBuckets(second);
  const points = unionBoundaries(a, b);
  return { a, b, points, ca: cdfAtPoints(a, points), cb: cdfAtPoints(b, points) };
}

/** Value at cumulative fraction q of a bucketed sample, linear inside the bucket reached. */
export function bucketQuantile(buckets: readonly Bucket[], q: number): number {
  const total = buckets.reduce((s, b) => s + b.count, 0);
  if (total === 0 || Number.isNaN(q)) return Number.NaN;
  const target = Math.min(1, Math.max(0, q)) * total;
  let seen = 0;
  for (const b of buckets) {
    if (seen + b.count >= target) {
      const within = b.count > 0 ? (target - seen) / b.count : 0;
      return b.lower + (b.upper - b.lower) * within;
    }
    seen += b.count;
  }
  return (buckets[buckets.length - 1] as Bucket).upper;
}
