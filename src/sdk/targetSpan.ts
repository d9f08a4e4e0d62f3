/**
 * Finds the span a record function writes to: the explicit `options.span`, else the active
 * span. Returns undefined — and nothing is computed — when there is none or it is not
 * recording (sampled out), so recording costs nothing for traces nobody keeps.
 */
import { trace } from '@opentelemetry/api';
import { sdkDrops } from './DropCounter.js';
import type { SpanLike } from './types.js';

/** The recording span to write to, or undefined (counted when the caller forgot a span). */
export function targetSpan(explicit: SpanLike | undefined, where: string): SpanLike | undefined {
  const span: SpanLike | undefined = explicit ?? trace.getActiveSpan();
  if (!span) {
    sdkDrops.drop('no span to record on', `${where}: pass options.span or call it inside component()`);
    return undefined;
  }
  return span.isRecording() ? span : undefined;
}
