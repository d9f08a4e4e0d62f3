/**
 * Hands one decoded batch to the next consumer and turns the result into OTLP's outcome:
 * accepted, partially accepted, refused as bad data, or refused for now (retryable).
 * Both transports share it so HTTP and gRPC report the same things the same way.
 */
import { diag } from '@opentelemetry/api';
import { ConsumerError, type Signal, type Telemetry } from '../../component.js';
import type { PartialSuccess } from '../../otlp/responses.js';
import { recordItems } from '../../service/selfMetrics.js';

/** What the receiver answers. */
export type BatchOutcome =
  | { kind: 'ok'; partial?: PartialSuccess }
  | { kind: 'invalid'; message: string }
  | { kind: 'retry'; message: string; retryAfterMs: number };

/** Default back-off suggested to clients when a consumer refuses without a delay. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

let warnedUnexpected = false;

/** Consumes `data` with `consume`, counting accepted and refused items under `labels`. */
export async function consumeBatch(
  signal: Signal,
  count: number,
  consume: () => Promise<void>,
  telemetry: Telemetry,
  labels: Record<string, string>,
): Promise<BatchOutcome> {
  try {
    await consume();
    recordItems(telemetry, 'receiver', 'accepted', signal, count, labels);
    return { kind: 'ok' };
  } catch (err) {
    if (err instanceof ConsumerError && err.permanent) {
      const rejected = Math.min(err.rejected ?? count, count);
      recordItems(telemetry, 'receiver', 'refused', signal, rejected, labels);
      if (rejected < count) {
        recordItems(telemetry, 'receiver', 'accepted', signal, count - rejected, labels);
        return { kind: 'ok', partial: { rejected, message: err.message } };
      }
      return { kind: 'invalid', message: err.message };
    }
    recordItems(telemetry, 'receiver', 'refused', signal, count, labels);
    if (err instanceof ConsumerError)
      return {
        kind: 'retry',
        message: err.message,
        retryAfterMs: err.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS,
      };
    // Not a ConsumerError: a bug downstream. Treat it as retryable, as the Collector does.
    if (!warnedUnexpected) {
      warnedUnexpected = true;
      diag.warn(`mlobs otlp receiver: unexpected error from the next consumer: ${String(err)}`);
    }
    return { kind: 'retry', message: 'internal error in the pipeline', retryAfterMs: DEFAULT_RETRY_AFTER_MS };
  }
}
