import type { ByteReader } from './ByteReader.js';
import type { ByteWriter } from './ByteWriter.js';
import { DEFAULT_HLL_PRECISION, HyperLogLog } from './HyperLogLog.js';
import { hashString } from './hash.js';
import { DEFAULT_TOP_K, MisraGries, type TopEntry } from './MisraGries.js';
import { SummaryDecodeError } from './SummaryDecodeError.js';
import { SummaryMergeError } from './SummaryMergeError.js';

/** Parameters of a categorical summary. */
export interface CategoricalOptions {
  /** Frequent-value counters kept (default 64); over-count ≤ n/(topK+1). */
  topK?: number;
  /** HyperLogLog precision p (default 12: 1.6% standard error). */
  hllPrecision?: number;
  /** Values longer than this many UTF-16 code units are truncated to it (default 256). */
  maxValueLength?: number;
}

/** Distinct values tallied exactly before being folded into the sketches. */
const FLUSH_SIZE = 4096;
const EMPTY_TALLIES = new Float64Array(0);

/**
 * Mergeable summary of a categorical feature: frequent values (Misra–Gries, reported counts
 * over-count by at most `topError` ≤ n/(k+1)), a HyperLogLog distinct estimate and counts.
 * Values are first tallied exactly in an interned table, so per value the cost is one Map
 * lookup; hashing and the top-k reduction happen once per distinct value per flush.
 */
export class CategoricalSummary {
  /** Discriminant of `FeatureSummary`. */
  readonly kind = 'categorical' as const;
  /** Values summarized. */
  count = 0;
  /** null, undefined and NaN. */
  nullCount = 0;
  /** Values of the wrong type (objects, arrays, numbers in an inferred-string column...). */
  invalidCount = 0;
  /** Longest value kept, in UTF-16 code units. */
  readonly maxValueLength: number;
  private mg: MisraGries;
  private distinctCounter: HyperLogLog;
  private slots = new Map<string, number>();
  private keys: string[] = [];
  // Grows from 64 to FLUSH_SIZE: most features have few distinct values, and summaries are also
  // created just to merge or decode, where a 32 KiB table per feature would dominate.
  private tallies = EMPTY_TALLIES;

  /**
   * @param options top-k, HyperLogLog and truncation parameters.
   * @param sketches sketches to start from instead of empty ones (decoding: none built to be replaced).
   */
  constructor(options: CategoricalOptions = {}, sketches?: { frequent: MisraGries; hll: HyperLogLog }) {
    this.mg = sketches?.frequent ?? new MisraGries(options.topK ?? DEFAULT_TOP_K);
    this.distinctCounter = sketches?.hll ?? new HyperLogLog(options.hllPrecision ?? DEFAULT_HLL_PRECISION);
    this.maxValueLength = options.maxValueLength ?? 256;
  }

  /**
   * Adds values: strings and booleans always; numbers and bigints only when `acceptNumbers`
   * (the feature was declared categorical), else they are invalid. NaN counts as null.
   */
  addValues(values: ArrayLike<unknown>, acceptNumbers = true): void {
    const slots = this.slots;
    let tallies = this.tallies;
    const max = this.maxValueLength;
    let count = 0;
    for (let k = 0; k < values.length; k++) {
      const v = values[k];
      let key: string;
      if (typeof v === 'string') key = v.length > max ? v.slice(0, max) : v;
      else if (v === null || v === undefined) {
        this.nullCount++;
        continue;
      } else if (typeof v === 'boolean') key = v ? 'true' : 'false';
      else if (acceptNumbers && typeof v === 'number') {
        if (Number.isNaN(v)) {
          this.nullCount++;
          continue;
        }
        key = String(v);
      } else if (acceptNumbers && typeof v === 'bigint') key = String(v);
      else {
        this.invalidCount++;
        continue;
      }
      let slot = slots.get(key);
      if (slot === undefined) {
        if (slots.size === FLUSH_SIZE) this.flush();
        slot = slots.size;
        if (slot === tallies.length) {
          const grown = new Float64Array(Math.min(FLUSH_SIZE, Math.max(64, tallies.length * 2)));
          grown.set(tallies);
          this.tallies = tallies = grown;
        }
        slots.set(key, slot);
        this.keys[slot] = key;
        tallies[slot] = 0;
      }
      tallies[slot]++;
      count++;
    }
    this.count += count;
  }

