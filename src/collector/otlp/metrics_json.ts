/** OTLP/JSON codec for metrics (`ExportMetricsServiceRequest`), both directions. */

import type { Exemplar, Metric, MetricsData } from '../../model/otlp.js';
import {
  arr,
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
  nanos,
  obj,
  optDouble,
  parseJsonBody,
  resource,
  resourceJson,
  scope,
  scopeJson,
  str,
} from './json_common.js';
import { decodeGuarded } from './OtlpDecodeError.js';

const TEMPORALITY: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};

/** Decodes an OTLP/JSON metrics request body; throws `OtlpDecodeError` naming the bad path. */
export function decodeMetricsJson(text: string): MetricsData {
  return decodeGuarded(() => decodeMetricsJsonUnguarded(text));
}

function decodeMetricsJsonUnguarded(text: string): MetricsData {
  const root = parseJsonBody(text);
  return {
    resourceMetrics: arr(field(root, 'resourceMetrics'), 'resourceMetrics').map((x, i) => {
      const p = `resourceMetrics[${i}]`;
      const o = obj(x, p) ?? {};
      return {
        resource: resource(o.resource, `${p}.resource`),
        scopeMetrics: arr(field(o, 'scopeMetrics'), `${p}.scopeMetrics`).map((y, j) => {
          const q = `${p}.scopeMetrics[${j}]`;
          const so = obj(y, q) ?? {};
          return {
            scope: scope(so.scope, `${q}.scope`),
            metrics: arr(so.metrics, `${q}.metrics`).map((m, k) => decodeMetric(m, `${q}.metrics[${k}]`)),
            schemaUrl: str(field(so, 'schemaUrl'), `${q}.schemaUrl`),
          };
        }),
        schemaUrl: str(field(o, 'schemaUrl'), `${p}.schemaUrl`),
      };
    }),
  };
}

