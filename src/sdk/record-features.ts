/**
 * `recordFeatures(data, options)`: summarises a batch of features and attaches the summaries to
 * a span as `ml.features` events (one per summary kind); inside a `component()` run, batches
 * merge and are attached when the run ends. Never throws: bad input is counted and reported
 * with `diag.warn`, and the span gets nothing from a batch that failed.
 */
import { EVENT_ML_FEATURES } from '../semconv/index.js';
import { summarize } from '../summaries/index.js';
import { sdkDrops } from './drop-counter.js';
import { SummaryBuffer } from './summary-buffer.js';
import { targetSpan } from './target-span.js';
import type { FeatureOptions } from './types.js';

type SummarizeInput = Parameters<typeof summarize>[0];

/**
 * Summarises `data` — columns (`Record<string, ArrayLike>`), rows (`Record<string, unknown>[]`)
 * or a 2-D tensor `{ data, shape, columns }` — onto the active span or `options.span`.
 */
export function recordFeatures(data: unknown, options: FeatureOptions = {}): void {
  try {
    const span = targetSpan(options.span, 'recordFeatures');
    if (!span) return;
    const { span: _span, batchId, ...summarizeOptions } = options;
    const batch = summarize(data as SummarizeInput, summarizeOptions);
    SummaryBuffer.record(span, { eventName: EVENT_ML_FEATURES, batch, common: {} }, batchId);
  } catch (err) {
    sdkDrops.drop('recordFeatures input rejected', err instanceof Error ? err.message : String(err));
  }
}
