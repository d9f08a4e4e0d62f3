import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_ML_SUMMARY_COUNT,
  ATTR_ML_SUMMARY_DIMENSION,
  ATTR_ML_SUMMARY_DISTINCT,
  ATTR_ML_SUMMARY_HISTOGRAM_BINS,
  ATTR_ML_SUMMARY_HISTOGRAM_COUNTS,
  ATTR_ML_SUMMARY_INFINITE_COUNT,
  ATTR_ML_SUMMARY_INVALID_COUNT,
  ATTR_ML_SUMMARY_KIND,
  ATTR_ML_SUMMARY_MAX,
  ATTR_ML_SUMMARY_MEAN,
  ATTR_ML_SUMMARY_MIN,
  ATTR_ML_SUMMARY_NAMES,
  ATTR_ML_SUMMARY_NULL_COUNT,
  ATTR_ML_SUMMARY_QUANTILE_LEVELS,
  ATTR_ML_SUMMARY_QUANTILES,
  ATTR_ML_SUMMARY_SKETCH,
  ATTR_ML_SUMMARY_TOP_COUNTS,
  ATTR_ML_SUMMARY_TOP_ERROR,
  ATTR_ML_SUMMARY_TOP_LENGTHS,
  ATTR_ML_SUMMARY_TOP_VALUES,
  ATTR_ML_SUMMARY_VARIANCE,
} from '../semconv/index.js';
import { deserializeFeatureBase64, serializeFeatureBase64 } from './featureCodec.js';
import type { NumericSummary } from './NumericSummary.js';
import { SummaryDecodeError } from './SummaryDecodeError.js';
import type { BatchSummary, FeatureKind, FeatureSummary } from './types.js';

/** Quantile levels every numeric, text and vector feature reports in events. */
export const EVENT_QUANTILE_LEVELS: readonly number[] = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
/** Equal-width histogram bins reported per numeric feature. */
export const EVENT_HISTOGRAM_BINS = 10;
/** Frequent values listed per categorical feature (the sketch keeps more). */
export const EVENT_TOP_VALUES = 10;

const KINDS: readonly FeatureKind[] = ['numeric', 'categorical', 'text', 'vector'];

/** A span event ready to add: name and attributes. */
export interface SummaryEvent {
  /** Event name (`ml.features`, `ml.predictions` or `ml.labels`). */
  name: string;
  /** Parallel arrays, index i = feature i of this event. */
  attributes: Attributes;
}

/** An event as read back from a span or OTLP. */
export interface SummaryEventInput {
  /** Event name. */
  name: string;
  /** Event attributes. */
  attributes: Record<string, unknown>;
}

/**
 * Encodes a batch as one event per summary kind present (so at most 4), each with parallel
 * arrays keyed by the semconv names; a non-finite statistic is written as 0 because OTLP/JSON
 * cannot carry NaN or Infinity. The attribute count per event is fixed (≤ 16), whatever the
 * number of features.
 */
export function encodeSummaryEvents(batch: BatchSummary, eventName: string): SummaryEvent[] {
  const events: SummaryEvent[] = [];
  for (const kind of KINDS) {
    const names: string[] = [];
    const summaries: FeatureSummary[] = [];
    for (const [name, s] of batch.features) {
      if (s.kind !== kind) continue;
      names.push(name);
      summaries.push(s);
    }
    if (names.length === 0) continue;
    const attributes: Attributes = {
      [ATTR_ML_SUMMARY_KIND]: kind,
      [ATTR_ML_SUMMARY_NAMES]: names,
      [ATTR_ML_SUMMARY_COUNT]: summaries.map((s) => s.count),
      [ATTR_ML_SUMMARY_NULL_COUNT]: summaries.map((s) => s.nullCount),
      [ATTR_ML_SUMMARY_INVALID_COUNT]: summaries.map((s) => s.invalidCount),
    };
    if (kind === 'categorical') addCategorical(attributes, summaries);
    else addNumericProjection(attributes, summaries.map(numericOf));
    if (kind === 'numeric') {
      const numeric = summaries as NumericSummary[];
      attributes[ATTR_ML_SUMMARY_INFINITE_COUNT] = numeric.map((s) => s.infiniteCount);
      attributes[ATTR_ML_SUMMARY_HISTOGRAM_BINS] = EVENT_HISTOGRAM_BINS;
      attributes[ATTR_ML_SUMMARY_HISTOGRAM_COUNTS] = numeric.flatMap((s) =>
        s.histogram(EVENT_HISTOGRAM_BINS),
      );
    }
    if (kind === 'vector') {
      attributes[ATTR_ML_SUMMARY_DIMENSION] = summaries.map((s) => (s.kind === 'vector' ? s.dimension : 0));
    }
    attributes[ATTR_ML_SUMMARY_SKETCH] = summaries.map(serializeFeatureBase64);
    events.push({ name: eventName, attributes });
  }
  return events;
}

