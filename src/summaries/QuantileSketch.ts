import type { ByteReader } from './ByteReader.js';
import type { ByteWriter } from './ByteWriter.js';
import { DenseStore } from './DenseStore.js';
import { BITS, HI, HI_SCALE, LO, LO_SCALE, LogLinearMapping, MIN_INDEXABLE } from './LogLinearMapping.js';
import { SummaryDecodeError } from './SummaryDecodeError.js';
import { SummaryMergeError } from './SummaryMergeError.js';

/** One bucket of a sketch and the exact number of values that fell in it. */
export interface SketchBucket {
  /** Lower boundary: exclusive for positive buckets, inclusive for negative ones and the zero bucket. */
  lower: number;
  /** Upper boundary: inclusive for positive buckets and the zero bucket, exclusive for negative ones. */
  upper: number;
  /** Exact number of values that fell in the bucket. */
  count: number;
}

/** Default relative accuracy α (1%). */
export const DEFAULT_RELATIVE_ACCURACY = 0.01;
/** Default maximum buckets per store (positive and negative each). */
export const DEFAULT_MAX_BUCKETS = 2048;

/**
 * DDSketch-style quantile sketch: log-spaced buckets with exact counts, a positive store, a
 * negative store and a zero bucket. Any quantile is returned within relative error α of the
 * exact value at rank ⌊q·(n−1)⌋, unless that rank fell into buckets collapsed because the data
 * spanned more than `maxBuckets` buckets (≈ 2^41 dynamic range at α = 1%). NaN and ±Infinity
 * are ignored (the owning summary counts them).
 */
export class QuantileSketch {
  /** Number of values added. */
  count = 0;
  /** Values with |x| ≤ 2^-1000 (including ±0 and subnormals). */
  zeroCount = 0;
  /** Index mapping; equal accuracies give identical mappings, hence aligned buckets. */
  readonly mapping: LogLinearMapping;
  /** Buckets of positive values. */
  positive: DenseStore;
  /** Buckets of negative values, indexed by magnitude. */
  negative: DenseStore;

  /**
   * @param relativeAccuracy α in (0, 0.5].
   * @param maxBuckets most buckets per store before the smallest magnitudes collapse.
   */
  constructor(
    readonly relativeAccuracy = DEFAULT_RELATIVE_ACCURACY,
    readonly maxBuckets = DEFAULT_MAX_BUCKETS,
  ) {
    if (!Number.isInteger(maxBuckets) || maxBuckets < 16) {
      throw new RangeError(`maxBuckets must be an integer ≥ 16, got ${maxBuckets}`);
    }
    this.mapping = LogLinearMapping.of(relativeAccuracy);
    this.positive = new DenseStore(maxBuckets);
    this.negative = new DenseStore(maxBuckets);
  }

  /** Adds one value; NaN and ±Infinity are ignored. */
  add(x: number): void {
    if (x > MIN_INDEXABLE) {
      if (x === Number.POSITIVE_INFINITY) return;
      this.positive.add(this.mapping.index(x));
    } else if (x < -MIN_INDEXABLE) {
      if (x === Number.NEGATIVE_INFINITY) return;
      this.negative.add(this.mapping.index(-x));
    } else if (!Number.isNaN(x)) {
      this.zeroCount++;
    } else {
      return;
    }
    this.count++;
  }

  /** Adds values[from, to) — the hot path: the index mapping and the store's fast case inlined. */
  addArray(values: ArrayLike<number>, from = 0, to = values.length): void {
    // Locals, not imported bindings: compiled imports are property reads on a module object.
    const f64 = BITS.f64;
    const u32 = BITS.u32;
    const hiWord = HI;
    const loWord = LO;
    const hiScale = HI_SCALE;
    const loScale = LO_SCALE;
    const minIndexable = MIN_INDEXABLE;
    const mult = this.mapping.multiplier;
    const pos = this.positive;
    const neg = this.negative;
    let added = 0;
    let zeros = 0;
    for (let k = from; k < to; k++) {
      const x = values[k];
      if (x > minIndexable) {
        if (x === Number.POSITIVE_INFINITY) continue;
        f64[0] = x;
        const i = Math.ceil((u32[hiWord] * hiScale + u32[loWord] * loScale) * mult);
        if (i >= pos.lo && i <= pos.hi) pos.counts[i - pos.offset]++;
        else pos.add(i);
      } else if (x < -minIndexable) {
        if (x === Number.NEGATIVE_INFINITY) continue;
        f64[0] = -x;
        const i = Math.ceil((u32[hiWord] * hiScale + u32[loWord] * loScale) * mult);
        if (i >= neg.lo && i <= neg.hi) neg.counts[i - neg.offset]++;
        else neg.add(i);
      } else if (!Number.isNaN(x)) {
        zeros++;
      } else {
        continue;
      }
      added++;
    }
    this.count += added;
    this.zeroCount += zeros;
  }

