/**
 * `recordLabels(labels, options)`: delayed feedback. Summarises the labels (`label` feature) as
 * an `ml.labels` event carrying the sampled ids they belong to, so the collector can join them
 * to predictions recorded earlier — by prediction id, or by the predictions' batch id plus row
 * positions. Never throws into the user's program.
 */
import {
  ATTR_ML_LABEL_CLASSES,
  ATTR_ML_LABEL_IDS,
  ATTR_ML_LABEL_VALUES,
  EVENT_ML_LABELS,
} from '../semconv/index.js';
import { summarize } from '../summaries/index.js';
import { sdkDrops } from './DropCounter.js';
import { finiteAt, joinArrays, rowIds, sampleSize } from './joinArrays.js';
import type { IdSource } from './joinSampler.js';
import type { JoinSample } from './pendingSummary.js';
import { arrayLike, labelStrings, RecordInputError } from './predictionColumns.js';
import { SummaryBuffer } from './SummaryBuffer.js';
import { targetSpan } from './targetSpan.js';
import type { LabelInputs, LabelOptions } from './types.js';

/** Records one batch of labels onto the active span or `options.span`. */
export function recordLabels(labels: LabelInputs, options: LabelOptions = {}): void {
  try {
    const span = targetSpan(options.span, 'recordLabels');
    if (!span) return;
    if (labels === null || typeof labels !== 'object') {
      throw new RecordInputError('recordLabels: labels must be { classes } or { values }');
    }
    const k = sampleSize(options.joinSampleSize, 'recordLabels');
    let column: ArrayLike<unknown>;
    let join: JoinSample;
    if ('classes' in labels) {
      const classes = labelStrings(labels.classes, 'labels.classes');
      const ids = requiredIds(classes.length, options);
      const sample = joinArrays(ids, k, (r) => classes[r] !== null, options.privacy);
      column = classes;
      join = {
        kind: 'categorical',
        k,
        idsKey: ATTR_ML_LABEL_IDS,
        ids: sample.ids,
        columns: [[ATTR_ML_LABEL_CLASSES, sample.rows.map((r) => classes[r] as string)]],
      };
    } else if ('values' in labels) {
      const values = arrayLike(labels.values, 'labels.values');
      const ids = requiredIds(values.length, options);
      const sample = joinArrays(ids, k, finiteAt(values), options.privacy);
      column = values;
      join = {
        kind: 'numeric',
        k,
        idsKey: ATTR_ML_LABEL_IDS,
        ids: sample.ids,
        columns: [[ATTR_ML_LABEL_VALUES, sample.rows.map((r) => values[r] as number)]],
      };
    } else {
      throw new RecordInputError('recordLabels: labels must have classes or values');
    }
    const batch = summarize({ label: column }, { schema: { label: join.kind } });
    SummaryBuffer.record(span, { eventName: EVENT_ML_LABELS, batch, common: {}, join }, options.batchId);
  } catch (err) {
    sdkDrops.drop('recordLabels input rejected', err instanceof Error ? err.message : String(err));
  }
}

function requiredIds(n: number, options: LabelOptions): IdSource {
  const ids = rowIds(n, options.ids, options.batchId, options.rows, 'recordLabels');
  if (!ids) throw new RecordInputError('recordLabels: labels need options.ids or options.batchId to join on');
  return ids;
}