/** Drops keys whose value is undefined, so optional fields are absent as in the protobuf decoder. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function points(o: Json, p: string): { o: Json; p: string }[] {
  return arr(field(o, 'dataPoints'), `${p}.dataPoints`).map((d, i) => {
    const q = `${p}.dataPoints[${i}]`;
    return { o: obj(d, q) ?? {}, p: q };
  });
}

function base(o: Json, p: string) {
  return {
    attributes: keyValues(o.attributes, `${p}.attributes`),
    startTimeUnixNano: nanos(field(o, 'startTimeUnixNano'), `${p}.startTimeUnixNano`),
    timeUnixNano: nanos(field(o, 'timeUnixNano'), `${p}.timeUnixNano`),
    flags: int32(o.flags, `${p}.flags`) >>> 0,
  };
}

function counts(v: unknown, p: string): (number | bigint)[] {
  return arr(v, p).map((c, i) => int64(c, `${p}[${i}]`));
}

function numberPoint(d: { o: Json; p: string }) {
  const { o, p } = d;
  const asDouble = field(o, 'asDouble');
  const asInt = field(o, 'asInt');
  return {
    ...base(o, p),
    ...(asDouble !== undefined && asDouble !== null ? { asDouble: double(asDouble, `${p}.asDouble`) } : {}),
    ...(asInt !== undefined && asInt !== null ? { asInt: int64(asInt, `${p}.asInt`) } : {}),
    exemplars: exemplars(o.exemplars, `${p}.exemplars`),
  };
}

function decodeMetric(v: unknown, p: string): Metric {
  const o = obj(v, p) ?? {};
  const m: Metric = {
    name: str(o.name, `${p}.name`),
    description: str(o.description, `${p}.description`),
    unit: str(o.unit, `${p}.unit`),
    metadata: keyValues(o.metadata, `${p}.metadata`),
  };
  const temporality = (x: Json, q: string) =>
    int32(field(x, 'aggregationTemporality'), `${q}.aggregationTemporality`, TEMPORALITY);
  const gauge = obj(o.gauge, `${p}.gauge`);
  const sum = obj(o.sum, `${p}.sum`);
  const histogram = obj(o.histogram, `${p}.histogram`);
  const exponential = obj(field(o, 'exponentialHistogram'), `${p}.exponentialHistogram`);
  const summary = obj(o.summary, `${p}.summary`);
  if (gauge) m.gauge = { dataPoints: points(gauge, `${p}.gauge`).map(numberPoint) };
  else if (sum)
    m.sum = {
      dataPoints: points(sum, `${p}.sum`).map(numberPoint),
      aggregationTemporality: temporality(sum, `${p}.sum`),
      isMonotonic: bool(field(sum, 'isMonotonic'), `${p}.sum.isMonotonic`),
    };
  else if (histogram)
    m.histogram = {
      aggregationTemporality: temporality(histogram, `${p}.histogram`),
      dataPoints: points(histogram, `${p}.histogram`).map(({ o: d, p: q }) =>
        compact({
          ...base(d, q),
          count: int64(d.count, `${q}.count`),
          sum: optDouble(d.sum, `${q}.sum`),
          bucketCounts: counts(field(d, 'bucketCounts'), `${q}.bucketCounts`),
          explicitBounds: arr(field(d, 'explicitBounds'), `${q}.explicitBounds`).map((b, i) =>
            double(b, `${q}.explicitBounds[${i}]`),
          ),
          exemplars: exemplars(d.exemplars, `${q}.exemplars`),
          min: optDouble(d.min, `${q}.min`),
          max: optDouble(d.max, `${q}.max`),
        }),
      ),
    };
  else if (exponential)
    m.exponentialHistogram = {
      aggregationTemporality: temporality(exponential, `${p}.exponentialHistogram`),
      dataPoints: points(exponential, `${p}.exponentialHistogram`).map(({ o: d, p: q }) => {
        const buckets = (b: unknown, bp: string) => {
          const bo = obj(b, bp) ?? {};
          return {
            offset: int32(bo.offset, `${bp}.offset`),
            bucketCounts: counts(field(bo, 'bucketCounts'), `${bp}.bucketCounts`),
          };
        };
        return compact({
          ...base(d, q),
          count: int64(d.count, `${q}.count`),
          sum: optDouble(d.sum, `${q}.sum`),
          scale: int32(d.scale, `${q}.scale`),
          zeroCount: int64(field(d, 'zeroCount'), `${q}.zeroCount`),
          positive: buckets(d.positive, `${q}.positive`),
          negative: buckets(d.negative, `${q}.negative`),
          exemplars: exemplars(d.exemplars, `${q}.exemplars`),
          min: optDouble(d.min, `${q}.min`),
          max: optDouble(d.max, `${q}.max`),
          zeroThreshold: optDouble(field(d, 'zeroThreshold'), `${q}.zeroThreshold`) ?? 0,
        });
      }),
    };
  else if (summary)
    m.summary = {
      dataPoints: points(summary, `${p}.summary`).map(({ o: d, p: q }) => ({
        ...base(d, q),
        count: int64(d.count, `${q}.count`),
        sum: optDouble(d.sum, `${q}.sum`) ?? 0,
        quantileValues: arr(field(d, 'quantileValues'), `${q}.quantileValues`).map((qv, i) => {
          const qp = `${q}.quantileValues[${i}]`;
          const qo = obj(qv, qp) ?? {};
          return {
            quantile: optDouble(qo.quantile, `${qp}.quantile`) ?? 0,
            value: optDouble(qo.value, `${qp}.value`) ?? 0,
          };
        }),
      })),
    };
  return m;
}

function exemplars(v: unknown, p: string): Exemplar[] {
  return arr(v, p).map((e, i) => {
    const q = `${p}[${i}]`;
    const o = obj(e, q) ?? {};
    const asDouble = field(o, 'asDouble');
    const asInt = field(o, 'asInt');
    const x: Exemplar = {
      filteredAttributes: keyValues(field(o, 'filteredAttributes'), `${q}.filteredAttributes`),
      timeUnixNano: nanos(field(o, 'timeUnixNano'), `${q}.timeUnixNano`),
      spanId: hexId(field(o, 'spanId'), `${q}.spanId`, 8),
      traceId: hexId(field(o, 'traceId'), `${q}.traceId`, 16),
    };
    if (asDouble !== undefined && asDouble !== null) x.asDouble = double(asDouble, `${q}.asDouble`);
    if (asInt !== undefined && asInt !== null) x.asInt = int64(asInt, `${q}.asInt`);
    return x;
  });
}

/** MetricsData to an OTLP/JSON object. */
export function metricsToJson(data: MetricsData): Json {
  return {
    resourceMetrics: data.resourceMetrics.map((rm) => {
      const o: Json = {
        resource: resourceJson(rm.resource),
        scopeMetrics: rm.scopeMetrics.map((sm) => {
          const so: Json = { scope: scopeJson(sm.scope), metrics: sm.metrics.map(metricJson) };
          if (sm.schemaUrl) so.schemaUrl = sm.schemaUrl;
          return so;
        }),
      };
      if (rm.schemaUrl) o.schemaUrl = rm.schemaUrl;
      return o;
    }),
  };
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