/** The numeric summary an event's min/max/mean/variance/quantiles describe. */
function numericOf(s: FeatureSummary): NumericSummary {
  if (s.kind === 'numeric') return s;
  if (s.kind === 'text') return s.length;
  if (s.kind === 'vector') return s.norm;
  throw new TypeError('categorical summaries have no numeric projection');
}

/** OTLP/JSON cannot carry NaN or ±Infinity: NaN (no data) becomes 0, an overflow the largest double. */
function finite(x: number): number {
  if (Number.isFinite(x)) return x;
  if (Number.isNaN(x)) return 0;
  return x > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
}

function addNumericProjection(attributes: Attributes, numeric: NumericSummary[]): void {
  attributes[ATTR_ML_SUMMARY_MIN] = numeric.map((s) => finite(s.min));
  attributes[ATTR_ML_SUMMARY_MAX] = numeric.map((s) => finite(s.max));
  attributes[ATTR_ML_SUMMARY_MEAN] = numeric.map((s) => finite(s.mean));
  attributes[ATTR_ML_SUMMARY_VARIANCE] = numeric.map((s) => finite(s.variance));
  attributes[ATTR_ML_SUMMARY_QUANTILE_LEVELS] = [...EVENT_QUANTILE_LEVELS];
  attributes[ATTR_ML_SUMMARY_QUANTILES] = numeric.flatMap((s) =>
    s.quantiles(EVENT_QUANTILE_LEVELS).map(finite),
  );
}

function addCategorical(attributes: Attributes, summaries: FeatureSummary[]): void {
  const values: string[] = [];
  const counts: number[] = [];
  const lengths: number[] = [];
  const errors: number[] = [];
  const distinct: number[] = [];
  for (const s of summaries) {
    if (s.kind !== 'categorical') continue;
    const top = s.top().slice(0, EVENT_TOP_VALUES);
    for (const e of top) {
      values.push(e.value);
      counts.push(e.count);
    }
    lengths.push(top.length);
    errors.push(s.topError);
    distinct.push(s.distinct());
  }
  attributes[ATTR_ML_SUMMARY_TOP_VALUES] = values;
  attributes[ATTR_ML_SUMMARY_TOP_COUNTS] = counts;
  attributes[ATTR_ML_SUMMARY_TOP_LENGTHS] = lengths;
  attributes[ATTR_ML_SUMMARY_TOP_ERROR] = errors;
  attributes[ATTR_ML_SUMMARY_DISTINCT] = distinct;
}

/**
 * Decodes summary events back into a batch. The serialized sketches are the source of truth;
 * names and count arrays are cross-checked against them, and array lengths against the names,
 * so a corrupt or inconsistent event raises a `SummaryDecodeError` naming the event and the
 * attribute. `rows` is the largest count + null + invalid (+ infinite) over the features.
 */