  /** Value at quantile q ∈ [0, 1] (rank ⌊q·(n−1)⌋), within relative error α; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0 || !(q >= 0 && q <= 1)) return Number.NaN;
    const rank = q * (this.count - 1);
    let seen = 0;
    const neg = this.negative;
    for (let i = neg.hi; i >= neg.lo; i--) {
      seen += neg.counts[i - neg.offset];
      if (seen > rank) return -this.mapping.value(i);
    }
    seen += this.zeroCount;
    if (seen > rank) return 0;
    const pos = this.positive;
    for (let i = pos.lo; i <= pos.hi; i++) {
      seen += pos.counts[i - pos.offset];
      if (seen > rank) return this.mapping.value(i);
    }
    return this.mapping.value(pos.hi);
  }

  /**
   * `quantile(q)` for each of `levels` (ascending), in one walk over the buckets instead of one
   * per level: the summary events report seven quantiles of every feature.
   */
  quantiles(levels: readonly number[]): number[] {
    const out = new Array<number>(levels.length).fill(Number.NaN);
    if (this.count === 0) return out;
    // Levels out of [0, 1] stay NaN, as quantile() returns for them: walk [k, end) only.
    let k = 0;
    while (k < levels.length && !(levels[k] >= 0)) k++;
    let end = levels.length;
    while (end > k && !(levels[end - 1] <= 1)) end--;
    let seen = 0;
    const last = this.count - 1;
    const neg = this.negative;
    for (let i = neg.hi; i >= neg.lo && k < end; i--) {
      const c = neg.counts[i - neg.offset];
      if (c === 0) continue;
      seen += c;
      if (seen <= levels[k] * last) continue;
      const v = -this.mapping.value(i);
      for (; k < end && seen > levels[k] * last; k++) out[k] = v;
    }
    seen += this.zeroCount;
    for (; k < end && seen > levels[k] * last; k++) out[k] = 0;
    const pos = this.positive;
    for (let i = pos.lo; i <= pos.hi && k < end; i++) {
      const c = pos.counts[i - pos.offset];
      if (c === 0) continue;
      seen += c;
      if (seen <= levels[k] * last) continue;
      const v = this.mapping.value(i);
      for (; k < end && seen > levels[k] * last; k++) out[k] = v;
    }
    for (; k < end; k++) out[k] = this.mapping.value(pos.hi);
    return out;
  }

  /**
   * Values in buckets lying entirely at or below x: a lower bound of the number of values ≤ x,
   * short by at most the count of x's own bucket, and exact at every `upper` returned by
   * `buckets()` (on the negative side, up to values exactly equal to a boundary double), unless
   * buckets were collapsed (values then sit in a higher bucket than their own). Two
   * sketches with the same accuracy share boundaries, so a binned KS test over them is exact.
   */
  rank(x: number): number {
    if (Number.isNaN(x)) return Number.NaN;
    const neg = this.negative;
    const m = this.mapping;
    if (x < -MIN_INDEXABLE) {
      if (x === Number.NEGATIVE_INFINITY) return 0;
      // Negative bucket j holds [-upper(j), -upper(j-1)): entirely ≤ x iff upper(j-1) ≥ -x iff j > index(-x).
      let r = 0;
      for (let i = neg.hi; i > Math.max(m.index(-x), neg.lo - 1); i--) r += neg.counts[i - neg.offset];
      return r;
    }
    let r = neg.total();
    // The zero bucket spans [-MIN_INDEXABLE, MIN_INDEXABLE].
    if (x < MIN_INDEXABLE) return r;
    r += this.zeroCount;
    if (x === MIN_INDEXABLE) return r;
    if (x === Number.POSITIVE_INFINITY) return this.count;
    const idx = m.index(x);
    // Bucket idx is (upper(idx-1), upper(idx)]: entirely ≤ x only when x is its upper boundary.
    const last = m.upperBound(idx) <= x ? idx : idx - 1;
    const pos = this.positive;
    for (let i = pos.lo; i <= Math.min(last, pos.hi); i++) r += pos.counts[i - pos.offset];
    return r;
  }

  /** Non-empty buckets in ascending value order with exact counts. */
  buckets(): SketchBucket[] {
    const out: SketchBucket[] = [];
    const m = this.mapping;
    const neg = this.negative;
    for (let i = neg.hi; i >= neg.lo; i--) {
      const c = neg.counts[i - neg.offset];
      if (c !== 0) {
        out.push({ lower: -m.upperBound(i), upper: -Math.max(m.upperBound(i - 1), MIN_INDEXABLE), count: c });
      }
    }
    if (this.zeroCount > 0) out.push({ lower: -MIN_INDEXABLE, upper: MIN_INDEXABLE, count: this.zeroCount });
    const pos = this.positive;
    for (let i = pos.lo; i <= pos.hi; i++) {
      const c = pos.counts[i - pos.offset];
      if (c !== 0)
        out.push({ lower: Math.max(m.upperBound(i - 1), MIN_INDEXABLE), upper: m.upperBound(i), count: c });
    }
    return out;
  }

