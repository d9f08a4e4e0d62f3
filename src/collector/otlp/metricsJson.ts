/** OTLP/JSON codec for metrics (`ExportMetricsServiceRequest`), both directions. */

import type {
  Exemplar,
  ExponentialHistogramDataPoint,
  HistogramDataPoint,
  Metric,
  MetricsData,
  NumberDataPoint,
  SummaryDataPoint,
} from '../../model/otlp.js';
import {
  arr,
  at,
  bool,
  double,
  doubleJson,
  field,
  hexId,
  int32,
  int64,
  type Json,
  keyValues,
  keyValuesJson,
  mapAt,
  nanos,
  obj,
  optDouble,
  str,
} from './jsonCommon.js';
import { decodeEnvelopeJson, envelopeToJson } from './jsonEnvelope.js';

const TEMPORALITY: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};

const KEYS = ['resourceMetrics', 'scopeMetrics', 'metrics'] as const;

/** Decodes an OTLP/JSON metrics request body; throws `OtlpDecodeError` naming the bad path. */
export function decodeMetricsJson(text: string): MetricsData {
  return decodeEnvelopeJson(text, KEYS, metric);
}

/** Drops keys whose value is undefined, so optional fields are absent as in the protobuf decoder. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function points<T>(data: Json, decode: (item: unknown) => T): T[] {
  return mapAt(arr(field(data, 'dataPoints'), 'dataPoints'), 'dataPoints', decode);
}

function base(o: Json) {
  return {
    attributes: keyValues(o.attributes, 'attributes'),
    startTimeUnixNano: nanos(field(o, 'startTimeUnixNano'), 'startTimeUnixNano'),
    timeUnixNano: nanos(field(o, 'timeUnixNano'), 'timeUnixNano'),
    flags: int32(o.flags, 'flags') >>> 0,
  };
}

function counts(v: unknown, name: string): (number | bigint)[] {
  return mapAt(arr(v, name), name, (c) => int64(c, '$'));
}

function numberPoint(v: unknown): NumberDataPoint {
  const o = obj(v, '$') ?? {};
  const asDouble = field(o, 'asDouble');
  const asInt = field(o, 'asInt');
  const p: NumberDataPoint = { ...base(o), exemplars: exemplars(o.exemplars) };
  if (asDouble !== undefined && asDouble !== null) p.asDouble = double(asDouble, 'asDouble');
  if (asInt !== undefined && asInt !== null) p.asInt = int64(asInt, 'asInt');
  return p;
}

function histogramPoint(v: unknown): HistogramDataPoint {
  const o = obj(v, '$') ?? {};
  return compact({
    ...base(o),
    count: int64(o.count, 'count'),
    sum: optDouble(o.sum, 'sum'),
    bucketCounts: counts(field(o, 'bucketCounts'), 'bucketCounts'),
    explicitBounds: mapAt(arr(field(o, 'explicitBounds'), 'explicitBounds'), 'explicitBounds', (b) =>
      double(b, '$'),
    ),
    exemplars: exemplars(o.exemplars),
    min: optDouble(o.min, 'min'),
    max: optDouble(o.max, 'max'),
  });
}

function buckets(v: unknown): { offset: number; bucketCounts: (number | bigint)[] } {
  const o = obj(v, '$') ?? {};
  return {
    offset: int32(o.offset, 'offset'),
    bucketCounts: counts(field(o, 'bucketCounts'), 'bucketCounts'),
  };
}

function exponentialPoint(v: unknown): ExponentialHistogramDataPoint {
  const o = obj(v, '$') ?? {};
  return compact({
    ...base(o),
    count: int64(o.count, 'count'),
    sum: optDouble(o.sum, 'sum'),
    scale: int32(o.scale, 'scale'),
    zeroCount: int64(field(o, 'zeroCount'), 'zeroCount'),
    positive: at('positive', () => buckets(o.positive)),
    negative: at('negative', () => buckets(o.negative)),
    exemplars: exemplars(o.exemplars),
    min: optDouble(o.min, 'min'),
    max: optDouble(o.max, 'max'),
    zeroThreshold: optDouble(field(o, 'zeroThreshold'), 'zeroThreshold') ?? 0,
  });
}

function quantile(v: unknown): { quantile: number; value: number } {
  const o = obj(v, '$') ?? {};
  return { quantile: optDouble(o.quantile, 'quantile') ?? 0, value: optDouble(o.value, 'value') ?? 0 };
}

function summaryPoint(v: unknown): SummaryDataPoint {
  const o = obj(v, '$') ?? {};
  return {
    ...base(o),
    count: int64(o.count, 'count'),
    sum: optDouble(o.sum, 'sum') ?? 0,
    quantileValues: mapAt(arr(field(o, 'quantileValues'), 'quantileValues'), 'quantileValues', quantile),
  };
}

function temporality(data: Json): number {
  return int32(field(data, 'aggregationTemporality'), 'aggregationTemporality', TEMPORALITY);
}

function metric(v: unknown): Metric {
  const o = obj(v, '$') ?? {};
  const m: Metric = {
    name: str(o.name, 'name'),
    description: str(o.description, 'description'),
    unit: str(o.unit, 'unit'),
    metadata: keyValues(o.metadata, 'metadata'),
  };
  const gauge = obj(o.gauge, 'gauge');
  const sum = obj(o.sum, 'sum');
  const histogram = obj(o.histogram, 'histogram');
  const exponential = obj(field(o, 'exponentialHistogram'), 'exponentialHistogram');
  const summary = obj(o.summary, 'summary');
  if (gauge) m.gauge = at('gauge', () => ({ dataPoints: points(gauge, numberPoint) }));
  else if (sum)
    m.sum = at('sum', () => ({
      dataPoints: points(sum, numberPoint),
      aggregationTemporality: temporality(sum),
      isMonotonic: bool(field(sum, 'isMonotonic'), 'isMonotonic'),
    }));
  else if (histogram)
    m.histogram = at('histogram', () => ({
      dataPoints: points(histogram, histogramPoint),
      aggregationTemporality: temporality(histogram),
    }));
  else if (exponential)
    m.exponentialHistogram = at('exponentialHistogram', () => ({
      dataPoints: points(exponential, exponentialPoint),
      aggregationTemporality: temporality(exponential),
    }));
  else if (summary) m.summary = at('summary', () => ({ dataPoints: points(summary, summaryPoint) }));
  return m;
}

function exemplar(v: unknown): Exemplar {
  const o = obj(v, '$') ?? {};
  const asDouble = field(o, 'asDouble');
  const asInt = field(o, 'asInt');
  const x: Exemplar = {
    filteredAttributes: keyValues(field(o, 'filteredAttributes'), 'filteredAttributes'),
    timeUnixNano: nanos(field(o, 'timeUnixNano'), 'timeUnixNano'),
    spanId: hexId(field(o, 'spanId'), 'spanId', 8),
    traceId: hexId(field(o, 'traceId'), 'traceId', 16),
  };
  if (asDouble !== undefined && asDouble !== null) x.asDouble = double(asDouble, 'asDouble');
  if (asInt !== undefined && asInt !== null) x.asInt = int64(asInt, 'asInt');
  return x;
}

function exemplars(v: unknown): Exemplar[] {
  return mapAt(arr(v, 'exemplars'), 'exemplars', exemplar);
}

/** MetricsData to an OTLP/JSON object. */
export function metricsToJson(data: MetricsData): Json {
  return envelopeToJson(data, KEYS, metricJson);
}

