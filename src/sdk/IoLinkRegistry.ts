/**
 * Remembers which span wrote each data reference in this process, so a later run that reads
 * the reference can carry a span link to its writer (provenance across traces, as mltrace's
 * IO pointers). Bounded LRU: a long-running service writing unique references cannot grow it
 * without limit; the oldest writers are forgotten first.
 */
import type { SpanContext } from '@opentelemetry/api';

/** A writer remembered for a reference. */
interface Writer {
  spanContext: SpanContext;
  fingerprint: string;
}

/** Default bound on remembered references. */
export const DEFAULT_IO_LINK_CAPACITY = 10_000;

/** Bounded map from output reference (and fingerprint) to the writing span. */
export class IoLinkRegistry {
  // Map iteration order is insertion order; re-inserting on use makes it an LRU.
  private readonly writers = new Map<string, Writer>();

  constructor(private readonly capacity: number = DEFAULT_IO_LINK_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`IoLinkRegistry: capacity must be a positive integer, got ${capacity}`);
    }
  }

  /** Number of remembered keys (a reference written with a fingerprint takes two). */
  get size(): number {
    return this.writers.size;
  }

  /** Records that `spanContext` wrote `ref` (with `fingerprint`, '' when unknown). */
  recordWrite(ref: string, fingerprint: string, spanContext: SpanContext): void {
    const writer = { spanContext, fingerprint };
    this.put(ref, writer);
    if (fingerprint !== '') this.put(keyOf(ref, fingerprint), writer);
  }

  /**
   * The writer of what a reader of `ref` saw. With a fingerprint, only the writer of that exact
   * content, or the latest writer when it did not know its fingerprint; without one, the latest
   * writer.
   */
  findWriter(ref: string, fingerprint: string): SpanContext | undefined {
    if (fingerprint !== '') {
      const exact = this.get(keyOf(ref, fingerprint));
      if (exact) return exact.spanContext;
      const latest = this.get(ref);
      return latest && latest.fingerprint === '' ? latest.spanContext : undefined;
    }
    return this.get(ref)?.spanContext;
  }

  /** Forgets everything (tests). */
  clear(): void {
    this.writers.clear();
  }

  private get(key: string): Writer | undefined {
    const w = this.writers.get(key);
    if (w) {
      this.writers.delete(key);
      this.writers.set(key, w);
    }
    return w;
  }

  private put(key: string, writer: Writer): void {
    this.writers.delete(key);
    this.writers.set(key, writer);
    while (this.writers.size > this.capacity) {
      const oldest = this.writers.keys().next().value as string;
      this.writers.delete(oldest);
    }
  }
}

// NUL cannot appear in a URI reference, so the composite key cannot collide with a plain one.
function keyOf(ref: string, fingerprint: string): string {
  return `${ref}\u0000${fingerprint}`;
}
