/**
 * Where a record function's summaries go. A span started by `component()` gets a buffer: its
 * batches merge and are attached as events when the run ends (also when it fails — the data
 * did flow), so a run that records many mini-batches emits one event per kind with the totals.
 * Any other span gets the events at once; a second batch naming a feature already recorded on
 * it is refused with a warning, since a decoder rejects a span where a name appears twice.
 */
import { setBatchAttributes } from './batchAttributes.js';
import { mergePending, type PendingSummary, toEvents } from './pendingSummary.js';
import { RecordInputError } from './predictionColumns.js';
import { addEventsWithinLimits } from './spanEvents.js';
import type { SpanLike } from './types.js';

const buffers = new WeakMap<object, SummaryBuffer>();
const recordedNames = new WeakMap<object, Set<string>>();

/** Merged, not yet attached summaries of one component run's span. */
export class SummaryBuffer {
  private readonly pending = new Map<string, PendingSummary>();

  private constructor(private readonly span: SpanLike) {}

  /** Starts buffering the summaries recorded on `span` until `flush`. */
  static attach(span: SpanLike): void {
    buffers.set(span, new SummaryBuffer(span));
  }

  /** Attaches what was buffered for `span` and stops buffering; call before ending it. */
  static flush(span: SpanLike): void {
    const buffer = buffers.get(span);
    if (!buffer) return;
    buffers.delete(span);
    // Features, predictions and labels of one run normally cover the same rows; the largest wins.
    let rows: number | undefined;
    for (const p of buffer.pending.values()) {
      rows = Math.max(rows ?? 0, p.batch.rows);
      addEventsWithinLimits(buffer.span, toEvents(p));
    }
    setBatchAttributes(buffer.span, rows, undefined);
  }

  private add(p: PendingSummary): void {
    const prev = this.pending.get(p.eventName);
    this.pending.set(p.eventName, prev ? mergePending(prev, p) : p);
  }

  /** @internal Routes `p` to `span`'s buffer, or attaches it at once when the span has none. */
  static record(span: SpanLike, p: PendingSummary, batchId: string | undefined): void {
    const buffer = buffers.get(span);
    if (buffer) {
      buffer.add(p);
      setBatchAttributes(span, undefined, batchId);
      return;
    }
    const seen = recordedNames.get(span) ?? new Set<string>();
    for (const name of p.batch.features.keys()) {
      if (seen.has(`${p.eventName}\u0000${name}`)) {
        throw new RecordInputError(
          `'${name}' was already recorded as ${p.eventName} on this span; record each batch in its own component() run (which merges them) or all rows at once`,
        );
      }
    }
    for (const name of p.batch.features.keys()) seen.add(`${p.eventName}\u0000${name}`);
    recordedNames.set(span, seen);
    setBatchAttributes(span, p.batch.rows, batchId);
    addEventsWithinLimits(span, toEvents(p));
  }
}
