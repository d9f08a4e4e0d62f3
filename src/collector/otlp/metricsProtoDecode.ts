/**
 * Protobuf decoder for `ExportMetricsServiceRequest` (metrics.proto). Field numbers:
 *   ResourceMetrics: resource 1, scope_metrics 2, schema_url 3; ScopeMetrics: scope 1, metrics 2, schema_url 3
 *   Metric: name 1, description 2, unit 3, gauge 5, sum 7, histogram 9, exponential_histogram 10,
 *           summary 11, metadata 12
 *   Gauge/Summary: data_points 1; Sum: data_points 1, aggregation_temporality 2, is_monotonic 3;
 *   Histogram/ExponentialHistogram: data_points 1, aggregation_temporality 2
 *   NumberDataPoint: start 2, time 3 (fixed64), as_double 4, exemplars 5, as_int 6 (sfixed64), attributes 7, flags 8
 *   HistogramDataPoint: start 2, time 3, count 4 (fixed64), sum 5, bucket_counts 6 (packed fixed64),
 *           explicit_bounds 7 (packed double), exemplars 8, attributes 9, flags 10, min 11, max 12
 *   ExponentialHistogramDataPoint: attributes 1, start 2, time 3, count 4, sum 5, scale 6 (sint32),
 *           zero_count 7 (fixed64), positive 8, negative 9, flags 10, exemplars 11, min 12, max 13, zero_threshold 14
 *   Buckets: offset 1 (sint32), bucket_counts 2 (packed uint64)
 *   SummaryDataPoint: start 2, time 3, count 4, sum 5, quantile_values 6, attributes 7, flags 8
 *   ValueAtQuantile: quantile 1, value 2
 *   Exemplar: time 2 (fixed64), as_double 3, span_id 4, trace_id 5, as_int 6 (sfixed64), filtered_attributes 7
 */

import type {
  Exemplar,
  ExponentialHistogramDataPoint,
  HistogramDataPoint,
  Metric,
  MetricsData,
  NumberDataPoint,
  ResourceMetrics,
  ScopeMetrics,
  SummaryDataPoint,
} from '../../model/otlp.js';
import {
  decodeKeyValue,
  decodeResource,
  decodeScope,
  emptyResource,
  emptyScope,
  pushKeyValue,
} from './commonProto.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './DecodeLimits.js';
import { decodeGuarded } from './OtlpDecodeError.js';
import { ProtoReader } from './ProtoReader.js';

/** Decodes an `ExportMetricsServiceRequest`; throws `OtlpDecodeError` when malformed. */
export function decodeMetricsProto(
  bytes: Uint8Array,
  _borrowed = false,
  limits: Readonly<DecodeLimits> = DEFAULT_DECODE_LIMITS,
  onDropped?: (n: number) => void,
): MetricsData {
  return decodeGuarded(() => decodeMetricsProtoUnguarded(bytes, limits, onDropped));
}

function decodeMetricsProtoUnguarded(
  bytes: Uint8Array,
  limits: Readonly<DecodeLimits>,
  onDropped: ((n: number) => void) | undefined,
): MetricsData {
  const r = new ProtoReader(bytes, false, limits);
  const resourceMetrics: ResourceMetrics[] = [];
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag === 10) resourceMetrics.push(decodeResourceMetrics(r, r.delimited()));
    else r.other(tag, 'ExportMetricsServiceRequest', 1, 1);
  }
  if (r.dropped > 0) onDropped?.(r.dropped);
  return { resourceMetrics };
}

function decodeResourceMetrics(r: ProtoReader, end: number): ResourceMetrics {
  const rm: ResourceMetrics = { resource: emptyResource(), scopeMetrics: [], schemaUrl: '' };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 18) rm.scopeMetrics.push(decodeScopeMetrics(r, r.delimited()));
    else if (tag === 10) rm.resource = decodeResource(r, r.delimited());
    else if (tag === 26) rm.schemaUrl = r.string();
    else r.other(tag, 'ResourceMetrics', 1, 3);
  }
  return rm;
}

function decodeScopeMetrics(r: ProtoReader, end: number): ScopeMetrics {
  const sm: ScopeMetrics = { scope: emptyScope(), metrics: [], schemaUrl: '' };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 18) sm.metrics.push(decodeMetric(r, r.delimited()));
    else if (tag === 10) sm.scope = decodeScope(r, r.delimited());
    else if (tag === 26) sm.schemaUrl = r.string();
    else r.other(tag, 'ScopeMetrics', 1, 3);
  }
  return sm;
}

