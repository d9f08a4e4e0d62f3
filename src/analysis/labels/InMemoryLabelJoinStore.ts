/**
 * In-memory {@link LabelJoinStore}: a Map in insertion order doubles as the eviction queue,
 * so both the size cap (oldest first) and the time-to-live cost O(1) per entry.
 */
import type { LabelJoinStore, StoredPrediction } from './LabelJoinStore.js';

/** A size-capped in-memory label-join store. */
export class InMemoryLabelJoinStore implements LabelJoinStore {
  private readonly entries = new Map<string, StoredPrediction>();
  private evictedCount = 0;

  /** @param maxEntries predictions held at most; the oldest is evicted first. */
  constructor(private readonly maxEntries = 100_000) {
    if (!Number.isInteger(maxEntries) || maxEntries <= 0)
      throw new RangeError(
        `InMemoryLabelJoinStore: maxEntries must be a positive integer, got ${maxEntries}`,
      );
  }

  put(id: string, prediction: StoredPrediction): void {
    this.entries.delete(id);
    this.entries.set(id, prediction);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.evictedCount++;
    }
  }

  take(id: string): StoredPrediction | undefined {
    const p = this.entries.get(id);
    if (p !== undefined) this.entries.delete(id);
    return p;
  }

  expire(beforeMs: number): number {
    let n = 0;
    // Insertion order is close to time order; stop at the first young entry so a late
    // out-of-order put cannot make this scan the whole map on every call.
    for (const [id, p] of this.entries) {
      if (p.atMs >= beforeMs) break;
      this.entries.delete(id);
      n++;
    }
    return n;
  }

  get size(): number {
    return this.entries.size;
  }

  get evicted(): number {
    return this.evictedCount;
  }
}
