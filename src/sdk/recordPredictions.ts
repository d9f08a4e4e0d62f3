/**
 * `recordPredictions(outputs, options)`: summarises model outputs (class distribution,
 * confidence, entropy and per-class scores for classifiers; the value distribution for
 * regressors) as `ml.predictions` events, and writes the sampled join arrays the collector uses
 * to match delayed labels. Never throws into the user's program.
 */
import {
  ATTR_ML_PREDICTION_CLASSES,
  ATTR_ML_PREDICTION_IDS,
  ATTR_ML_PREDICTION_SCORES,
  ATTR_ML_PREDICTION_TASK,
  ATTR_ML_PREDICTION_VALUES,
  EVENT_ML_PREDICTIONS,
  ML_PREDICTION_TASK_VALUE_REGRESSION,
} from '../semconv/index.js';
import { summarize } from '../summaries/index.js';
import { sdkDrops } from './DropCounter.js';
import { finiteAt, joinArrays, rowIds, sampleSize } from './joinArrays.js';
import type { IdSource } from './joinSampler.js';
import type { JoinSample } from './pendingSummary.js';
import { DEFAULT_MAX_SCORE_CLASSES, type PredictionColumns, predictionColumns } from './predictionColumns.js';
import type { PrivacyOptions } from './privacy.js';
import { SummaryBuffer } from './SummaryBuffer.js';
import { targetSpan } from './targetSpan.js';
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
    SummaryBuffer.record(
      span,
      {
        eventName: EVENT_ML_PREDICTIONS,
        batch,
        common: { [ATTR_ML_PREDICTION_TASK]: cols.task },
        join: ids ? joinSample(cols, ids, k, options.privacy) : undefined,
      },
      options.batchId,
    );
  } catch (err) {
    sdkDrops.drop('recordPredictions input rejected', err instanceof Error ? err.message : String(err));
  }
}

// The join arrays ride once, on the event that summarises the primary output (class or value).
function joinSample(cols: PredictionColumns, ids: IdSource, k: number, privacy?: PrivacyOptions): JoinSample {
  if (cols.task === ML_PREDICTION_TASK_VALUE_REGRESSION) {
    const values = cols.values ?? [];
    const sample = joinArrays(ids, k, finiteAt(values), privacy);
    return {
      kind: 'numeric',
      k,
      idsKey: ATTR_ML_PREDICTION_IDS,
      ids: sample.ids,
      // Only finite numbers are eligible, so the cast is exact.
      columns: [[ATTR_ML_PREDICTION_VALUES, sample.rows.map((r) => values[r] as number)]],
    };
  }
  const classes = cols.classes ?? [];
  const sample = joinArrays(ids, k, (r) => classes[r] !== null, privacy);
  const columns: JoinSample['columns'] = [
    [ATTR_ML_PREDICTION_CLASSES, sample.rows.map((r) => classes[r] as string)],
  ];
  const scores = cols.scores;
  if (scores) columns.push([ATTR_ML_PREDICTION_SCORES, sample.rows.map((r) => scores[r])]);
  return { kind: 'categorical', k, idsKey: ATTR_ML_PREDICTION_IDS, ids: sample.ids, columns };
}