function decodeMetric(r: ProtoReader, end: number): Metric {
  const m: Metric = { name: '', description: '', unit: '', metadata: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        m.name = r.string();
        break;
      case 18:
        m.description = r.string();
        break;
      case 26:
        m.unit = r.string();
        break;
      case 42:
        m.gauge = { dataPoints: decodeData(r, 'Gauge', 1, decodeNumberPoint).dataPoints };
        break;
      case 58:
        m.sum = decodeData(r, 'Sum', 3, decodeNumberPoint);
        break;
      case 74: {
        const { dataPoints, aggregationTemporality } = decodeData(r, 'Histogram', 2, decodeHistogramPoint);
        m.histogram = { dataPoints, aggregationTemporality };
        break;
      }
      case 82: {
        const { dataPoints, aggregationTemporality } = decodeData(
          r,
          'ExponentialHistogram',
          2,
          decodeExpPoint,
        );
        m.exponentialHistogram = { dataPoints, aggregationTemporality };
        break;
      }
      case 90:
        m.summary = { dataPoints: decodeData(r, 'Summary', 1, decodeSummaryPoint).dataPoints };
        break;
      case 98:
        m.metadata.push(decodeKeyValue(r, r.delimited()));
        break;
      default:
        r.other(tag, 'Metric', 1, 12);
    }
  }
  return m;
}

/**
 * Decodes the delimited body of a Gauge, Sum, Histogram, ExponentialHistogram or Summary: all
 * five hold data points at field 1 and differ only in whether they carry aggregation_temporality
 * (field 2) and is_monotonic (field 3), so `lastField` says which of those this message knows.
 */
function decodeData<P>(
  r: ProtoReader,
  message: string,
  lastField: 1 | 2 | 3,
  point: (r: ProtoReader, end: number) => P,
): { dataPoints: P[]; aggregationTemporality: number; isMonotonic: boolean } {
  const e = r.delimited();
  const d = { dataPoints: [] as P[], aggregationTemporality: 0, isMonotonic: false };
  while (r.pos < e) {
    const t = r.uint32();
    if (t === 10) d.dataPoints.push(point(r, r.delimited()));
    else if (t === 16 && lastField >= 2) d.aggregationTemporality = r.int32();
    else if (t === 24 && lastField === 3) d.isMonotonic = r.bool();
    else r.other(t, message, 1, lastField);
  }
  return d;
}

function decodeNumberPoint(r: ProtoReader, end: number): NumberDataPoint {
  const p: NumberDataPoint = {
    attributes: [],
    startTimeUnixNano: 0n,
    timeUnixNano: 0n,
    exemplars: [],
    flags: 0,
  };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 17) p.startTimeUnixNano = r.fixed64();
    else if (tag === 25) p.timeUnixNano = r.fixed64();
    else if (tag === 33) p.asDouble = r.double();
    else if (tag === 42) p.exemplars.push(decodeExemplar(r, r.delimited()));
    else if (tag === 49) p.asInt = r.sfixed64();
    else if (tag === 58) pushKeyValue(r, p.attributes, r.delimited(), r.limits.attributeCount);
    else if (tag === 64) p.flags = r.uint32();
    else r.other(tag, 'NumberDataPoint', 2, 8);
  }
  return p;
}

function decodeHistogramPoint(r: ProtoReader, end: number): HistogramDataPoint {
  const p: HistogramDataPoint = {
    attributes: [],
    startTimeUnixNano: 0n,
    timeUnixNano: 0n,
    count: 0,
    bucketCounts: [],
    explicitBounds: [],
    exemplars: [],
    flags: 0,
  };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 17:
        p.startTimeUnixNano = r.fixed64();
        break;
      case 25:
        p.timeUnixNano = r.fixed64();
        break;
      case 33:
        p.count = r.fixed64Num();
        break;
      case 41:
        p.sum = r.double();
        break;
      case 50: {
        const e = r.delimited();
        while (r.pos < e) p.bucketCounts.push(r.fixed64Num());
        break;
      }
      case 49:
        p.bucketCounts.push(r.fixed64Num());
        break;
      case 58: {
        const e = r.delimited();
        while (r.pos < e) p.explicitBounds.push(r.double());
        break;
      }
      case 57:
        p.explicitBounds.push(r.double());
        break;
      case 66:
        p.exemplars.push(decodeExemplar(r, r.delimited()));
        break;
      case 74:
        pushKeyValue(r, p.attributes, r.delimited(), r.limits.attributeCount);
        break;
      case 80:
        p.flags = r.uint32();
        break;
      case 89:
        p.min = r.double();
        break;
      case 97:
        p.max = r.double();
        break;
      default:
        r.other(tag, 'HistogramDataPoint', 2, 12);
    }
  }
  return p;
}

