/**
 * `recordPredictions(outputs, options)`: summarises model outputs (class distribution,
 * confidence, entropy and per-class scores for classifiers; the value distribution for
 * regressors) as `ml.predictions` events, and writes the sampled join arrays the collector uses
 * to match delayed labels. Never throws into the user's program.
 */
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_ML_PREDICTION_CLASSES,
  ATTR_ML_PREDICTION_IDS,
  ATTR_ML_PREDICTION_SCORES,
  ATTR_ML_PREDICTION_TASK,
  ATTR_ML_PREDICTION_VALUES,
  ATTR_ML_SUMMARY_KIND,
  EVENT_ML_PREDICTIONS,
  ML_PREDICTION_TASK_VALUE_CLASSIFICATION,
  ML_PREDICTION_TASK_VALUE_REGRESSION,
} from '../semconv/index.js';
import { encodeSummaryEvents, summarize } from '../summaries/index.js';
import { setBatchAttributes } from './batch-attributes.js';
import { sdkDrops } from './drop-counter.js';
import { finiteAt, joinArrays, rowIds, sampleSize } from './join-arrays.js';
import {
  DEFAULT_MAX_SCORE_CLASSES,
  type PredictionColumns,
  predictionColumns,
} from './prediction-columns.js';
import { addEventsWithinLimits } from './span-events.js';
import { targetSpan } from './target-span.js';
import type { PredictionOptions, PredictionOutputs } from './types.js';

/** Summarises one batch of model outputs onto the active span or `options.span`. */
export function recordPredictions(outputs: PredictionOutputs, options: PredictionOptions = {}): void {
  try {
    const span = targetSpan(options.span, 'recordPredictions');
    if (!span) return;
    const maxScoreClasses = options.maxScoreClasses ?? DEFAULT_MAX_SCORE_CLASSES;
    const cols = predictionColumns(outputs, maxScoreClasses);
    const k = sampleSize(options.joinSampleSize, 'recordPredictions');
    const ids = rowIds(cols.rows, options.ids, options.batchId, undefined, 'recordPredictions');
    const batch = summarize(cols.columns, { schema: cols.kinds });
    const events = encodeSummaryEvents(batch, EVENT_ML_PREDICTIONS);
    const primaryKind = cols.task === ML_PREDICTION_TASK_VALUE_CLASSIFICATION ? 'categorical' : 'numeric';
    const join = ids ? joinAttributes(cols, ids, k) : undefined;
    for (const event of events) {
      event.attributes[ATTR_ML_PREDICTION_TASK] = cols.task;
      // The join arrays ride once, on the event that summarises the primary output (class or value).
      if (join && event.attributes[ATTR_ML_SUMMARY_KIND] === primaryKind)
        Object.assign(event.attributes, join);
    }
    setBatchAttributes(span, cols.rows, options.batchId);
    addEventsWithinLimits(span, events);
  } catch (err) {
    sdkDrops.drop('recordPredictions input rejected', err instanceof Error ? err.message : String(err));
  }
}

function joinAttributes(cols: PredictionColumns, ids: readonly string[], k: number): Attributes {
  if (cols.task === ML_PREDICTION_TASK_VALUE_REGRESSION) {
    const values = cols.values ?? [];
    // Only finite numbers are eligible, so the casts below are exact.
    const sample = joinArrays(ids, k, finiteAt(values));
    return {
      [ATTR_ML_PREDICTION_IDS]: sample.ids,
      [ATTR_ML_PREDICTION_VALUES]: sample.rows.map((r) => values[r] as number),
    };
  }
  const classes = cols.classes ?? [];
  const sample = joinArrays(ids, k, (r) => classes[r] !== null);
  const attrs: Attributes = {
    [ATTR_ML_PREDICTION_IDS]: sample.ids,
    [ATTR_ML_PREDICTION_CLASSES]: sample.rows.map((r) => classes[r] as string),
  };
  if (cols.scores) {
    const scores = cols.scores;
    attrs[ATTR_ML_PREDICTION_SCORES] = sample.rows.map((r) => scores[r]);
  }
  return attrs;
}
