import type { ByteReader } from './ByteReader.js';
import type { ByteWriter } from './ByteWriter.js';
import { SummaryDecodeError } from './SummaryDecodeError.js';
import { SummaryMergeError } from './SummaryMergeError.js';

/** Default number of counters kept per categorical feature. */
export const DEFAULT_TOP_K = 64;

/** A value and its estimated count. */
export interface TopEntry {
  /** The category. */
  value: string;
  /** Upper bound of its true count: at most `error` too high. */
  count: number;
}

/**
 * Mergeable frequent-items summary (Misra–Gries with weighted updates, merged as in Agarwal
 * et al., "Mergeable summaries"). Keeps at most k counters; every reduction subtracts the
 * (k+1)-th largest counter from all, and `error` accumulates what was subtracted. A kept
 * counter plus `error` is an upper bound of the true count, the counter itself a lower bound,
 * so reported counts over-count by at most `error` ≤ n/(k+1); every value whose true count
 * exceeds `error` is kept.
 */
export class MisraGries {
  /** Counters: lower bounds of true counts. */
  counters = new Map<string, number>();
  /** Total subtracted from any single counter: the maximum over-count of `top()`. */
  error = 0;

  /** @param k counters kept (≥ 1). */
  constructor(readonly k = DEFAULT_TOP_K) {
    if (!Number.isInteger(k) || k < 1 || k > 65536)
      throw new RangeError(`topK must be an integer in [1, 65536], got ${k}`);
  }

  /** Adds exact counts (e.g. one batch's interned tallies), then reduces to k counters. */
  addCounts(values: Iterable<[string, number]>): void {
    const c = this.counters;
    for (const [v, n] of values) c.set(v, (c.get(v) ?? 0) + n);
    this.reduce();
  }

  private reduce(): void {
    if (this.counters.size <= this.k) return;
    const sorted = Float64Array.from(this.counters.values()).sort().reverse();
    const cut = sorted[this.k];
    for (const [v, n] of this.counters) {
      if (n <= cut) this.counters.delete(v);
      else this.counters.set(v, n - cut);
    }
    this.error += cut;
  }

  /** Counters as upper bounds, descending by count, ties by value for determinism. */
  top(): TopEntry[] {
    const out: TopEntry[] = [];
    for (const [value, n] of this.counters) out.push({ value, count: n + this.error });
    out.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return out;
  }

  /** A new summary of both inputs; error ≤ (n_a + n_b)/(k+1) still holds. */
  merge(other: MisraGries): MisraGries {
    if (other.k !== this.k)
      throw new SummaryMergeError(`cannot merge top-k summaries with k ${this.k} vs ${other.k}`);
    const out = new MisraGries(this.k);
    out.counters = new Map(this.counters);
    out.error = this.error + other.error;
    out.addCounts(other.counters);
    return out;
  }

  /** Adds `other` in place: the same counters and error as `merge`, without a copy. */
  absorb(other: MisraGries): void {
    if (other.k !== this.k)
      throw new SummaryMergeError(`cannot merge top-k summaries with k ${this.k} vs ${other.k}`);
    this.error += other.error;
    this.addCounts(other.counters);
  }

  /** Appends k, error and the counters. */
  encode(w: ByteWriter): void {
    w.varint(this.k);
    w.varint(this.error);
    w.varint(this.counters.size);
    for (const [v, n] of this.counters) {
      w.string(v);
      w.varint(n);
    }
  }

  /** Reads a summary written by `encode`; rejects more than k counters or empty counters. */
  static decode(r: ByteReader): MisraGries {
    const k = r.varint('top-k capacity');
    if (k < 1 || k > 65536) throw new SummaryDecodeError(`impossible top-k capacity ${k}`);
    const mg = new MisraGries(k);
    mg.error = r.varint('top-k error');
    const size = r.varint('top-k counter count');
    if (size > k) throw new SummaryDecodeError(`impossible top-k: ${size} counters for k = ${k}`);
    for (let i = 0; i < size; i++) {
      // Constant labels: a label built per counter would cost more than reading it.
      const v = r.string('top-k value');
      const n = r.varint('top-k count');
      if (n === 0 || mg.counters.has(v))
        throw new SummaryDecodeError(`impossible top-k counter ${i} (${JSON.stringify(v)})`);
      mg.counters.set(v, n);
    }
    return mg;
  }
}