function decodeBuckets(r: ProtoReader, end: number): { offset: number; bucketCounts: (number | bigint)[] } {
  const b = { offset: 0, bucketCounts: [] as (number | bigint)[] };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 8) b.offset = r.sint32();
    else if (tag === 18) {
      const e = r.delimited();
      while (r.pos < e) b.bucketCounts.push(r.uint64());
    } else if (tag === 16) b.bucketCounts.push(r.uint64());
    else r.other(tag, 'Buckets', 1, 2);
  }
  return b;
}

function decodeExpPoint(r: ProtoReader, end: number): ExponentialHistogramDataPoint {
  const p: ExponentialHistogramDataPoint = {
    attributes: [],
    startTimeUnixNano: 0n,
    timeUnixNano: 0n,
    count: 0,
    scale: 0,
    zeroCount: 0,
    positive: { offset: 0, bucketCounts: [] },
    negative: { offset: 0, bucketCounts: [] },
    flags: 0,
    exemplars: [],
    zeroThreshold: 0,
  };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        pushKeyValue(r, p.attributes, r.delimited(), r.limits.attributeCount);
        break;
      case 17:
        p.startTimeUnixNano = r.fixed64();
        break;
      case 25:
        p.timeUnixNano = r.fixed64();
        break;
      case 33:
        p.count = r.fixed64Num();
        break;
      case 41:
        p.sum = r.double();
        break;
      case 48:
        p.scale = r.sint32();
        break;
      case 57:
        p.zeroCount = r.fixed64Num();
        break;
      case 66:
        p.positive = decodeBuckets(r, r.delimited());
        break;
      case 74:
        p.negative = decodeBuckets(r, r.delimited());
        break;
      case 80:
        p.flags = r.uint32();
        break;
      case 90:
        p.exemplars.push(decodeExemplar(r, r.delimited()));
        break;
      case 97:
        p.min = r.double();
        break;
      case 105:
        p.max = r.double();
        break;
      case 113:
        p.zeroThreshold = r.double();
        break;
      default:
        r.other(tag, 'ExponentialHistogramDataPoint', 1, 14);
    }
  }
  return p;
}

function decodeSummaryPoint(r: ProtoReader, end: number): SummaryDataPoint {
  const p: SummaryDataPoint = {
    attributes: [],
    startTimeUnixNano: 0n,
    timeUnixNano: 0n,
    count: 0,
    sum: 0,
    quantileValues: [],
    flags: 0,
  };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 17) p.startTimeUnixNano = r.fixed64();
    else if (tag === 25) p.timeUnixNano = r.fixed64();
    else if (tag === 33) p.count = r.fixed64Num();
    else if (tag === 41) p.sum = r.double();
    else if (tag === 50) {
      const e = r.delimited();
      const q = { quantile: 0, value: 0 };
      while (r.pos < e) {
        const t = r.uint32();
        if (t === 9) q.quantile = r.double();
        else if (t === 17) q.value = r.double();
        else r.other(t, 'ValueAtQuantile', 1, 2);
      }
      p.quantileValues.push(q);
    } else if (tag === 58) pushKeyValue(r, p.attributes, r.delimited(), r.limits.attributeCount);
    else if (tag === 64) p.flags = r.uint32();
    else r.other(tag, 'SummaryDataPoint', 2, 8);
  }
  return p;
}

function decodeExemplar(r: ProtoReader, end: number): Exemplar {
  const x: Exemplar = { filteredAttributes: [], timeUnixNano: 0n, spanId: '', traceId: '' };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 17) x.timeUnixNano = r.fixed64();
    else if (tag === 25) x.asDouble = r.double();
    else if (tag === 34) x.spanId = r.id('Exemplar.span_id', 8);
    else if (tag === 42) x.traceId = r.id('Exemplar.trace_id', 16);
    else if (tag === 49) x.asInt = r.sfixed64();
    else if (tag === 58) pushKeyValue(r, x.filteredAttributes, r.delimited(), r.limits.attributeCount);
    else r.other(tag, 'Exemplar', 2, 7);
  }
  return x;
}