  /** A new sketch holding both inputs' values: exact bucket-wise addition. */
  merge(other: QuantileSketch): QuantileSketch {
    if (other.relativeAccuracy !== this.relativeAccuracy || other.maxBuckets !== this.maxBuckets) {
      throw new SummaryMergeError(
        `cannot merge quantile sketches with different parameters: relativeAccuracy ${this.relativeAccuracy} vs ${other.relativeAccuracy}, maxBuckets ${this.maxBuckets} vs ${other.maxBuckets}`,
      );
    }
    const out = this.clone();
    out.positive.mergeFrom(other.positive);
    out.negative.mergeFrom(other.negative);
    out.zeroCount += other.zeroCount;
    out.count += other.count;
    return out;
  }

  /** Adds `other`'s values to this sketch in place (what `merge` returns, without a copy). */
  absorb(other: QuantileSketch): void {
    if (other.relativeAccuracy !== this.relativeAccuracy || other.maxBuckets !== this.maxBuckets) {
      throw new SummaryMergeError(
        `cannot merge quantile sketches with different parameters: relativeAccuracy ${this.relativeAccuracy} vs ${other.relativeAccuracy}, maxBuckets ${this.maxBuckets} vs ${other.maxBuckets}`,
      );
    }
    this.positive.mergeFrom(other.positive);
    this.negative.mergeFrom(other.negative);
    this.zeroCount += other.zeroCount;
    this.count += other.count;
  }

  /** Independent copy. */
  clone(): QuantileSketch {
    const copy = new QuantileSketch(this.relativeAccuracy, this.maxBuckets);
    copy.positive = this.positive.clone();
    copy.negative = this.negative.clone();
    copy.zeroCount = this.zeroCount;
    copy.count = this.count;
    return copy;
  }

  /** Appends the sketch: parameters, zero count, then each store's non-empty buckets as (index delta, count). */
  encode(w: ByteWriter): void {
    w.f64(this.relativeAccuracy);
    w.varint(this.maxBuckets);
    w.varint(this.zeroCount);
    encodeStore(w, this.positive);
    encodeStore(w, this.negative);
  }

  /** Reads a sketch written by `encode`; validates parameters and that bucket counts add up. */
  static decode(r: ByteReader): QuantileSketch {
    const alpha = r.f64('sketch relative accuracy');
    const maxBuckets = r.varint('sketch max buckets');
    if (!(alpha > 0 && alpha <= 0.5) || maxBuckets < 16 || maxBuckets > 1 << 20) {
      throw new SummaryDecodeError(
        `impossible sketch parameters: relativeAccuracy ${alpha}, maxBuckets ${maxBuckets}`,
      );
    }
    const s = new QuantileSketch(alpha, maxBuckets);
    s.zeroCount = r.varint('sketch zero count');
    const p = decodeStore(r, s.positive, 'positive');
    const n = decodeStore(r, s.negative, 'negative');
    s.count = s.zeroCount + p + n;
    return s;
  }
}

function encodeStore(w: ByteWriter, store: DenseStore): void {
  let n = 0;
  for (let i = store.lo; i <= store.hi; i++) if (store.counts[i - store.offset] !== 0) n++;
  w.varint(n);
  let prev = 0;
  let first = true;
  for (let i = store.lo; i <= store.hi; i++) {
    const c = store.counts[i - store.offset];
    if (c === 0) continue;
    if (first) w.zigzag(i);
    else w.varint(i - prev - 1);
    w.varint(c);
    prev = i;
    first = false;
  }
}

/** Decoded bucket indices and counts of one store, reused by every decode (it never yields). */
let scratchIndices = new Float64Array(256);
let scratchCounts = new Float64Array(256);

function decodeStore(r: ByteReader, store: DenseStore, which: string): number {
  const n = r.varint(`${which} bucket count`);
  if (n > store.maxBuckets) {
    throw new SummaryDecodeError(
      `impossible ${which} store: ${n} buckets exceeds maxBuckets ${store.maxBuckets}`,
    );
  }
  if (scratchIndices.length < n) {
    scratchIndices = new Float64Array(n);
    scratchCounts = new Float64Array(n);
  }
  // Labels built once per store, not once per bucket.
  const firstWhat = `${which} first index`;
  const deltaWhat = `${which} index delta`;
  const countWhat = `${which} bucket count`;
  const indices = scratchIndices;
  const counts = scratchCounts;
  let index = 0;
  let total = 0;
  let first = 0;
  for (let k = 0; k < n; k++) {
    index = k === 0 ? r.zigzag(firstWhat) : index + 1 + r.varint(deltaWhat);
    if (!(Math.abs(index) < 2 ** 31))
      throw new SummaryDecodeError(`impossible ${which} bucket index ${index}`);
    const c = r.varint(countWhat);
    if (c === 0) throw new SummaryDecodeError(`impossible ${which} store: empty bucket ${index} encoded`);
    if (k === 0) first = index;
    else if (index - first >= store.maxBuckets) {
      throw new SummaryDecodeError(`impossible ${which} store: index range exceeds maxBuckets`);
    }
    indices[k] = index;
    counts[k] = c;
    total += c;
  }
  store.fillAscending(indices, counts, n);
  return total;
}
