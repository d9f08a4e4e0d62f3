import type { ByteReader } from './ByteReader.js';
import type { ByteWriter } from './ByteWriter.js';
import { HyperLogLog } from './HyperLogLog.js';
import { hashNumber } from './hash.js';
import { DEFAULT_MAX_BUCKETS, DEFAULT_RELATIVE_ACCURACY, QuantileSketch } from './QuantileSketch.js';
import { SummaryDecodeError } from './SummaryDecodeError.js';

/** Parameters of a numeric summary's quantile sketch. */
export interface NumericOptions {
  /** Relative accuracy α of quantiles (default 0.01). */
  relativeAccuracy?: number;
  /** Maximum buckets per sign before the smallest magnitudes collapse (default 2048). */
  maxBuckets?: number;
}

/**
 * HyperLogLog precision of a numeric summary's distinct count: 2^8 registers (160 bytes
 * packed, sparse while few are set), 6.5% standard error: enough to tell a window whose
 * records fan out to 2 rows or more (a one-to-many join) from distinct rows, while a
 * 20-feature, 256-row batch event grows by about a quarter (p = 10 would double it). Fixed,
 * so every numeric summary merges with every other.
 */
export const NUMERIC_HLL_PRECISION = 8;

/** Values converted from plain arrays in chunks of this size, so there is no per-value allocation. */
const CHUNK = 4096;

/**
 * Mergeable summary of a numeric feature: counts, min/max, mean and population variance
 * (two-pass per batch, Chan et al. parallel merge across batches), and a relative-accuracy
 * quantile sketch. `count` is the number of finite values; NaN/null/undefined go to
 * `nullCount`, ±Infinity to `infiniteCount` (excluded from moments and sketch), values of
 * another type to `invalidCount`.
 */
export class NumericSummary {
  /** Discriminant of `FeatureSummary`. */
  readonly kind = 'numeric' as const;
  /** Finite values summarized. */
  count = 0;
  /** null, undefined and NaN. */
  nullCount = 0;
  /** Values of the wrong type (strings, booleans, objects...). */
  invalidCount = 0;
  /** ±Infinity. */
  infiniteCount = 0;
  /**
   * Finite values that are whole numbers (a precision change upstream shows as this share
   * falling); undefined for a summary decoded from format version 1, which did not count them.
   */
  integerCount: number | undefined = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;
  private mu = 0;
  private m2 = 0;
  /** Quantile sketch over the finite values. */
  sketch: QuantileSketch;
  /**
   * Distinct finite values (HyperLogLog); undefined for a summary decoded from format version
   * 2 or older, which did not count them, and for merges with one.
   */
  distinctCounter: HyperLogLog | undefined = new HyperLogLog(NUMERIC_HLL_PRECISION);
  private scratch: Float64Array | undefined;

  /**
   * @param options sketch parameters.
   * @param sketch a sketch to start from instead of an empty one (decoding: no sketch built to be replaced).
   */
  constructor(options: NumericOptions = {}, sketch?: QuantileSketch) {
    this.sketch =
      sketch ??
      new QuantileSketch(
        options.relativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY,
        options.maxBuckets ?? DEFAULT_MAX_BUCKETS,
      );
  }

  /** Smallest finite value; NaN when count is 0. */
  get min(): number {
    return this.count === 0 ? Number.NaN : this.lo;
  }

  /** Largest finite value; NaN when count is 0. */
  get max(): number {
    return this.count === 0 ? Number.NaN : this.hi;
  }

  /** Arithmetic mean of the finite values; NaN when count is 0. */
  get mean(): number {
    return this.count === 0 ? Number.NaN : this.mu;
  }

  /** Population variance (divides by n) of the finite values; NaN when count is 0, Infinity if it overflows. */
  get variance(): number {
    return this.count === 0 ? Number.NaN : Math.max(0, this.m2 / this.count);
  }

  /** Estimated distinct finite values, or undefined when the summary did not count them. */
  distinct(): number | undefined {
    return this.distinctCounter === undefined ? undefined : Math.round(this.distinctCounter.estimate());
  }

  /** Standard relative error of `distinct()`. */
  get distinctRelativeError(): number {
    return this.distinctCounter?.relativeError ?? 1;
  }

  /** Adds one value of any type, classifying it. */
  add(value: unknown): void {
    if (typeof value === 'number') this.addNumbers([value]);
    else if (value === null || value === undefined) this.nullCount++;
    else if (typeof value === 'bigint') this.addNumbers([Number(value)]);
    else this.invalidCount++;
  }

  /** Adds values of any type: numbers (and bigints) are summarized, the rest counted. */
  addValues(values: ArrayLike<unknown>): void {
    const n = values.length;
    if (this.scratch === undefined) this.scratch = new Float64Array(CHUNK);
    const buf = this.scratch;
    let fill = 0;
    for (let k = 0; k < n; k++) {
      const v = values[k];
      if (typeof v === 'number') buf[fill++] = v;
      else if (v === null || v === undefined) this.nullCount++;
      else if (typeof v === 'bigint') buf[fill++] = Number(v);
      else this.invalidCount++;
      if (fill === CHUNK) {
        this.addNumbers(buf, 0, fill);
        fill = 0;
      }
    }
    if (fill > 0) this.addNumbers(buf, 0, fill);
  }