  /** Folds the exact tallies into the top-k and HyperLogLog sketches. */
  private flush(): void {
    const n = this.slots.size;
    if (n === 0) return;
    const entries: [string, number][] = new Array(n);
    for (let i = 0; i < n; i++) {
      const key = this.keys[i];
      entries[i] = [key, this.tallies[i]];
      this.distinctCounter.addHash(hashString(key, this.maxValueLength));
    }
    this.mg.addCounts(entries);
    this.slots.clear();
    this.keys.length = 0;
  }

  /** Frequent values with their over-count bound (pending tallies folded in first). */
  get frequent(): MisraGries {
    this.flush();
    return this.mg;
  }

  /** Distinct-value counter (pending tallies folded in first). */
  get hll(): HyperLogLog {
    this.flush();
    return this.distinctCounter;
  }

  /** Frequent values, descending; each count over-counts by at most `topError`. */
  top(): TopEntry[] {
    this.flush();
    return this.frequent.top();
  }

  /** Maximum over-count of any count in `top()` (≤ count/(topK+1)). */
  get topError(): number {
    this.flush();
    return this.frequent.error;
  }

  /** HyperLogLog estimate of distinct values, rounded. */
  distinct(): number {
    this.flush();
    return Math.round(this.hll.estimate());
  }

  /** Standard relative error of `distinct()`. */
  get distinctRelativeError(): number {
    return this.hll.relativeError;
  }

  /**
   * The same counts and distinct estimate with no values at all (an empty top list): what a
   * feature whose values must not leave the process still reports.
   */
  withoutValues(): CategoricalSummary {
    this.flush();
    const out = new CategoricalSummary({
      topK: this.frequent.k,
      hllPrecision: this.hll.precision,
      maxValueLength: this.maxValueLength,
    });
    out.distinctCounter = this.hll.merge(out.distinctCounter);
    out.count = this.count;
    out.nullCount = this.nullCount;
    out.invalidCount = this.invalidCount;
    return out;
  }

  /** A new summary of both inputs (pure). */
  merge(other: CategoricalSummary): CategoricalSummary {
    this.flush();
    other.flush();
    const out = new CategoricalSummary({
      topK: this.frequent.k,
      hllPrecision: this.hll.precision,
      maxValueLength: Math.min(this.maxValueLength, other.maxValueLength),
    });
    out.mg = this.frequent.merge(other.frequent);
    out.distinctCounter = this.hll.merge(other.hll);
    out.count = this.count + other.count;
    out.nullCount = this.nullCount + other.nullCount;
    out.invalidCount = this.invalidCount + other.invalidCount;
    return out;
  }

  /**
   * Adds `other` to this summary in place, the same result as `merge`; false (nothing
   * changed) when `other` truncates values shorter, which only `merge` can reconcile.
   */
  absorb(other: CategoricalSummary): boolean {
    if (other.maxValueLength < this.maxValueLength) return false;
    this.flush();
    other.flush();
    if (other.frequent.k !== this.frequent.k || other.hll.precision !== this.hll.precision) {
      throw new SummaryMergeError(
        `cannot merge categorical summaries with topK ${this.frequent.k} vs ${other.frequent.k}, precision ${this.hll.precision} vs ${other.hll.precision}`,
      );
    }
    this.mg.absorb(other.frequent);
    this.distinctCounter.absorb(other.hll);
    this.count += other.count;
    this.nullCount += other.nullCount;
    this.invalidCount += other.invalidCount;
    return true;
  }

  /** Appends counts, the top-k and the HyperLogLog. */
  encode(w: ByteWriter): void {
    this.flush();
    w.varint(this.count);
    w.varint(this.nullCount);
    w.varint(this.invalidCount);
    w.varint(this.maxValueLength);
    this.frequent.encode(w);
    this.hll.encode(w);
  }

  /** Reads a summary written by `encode`; counters may not exceed the count. */
  static decode(r: ByteReader): CategoricalSummary {
    const count = r.varint('categorical count');
    const nullCount = r.varint('categorical null count');
    const invalidCount = r.varint('categorical invalid count');
    const maxValueLength = r.varint('categorical max value length');
    const frequent = MisraGries.decode(r);
    const hll = HyperLogLog.decode(r);
    const s = new CategoricalSummary({ maxValueLength }, { frequent, hll });
    let kept = 0;
    for (const n of frequent.counters.values()) kept += n;
    if (kept + frequent.error * (frequent.k + 1) > count) {
      throw new SummaryDecodeError(
        `impossible counts: categorical count ${count} but top-k holds ${kept} with error ${frequent.error}`,
      );
    }
    s.count = count;
    s.nullCount = nullCount;
    s.invalidCount = invalidCount;
    return s;
  }
}
