/**
 * A batch summary on its way to becoming span events, with what rides along: attributes every
 * event of the name carries (the prediction task) and the sampled join arrays. Two pending
 * summaries for the same span and event name merge — sketches merge exactly, and the join
 * sample is cut again by bottom-k over the union, which equals bottom-k of the two batches
 * together — so a run that records several batches still emits one event per kind, and no
 * feature name appears twice on a span (a decoder would refuse that).
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { ATTR_ML_SUMMARY_KIND } from '../semconv/index.js';
import { type BatchSummary, encodeSummaryEvents, type FeatureKind, mergeBatch } from '../summaries/index.js';
import { sampleJoinRows } from './joinSampler.js';
import { RecordInputError } from './predictionColumns.js';
import type { PendingEvent } from './spanEvents.js';

/** The sampled join arrays of one batch: ids plus parallel value columns. */
export interface JoinSample {
  /** Kind of the event that carries the arrays (the kind of the primary output). */
  kind: FeatureKind;
  /** Most rows kept. */
  k: number;
  /** Attribute key of the ids array. */
  idsKey: string;
  /** Sampled ids. */
  ids: string[];
  /** Attribute key and values parallel to `ids`. */
  columns: [key: string, values: string[] | number[]][];
}

/** One event name's worth of summaries waiting to be attached. */
export interface PendingSummary {
  /** `ml.features`, `ml.predictions` or `ml.labels`. */
  eventName: string;
  /** The summaries. */
  batch: BatchSummary;
  /** Attributes every event carries (e.g. `ml.prediction.task`). */
  common: Attributes;
  /** Join arrays, when there were ids to join on. */
  join?: JoinSample;
}

/** The span events for `p`: one per summary kind, common attributes on each, join arrays on one. */
export function toEvents(p: PendingSummary): PendingEvent[] {
  const events = encodeSummaryEvents(p.batch, p.eventName);
  for (const event of events) {
    Object.assign(event.attributes, p.common);
    if (p.join && event.attributes[ATTR_ML_SUMMARY_KIND] === p.join.kind) {
      event.attributes[p.join.idsKey] = p.join.ids;
      for (const [key, values] of p.join.columns) event.attributes[key] = values;
    }
  }
  return events;
}

/** `a` and `b` as one (pure); a `RecordInputError` when they cannot describe one run's output. */
export function mergePending(a: PendingSummary, b: PendingSummary): PendingSummary {
  for (const key of new Set([...Object.keys(a.common), ...Object.keys(b.common)])) {
    if (!sameValue(a.common[key], b.common[key])) {
      throw new RecordInputError(
        `${b.eventName}: ${key} is ${String(b.common[key])} but an earlier batch on this span had ${String(a.common[key])}`,
      );
    }
  }
  return {
    eventName: a.eventName,
    batch: mergeBatch(a.batch, b.batch),
    common: a.common,
    join: mergeJoin(a.join, b.join),
  };
}

function mergeJoin(a: JoinSample | undefined, b: JoinSample | undefined): JoinSample | undefined {
  if (!a || !b) return a ?? b;
  if (a.kind !== b.kind || a.idsKey !== b.idsKey) {
    throw new RecordInputError(
      `join arrays of kind ${b.kind} cannot merge with earlier ones of kind ${a.kind}`,
    );
  }
  const ids = [...a.ids, ...b.ids];
  const k = Math.max(a.k, b.k);
  const rows = sampleJoinRows(ids, k);
  const columns: JoinSample['columns'] = [];
  for (const [key, left] of a.columns) {
    const right = b.columns.find(([k2]) => k2 === key)?.[1];
    // A column only one batch has (scores, say) cannot stay parallel to the merged ids.
    if (!right) continue;
    const all = [...left, ...right] as (string | number)[];
    columns.push([key, rows.map((r) => all[r]) as string[] | number[]]);
  }
  return { kind: a.kind, k, idsKey: a.idsKey, ids: rows.map((r) => ids[r]), columns };
}

function sameValue(x: AttributeValue | undefined, y: AttributeValue | undefined): boolean {
  return JSON.stringify(x) === JSON.stringify(y);
}