export function decodeSummaryEvents(events: readonly SummaryEventInput[]): BatchSummary {
  const features = new Map<string, FeatureSummary>();
  let rows = 0;
  for (let e = 0; e < events.length; e++) {
    const event = events[e];
    const where = `event ${e} (${String(event?.name)})`;
    const fail: Fail = (attr, what) => {
      throw new SummaryDecodeError(`${where}: attribute ${attr}: ${what}`);
    };
    const attrs = event?.attributes;
    if (attrs === null || typeof attrs !== 'object')
      throw new SummaryDecodeError(`${where}: has no attributes`);
    const kind = attrs[ATTR_ML_SUMMARY_KIND];
    if (typeof kind !== 'string' || !KINDS.includes(kind as FeatureKind)) {
      fail(ATTR_ML_SUMMARY_KIND, `expected one of ${KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
    }
    const names = stringArray(attrs, ATTR_ML_SUMMARY_NAMES, fail);
    const n = names.length;
    const sketches = stringArray(attrs, ATTR_ML_SUMMARY_SKETCH, fail);
    if (sketches.length !== n) fail(ATTR_ML_SUMMARY_SKETCH, `has ${sketches.length} entries for ${n} names`);
    const count = intArray(attrs, ATTR_ML_SUMMARY_COUNT, n, true, fail);
    const nulls = intArray(attrs, ATTR_ML_SUMMARY_NULL_COUNT, n, true, fail);
    const invalid = intArray(attrs, ATTR_ML_SUMMARY_INVALID_COUNT, n, true, fail);
    checkProjectionLengths(attrs, kind as FeatureKind, n, fail);
    for (let i = 0; i < n; i++) {
      const s = decodeSketch(sketches[i], i, names[i], fail);
      if (s.kind !== kind)
        fail(ATTR_ML_SUMMARY_SKETCH, `feature ${i} (${names[i]}) is ${s.kind}, event kind is ${kind}`);
      if (s.count !== count?.[i])
        fail(ATTR_ML_SUMMARY_COUNT, `feature ${i} (${names[i]}) says ${count?.[i]}, sketch ${s.count}`);
      if (s.nullCount !== nulls?.[i]) {
        fail(
          ATTR_ML_SUMMARY_NULL_COUNT,
          `feature ${i} (${names[i]}) says ${nulls?.[i]}, sketch ${s.nullCount}`,
        );
      }
      if (s.invalidCount !== invalid?.[i]) {
        fail(
          ATTR_ML_SUMMARY_INVALID_COUNT,
          `feature ${i} (${names[i]}) says ${invalid?.[i]}, sketch ${s.invalidCount}`,
        );
      }
      if (features.has(names[i]))
        fail(ATTR_ML_SUMMARY_NAMES, `feature ${JSON.stringify(names[i])} appears twice`);
      features.set(names[i], s);
      const total = s.count + s.nullCount + s.invalidCount + (s.kind === 'numeric' ? s.infiniteCount : 0);
      rows = Math.max(rows, total);
    }
  }
  return { rows, features };
}

type Fail = (attr: string, what: string) => never;

function decodeSketch(text: string, i: number, name: string, fail: Fail): FeatureSummary {
  try {
    return deserializeFeatureBase64(text);
  } catch (err) {
    if (!(err instanceof SummaryDecodeError)) throw err;
    return fail(ATTR_ML_SUMMARY_SKETCH, `feature ${i} (${name}): ${err.message}`);
  }
}

function stringArray(attrs: Record<string, unknown>, key: string, fail: Fail): string[] {
  const v = attrs[key];
  if (!Array.isArray(v)) return fail(key, 'missing or not an array');
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') fail(key, `entry ${i} is not a string`);
  return v as string[];
}

/** Reads an array of non-negative integers (numbers, or decimal strings as OTLP/JSON int64s arrive). */
function intArray(
  attrs: Record<string, unknown>,
  key: string,
  length: number | undefined,
  required: boolean,
  fail: Fail,
): number[] | undefined {
  const v = attrs[key];
  if (v === undefined && !required) return undefined;
  if (!Array.isArray(v)) return fail(key, 'missing or not an array');
  if (length !== undefined && v.length !== length) fail(key, `has ${v.length} entries, expected ${length}`);
  return v.map((x, i) => {
    const num = typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : x;
    if (typeof num !== 'number' || !Number.isInteger(num) || num < 0) fail(key, `entry ${i} is not a count`);
    return num as number;
  });
}

function checkProjectionLengths(
  attrs: Record<string, unknown>,
  kind: FeatureKind,
  n: number,
  fail: Fail,
): void {
  const lengthIs = (key: string, expected: number) => {
    const v = attrs[key];
    if (v === undefined) return;
    if (!Array.isArray(v)) fail(key, 'not an array');
    else if (v.length !== expected) fail(key, `has ${v.length} entries, expected ${expected}`);
  };
  if (kind === 'categorical') {
    const lengths = intArray(attrs, ATTR_ML_SUMMARY_TOP_LENGTHS, n, false, fail);
    if (lengths !== undefined) {
      const total = lengths.reduce((a, b) => a + b, 0);
      lengthIs(ATTR_ML_SUMMARY_TOP_VALUES, total);
      lengthIs(ATTR_ML_SUMMARY_TOP_COUNTS, total);
    }
    lengthIs(ATTR_ML_SUMMARY_TOP_ERROR, n);
    lengthIs(ATTR_ML_SUMMARY_DISTINCT, n);
    return;
  }
  for (const key of [
    ATTR_ML_SUMMARY_MIN,
    ATTR_ML_SUMMARY_MAX,
    ATTR_ML_SUMMARY_MEAN,
    ATTR_ML_SUMMARY_VARIANCE,
  ]) {
    lengthIs(key, n);
  }
  const levels = attrs[ATTR_ML_SUMMARY_QUANTILE_LEVELS];
  if (Array.isArray(levels)) lengthIs(ATTR_ML_SUMMARY_QUANTILES, n * levels.length);
  if (kind === 'numeric') {
    lengthIs(ATTR_ML_SUMMARY_INFINITE_COUNT, n);
    const bins = attrs[ATTR_ML_SUMMARY_HISTOGRAM_BINS];
    if (typeof bins === 'number') lengthIs(ATTR_ML_SUMMARY_HISTOGRAM_COUNTS, n * bins);
  }
  if (kind === 'vector') lengthIs(ATTR_ML_SUMMARY_DIMENSION, n);
}