/** Encodes MetricsData as an OTLP/JSON string (one line). */
export function encodeMetricsJson(data: MetricsData): string {
  return JSON.stringify(metricsToJson(data));
}

/** Copies a plain data point to JSON form: bigints and 64-bit counts become strings, ids stay hex. */
function pointJson(p: object): Json {
  const o: Json = {};
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) continue;
    if (k === 'attributes' || k === 'filteredAttributes') o[k] = keyValuesJson(v);
    else if (k === 'exemplars') o[k] = (v as Exemplar[]).map(pointJson);
    else if (typeof v === 'bigint' || k === 'count' || k === 'zeroCount' || k === 'asInt') o[k] = String(v);
    else if (k === 'bucketCounts') o[k] = (v as (number | bigint)[]).map(String);
    else if (k === 'positive' || k === 'negative') o[k] = pointJson(v);
    else if (typeof v === 'number') o[k] = doubleJson(v);
    else o[k] = v;
  }
  return o;
}

function metricJson(m: Metric): Json {
  const o: Json = { name: m.name };
  if (m.description) o.description = m.description;
  if (m.unit) o.unit = m.unit;
  if (m.metadata.length) o.metadata = keyValuesJson(m.metadata);
  const data = (d: { dataPoints: object[] }): Json => ({ ...d, dataPoints: d.dataPoints.map(pointJson) });
  if (m.gauge) o.gauge = data(m.gauge);
  else if (m.sum) o.sum = data(m.sum);
  else if (m.histogram) o.histogram = data(m.histogram);
  else if (m.exponentialHistogram) o.exponentialHistogram = data(m.exponentialHistogram);
  else if (m.summary) o.summary = data(m.summary);
  return o;
}