  /** Adds numbers[from, to) — the fast path for typed arrays. */
  addNumbers(values: ArrayLike<number>, from = 0, to = values.length): void {
    let n = 0;
    let nulls = 0;
    let inf = 0;
    let ints = 0;
    let sum = 0;
    let lo = this.lo;
    let hi = this.hi;
    const hll = this.distinctCounter;
    for (let k = from; k < to; k++) {
      const x = values[k];
      if (x - x !== 0) {
        if (Number.isNaN(x)) nulls++;
        else inf++;
        continue;
      }
      n++;
      hll?.addHash(hashNumber(x));
      if (x === Math.floor(x)) ints++;
      sum += x;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    this.nullCount += nulls;
    this.infiniteCount += inf;
    if (this.integerCount !== undefined) this.integerCount += ints;
    if (n === 0) return;
    this.lo = lo;
    this.hi = hi;
    let mean = sum / n;
    if (!Number.isFinite(mean)) {
      // The plain sum overflowed (values near ±1e308): sum pre-divided terms instead.
      mean = 0;
      for (let k = from; k < to; k++) {
        const x = values[k];
        if (x - x === 0) mean += x / n;
      }
    }
    // Second pass over deviations, with the compensation term: stable even when |mean| ≫ σ.
    let m2 = 0;
    let dsum = 0;
    for (let k = from; k < to; k++) {
      const x = values[k];
      if (x - x !== 0) continue;
      const d = x - mean;
      dsum += d;
      m2 += d * d;
    }
    if (Number.isFinite(dsum)) {
      // (dsum/n)·dsum ≤ m2 cannot overflow when m2 is finite; an infinite m2 stays infinite.
      if (Number.isFinite(m2)) m2 = Math.max(0, m2 - (dsum / n) * dsum);
      mean += dsum / n;
    } else {
      // A deviation overflowed: the variance is beyond the largest double.
      m2 = Number.POSITIVE_INFINITY;
    }
    this.combine(n, mean, m2);
    this.sketch.addArray(values, from, to);
  }

  private combine(n: number, mean: number, m2: number): void {
    if (this.count === 0) {
      this.count = n;
      this.mu = mean;
      this.m2 = m2;
      return;
    }
    const total = this.count + n;
    const delta = mean - this.mu;
    if (!Number.isFinite(delta)) {
      // Means near ±1e308 of opposite signs: the weighted form cannot overflow, the spread does.
      this.mu = this.mu * (this.count / total) + mean * (n / total);
      this.m2 = Number.POSITIVE_INFINITY;
      this.count = total;
      return;
    }
    this.mu += (delta * n) / total;
    this.m2 += m2 + ((delta * delta * this.count) / total) * n;
    this.count = total;
  }

  /** Value at quantile q, within the sketch's relative accuracy and clamped to [min, max]. */
  quantile(q: number): number {
    const v = this.sketch.quantile(q);
    if (Number.isNaN(v)) return v;
    return Math.min(this.hi, Math.max(this.lo, v));
  }

  /** `quantile(q)` for each of `levels` (ascending), in one walk over the sketch. */
  quantiles(levels: readonly number[]): number[] {
    const out = this.sketch.quantiles(levels);
    for (let k = 0; k < out.length; k++) {
      if (!Number.isNaN(out[k])) out[k] = Math.min(this.hi, Math.max(this.lo, out[k]));
    }
    return out;
  }

  /**
   * `bins` equal-width bin counts between min and max, derived from the sketch by spreading
   * each bucket's exact count uniformly over its (clamped) interval; counts sum to `count`.
   */
  histogram(bins: number): number[] {
    const out = new Array<number>(bins).fill(0);
    if (this.count === 0 || bins <= 0) return out;
    const lo = this.lo;
    const width = (this.hi - lo) / bins;
    const mass = new Float64Array(bins);
    const binOf = (x: number) =>
      width > 0 ? Math.min(bins - 1, Math.max(0, Math.floor((x - lo) / width))) : 0;
    for (const b of this.sketch.buckets()) {
      const a = Math.max(lo, Math.min(b.lower, b.upper));
      const z = Math.min(this.hi, Math.max(b.lower, b.upper));
      if (!(z > a) || width === 0) {
        mass[binOf(Math.min(this.hi, Math.max(lo, a)))] += b.count;
        continue;
      }
      const first = binOf(a);
      const last = binOf(z);
      for (let j = first; j <= last; j++) {
        const overlap = Math.min(z, lo + (j + 1) * width) - Math.max(a, lo + j * width);
        if (overlap > 0) mass[j] += (b.count * overlap) / (z - a);
      }
    }
    // Round cumulatively so integer counts add up to exactly `count`.
    let cum = 0;
    let prev = 0;
    for (let j = 0; j < bins; j++) {
      cum += mass[j];
      const rounded = j === bins - 1 ? this.count : Math.min(this.count, Math.round(cum));
      out[j] = Math.max(0, rounded - prev);
      prev = Math.max(prev, rounded);
    }
    return out;
  }

  /** A new summary of both inputs (pure). */
  merge(other: NumericSummary): NumericSummary {
    const out = new NumericSummary();
    out.sketch = this.sketch.merge(other.sketch);
    out.nullCount = this.nullCount + other.nullCount;
    out.invalidCount = this.invalidCount + other.invalidCount;
    out.infiniteCount = this.infiniteCount + other.infiniteCount;
    out.integerCount =
      this.integerCount === undefined || other.integerCount === undefined
        ? undefined
        : this.integerCount + other.integerCount;
    out.distinctCounter =
      this.distinctCounter === undefined || other.distinctCounter === undefined
        ? undefined
        : this.distinctCounter.merge(other.distinctCounter);
    out.lo = Math.min(this.lo, other.lo);
    out.hi = Math.max(this.hi, other.hi);
    out.count = this.count;
    out.mu = this.mu;
    out.m2 = this.m2;
    if (other.count > 0) out.combine(other.count, other.mu, other.m2);
    return out;
  }

  /** Adds `other` to this summary in place: the same result as `merge`, without a new summary. */
  absorb(other: NumericSummary): void {
    this.sketch.absorb(other.sketch);
    this.nullCount += other.nullCount;
    this.invalidCount += other.invalidCount;
    this.infiniteCount += other.infiniteCount;
    this.integerCount =
      this.integerCount === undefined || other.integerCount === undefined
        ? undefined
        : this.integerCount + other.integerCount;
    // As in `merge`: the distinct count is known only when both sides counted.
    if (other.distinctCounter === undefined) this.distinctCounter = undefined;
    else this.distinctCounter?.absorb(other.distinctCounter);
    this.lo = Math.min(this.lo, other.lo);
    this.hi = Math.max(this.hi, other.hi);
    if (other.count > 0) this.combine(other.count, other.mu, other.m2);
  }

  /** Appends counts, moments and the sketch. */
  encode(w: ByteWriter): void {
    w.varint(this.count);
    w.varint(this.nullCount);
    w.varint(this.invalidCount);
    w.varint(this.infiniteCount);
    w.f64(this.lo);
    w.f64(this.hi);
    w.f64(this.mu);
    w.f64(this.m2);
    this.sketch.encode(w);
    // Since format version 2: the whole-number count, or count + 1 (impossible as a count) for
    // "unknown", which a summary decoded from version 1 writes.
    w.varint(this.integerCount ?? this.count + 1);
    // Since format version 3: 1 and the distinct counter, or 0 when it is unknown.
    if (this.distinctCounter === undefined) w.u8(0);
    else {
      w.u8(1);
      this.distinctCounter.encode(w);
    }
  }

  /** Reads a summary written by `encode`, rejecting impossible combinations. */
  static decode(r: ByteReader): NumericSummary {
    const count = r.varint('numeric count');
    const nullCount = r.varint('numeric null count');
    const invalidCount = r.varint('numeric invalid count');
    const infiniteCount = r.varint('numeric infinite count');
    const lo = r.f64('numeric min');
    const hi = r.f64('numeric max');
    const mu = r.f64('numeric mean');
    const m2 = r.f64('numeric m2');
    const s = new NumericSummary({}, QuantileSketch.decode(r));
    s.count = count;
    s.nullCount = nullCount;
    s.invalidCount = invalidCount;
    s.infiniteCount = infiniteCount;
    s.lo = lo;
    s.hi = hi;
    s.mu = mu;
    s.m2 = m2;
    if (r.formatVersion >= 2) {
      const ints = r.varint('numeric integer count');
      if (ints > s.count + 1)
        throw new SummaryDecodeError(`impossible counts: ${ints} whole numbers among ${s.count} values`);
      s.integerCount = ints === s.count + 1 ? undefined : ints;
    } else {
      s.integerCount = undefined;
    }
    s.distinctCounter = undefined;
    if (r.formatVersion >= 3) {
      const flag = r.u8('numeric distinct flag');
      if (flag > 1) throw new SummaryDecodeError(`impossible numeric distinct flag ${flag}`);
      if (flag === 1) {
        const hll = HyperLogLog.decode(r);
        if (hll.precision !== NUMERIC_HLL_PRECISION)
          throw new SummaryDecodeError(
            `numeric distinct counter of precision ${hll.precision}, expected ${NUMERIC_HLL_PRECISION}`,
          );
        s.distinctCounter = hll;
      }
    }
    if (s.sketch.count !== s.count) {
      throw new SummaryDecodeError(
        `impossible counts: numeric count ${s.count} but sketch holds ${s.sketch.count}`,
      );
    }
    if (s.count > 0 && !(s.lo <= s.hi && Number.isFinite(s.lo) && Number.isFinite(s.hi))) {
      throw new SummaryDecodeError(`impossible numeric range: min ${s.lo} > max ${s.hi}`);
    }
    if (s.count > 0 && !(Number.isFinite(s.mu) && s.m2 >= 0)) {
      throw new SummaryDecodeError(`impossible numeric moments: mean ${s.mu}, m2 ${s.m2}`);
    }
    return s;
  }
}
