/**
 * Counts what the SDK refused or could not attach, by reason, and tells the user through
 * `diag.warn`: once on the first drop of a reason, then again only at 10, 100, 1000, ... so a
 * hot loop that keeps passing bad input cannot flood the log while the count stays visible.
 */
import { diag } from '@opentelemetry/api';

/** Per-reason drop counts with rate-limited warnings. */
export class DropCounter {
  private readonly counts = new Map<string, number>();

  /** Records one drop of `reason`; `detail` describes this occurrence (only logged when warning). */
  drop(reason: string, detail: string): void {
    const n = (this.counts.get(reason) ?? 0) + 1;
    this.counts.set(reason, n);
    if (n === 1 || isPowerOfTen(n)) {
      diag.warn(`mlobs: ${reason} (${n} so far): ${detail}`);
    }
  }

  /** Snapshot of the counts, for tests and self-telemetry. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** Forgets all counts (tests). */
  reset(): void {
    this.counts.clear();
  }
}

function isPowerOfTen(n: number): boolean {
  let x = n;
  while (x >= 10 && x % 10 === 0) x /= 10;
  return x === 1;
}

/** The process-wide counter the record functions use. */
export const sdkDrops = new DropCounter();
