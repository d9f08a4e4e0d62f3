/**
 * Per-request helpers for online serving, where each request is its own span:
 * `recordPrediction` marks the span with the prediction (joined later by `ml.prediction.id`),
 * `recordLabel` marks a (label-kind) span with the feedback for that id. Never throw.
 */
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_ML_LABEL_CLASS,
  ATTR_ML_LABEL_VALUE,
  ATTR_ML_PREDICTION_CLASS,
  ATTR_ML_PREDICTION_ID,
  ATTR_ML_PREDICTION_SCORE,
  ATTR_ML_PREDICTION_VALUE,
} from '../semconv/index.js';
import { sdkDrops } from './DropCounter.js';
import { exportedId, type PrivacyOptions } from './privacy.js';
import { targetSpan } from './targetSpan.js';
import type { RecordOptions, RequestLabel, RequestPrediction, SpanLike } from './types.js';

/** Sets `ml.prediction.id` and the prediction's class/score/value on the span. */
export function recordPrediction(
  id: string,
  prediction: RequestPrediction,
  options: RecordOptions = {},
): void {
  const attrs = checked(id, 'recordPrediction', options.privacy, [
    [ATTR_ML_PREDICTION_CLASS, prediction?.class, 'class'],
    [ATTR_ML_PREDICTION_SCORE, prediction?.score, 'score'],
    [ATTR_ML_PREDICTION_VALUE, prediction?.value, 'value'],
  ]);
  if (attrs) apply(options.span, 'recordPrediction', attrs);
}

/** Sets `ml.prediction.id` (the prediction it answers) and the label's class/value on the span. */
export function recordLabel(id: string, label: RequestLabel, options: RecordOptions = {}): void {
  const attrs = checked(id, 'recordLabel', options.privacy, [
    [ATTR_ML_LABEL_CLASS, label?.class, 'class'],
    [ATTR_ML_LABEL_VALUE, label?.value, 'value'],
  ]);
  if (attrs) apply(options.span, 'recordLabel', attrs);
}

function checked(
  id: unknown,
  where: string,
  privacy: PrivacyOptions | undefined,
  fields: [string, unknown, string][],
): Attributes | undefined {
  if (typeof id !== 'string' || id === '') {
    sdkDrops.drop(`${where} input rejected`, `id must be a non-empty string, got ${JSON.stringify(id)}`);
    return undefined;
  }
  // Keyed-hashed by default: prediction and label hash with the same key, so they still join.
  const attrs: Attributes = { [ATTR_ML_PREDICTION_ID]: exportedId(id, privacy) };
  let any = false;
  for (const [key, value, name] of fields) {
    if (value === undefined) continue;
    const ok =
      name === 'class' ? typeof value === 'string' : typeof value === 'number' && Number.isFinite(value);
    if (!ok) {
      sdkDrops.drop(`${where} input rejected`, `${name} of '${id}' has the wrong type or is not finite`);
      return undefined;
    }
    attrs[key] = value as string | number;
    any = true;
  }
  if (!any) {
    sdkDrops.drop(`${where} input rejected`, `'${id}' has none of ${fields.map((f) => f[2]).join(', ')}`);
    return undefined;
  }
  return attrs;
}

function apply(explicit: SpanLike | undefined, where: string, attrs: Attributes): void {
  try {
    const span = targetSpan(explicit, where);
    if (!span) return;
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) span.setAttribute(k, v);
  } catch (err) {
    sdkDrops.drop(`${where} failed`, String(err));
  }
}
