/**
 * Protobuf encoder for `ExportMetricsServiceRequest`; field numbers are listed in
 * `metricsProtoDecode.ts`. Optional doubles (sum, min, max) are written only when set,
 * matching proto3 `optional` presence.
 */
import type {
  Exemplar,
  ExponentialHistogramDataPoint,
  HistogramDataPoint,
  Metric,
  MetricsData,
  NumberDataPoint,
  SummaryDataPoint,
} from '../../model/otlp.js';
import { encodeEnvelope, encodeKeyValues } from './commonProto.js';
import { encodeWithScratch, type ProtoWriter } from './ProtoWriter.js';

/**
 * Encodes `MetricsData` as an `ExportMetricsServiceRequest`; throws TypeError on a non-hex id.
 * Returns a right-sized copy, or, given `into`, appends there and returns that writer's view.
 */
export function encodeMetricsProto(data: MetricsData, into?: ProtoWriter): Uint8Array {
  if (!into) return encodeWithScratch((w) => encodeMetricsProto(data, w));
  encodeEnvelope(
    into,
    data.resourceMetrics,
    (r) => r.scopeMetrics,
    (s) => s.metrics,
    encodeMetric,
  );
  return into.finish();
}

function str(w: ProtoWriter, field: number, s: string): void {
  if (!s) return;
  w.tag(field, 2);
  w.string(s);
}

function times(w: ProtoWriter, start: bigint, time: bigint): void {
  if (start) {
    w.tag(2, 1);
    w.fixed64(start);
  }
  if (time) {
    w.tag(3, 1);
    w.fixed64(time);
  }
}

function encodeMetric(w: ProtoWriter, m: Metric): void {
  w.tag(2, 2);
  const s = w.fork();
  str(w, 1, m.name);
  str(w, 2, m.description);
  str(w, 3, m.unit);
  if (m.gauge) {
    w.tag(5, 2);
    const g = w.fork();
    for (const p of m.gauge.dataPoints) encodeNumberPoint(w, p);
    w.join(g);
  } else if (m.sum) {
    w.tag(7, 2);
    const g = w.fork();
    for (const p of m.sum.dataPoints) encodeNumberPoint(w, p);
    if (m.sum.aggregationTemporality) {
      w.tag(2, 0);
      w.int32(m.sum.aggregationTemporality);
    }
    if (m.sum.isMonotonic) {
      w.tag(3, 0);
      w.varint32(1);
    }
    w.join(g);
  } else if (m.histogram) {
    w.tag(9, 2);
    const g = w.fork();
    for (const p of m.histogram.dataPoints) encodeHistogramPoint(w, p);
    if (m.histogram.aggregationTemporality) {
      w.tag(2, 0);
      w.int32(m.histogram.aggregationTemporality);
    }
    w.join(g);
  } else if (m.exponentialHistogram) {
    w.tag(10, 2);
    const g = w.fork();
    for (const p of m.exponentialHistogram.dataPoints) encodeExpPoint(w, p);
    if (m.exponentialHistogram.aggregationTemporality) {
      w.tag(2, 0);
      w.int32(m.exponentialHistogram.aggregationTemporality);
    }
    w.join(g);
  } else if (m.summary) {
    w.tag(11, 2);
    const g = w.fork();
    for (const p of m.summary.dataPoints) encodeSummaryPoint(w, p);
    w.join(g);
  }
  encodeKeyValues(w, 12, m.metadata);
  w.join(s);
}

function encodeNumberPoint(w: ProtoWriter, p: NumberDataPoint): void {
  w.tag(1, 2);
  const s = w.fork();
  times(w, p.startTimeUnixNano, p.timeUnixNano);
  if (p.asDouble !== undefined) {
    w.tag(4, 1);
    w.double(p.asDouble);
  }
  for (const x of p.exemplars) encodeExemplar(w, 5, x);
  if (p.asInt !== undefined) {
    w.tag(6, 1);
    w.sfixed64(p.asInt);
  }
  encodeKeyValues(w, 7, p.attributes);
  if (p.flags) {
    w.tag(8, 0);
    w.varint32(p.flags);
  }
  w.join(s);
}

function optionalDouble(w: ProtoWriter, field: number, v: number | undefined): void {
  if (v === undefined) return;
  w.tag(field, 1);
  w.double(v);
}

function encodeHistogramPoint(w: ProtoWriter, p: HistogramDataPoint): void {
  w.tag(1, 2);
  const s = w.fork();
  times(w, p.startTimeUnixNano, p.timeUnixNano);
  w.tag(4, 1);
  w.fixed64(p.count);
  optionalDouble(w, 5, p.sum);
  if (p.bucketCounts.length) {
    w.tag(6, 2);
    w.varint32(p.bucketCounts.length * 8);
    for (const c of p.bucketCounts) w.fixed64(c);
  }
  if (p.explicitBounds.length) {
    w.tag(7, 2);
    w.varint32(p.explicitBounds.length * 8);
    for (const b of p.explicitBounds) w.double(b);
  }
  for (const x of p.exemplars) encodeExemplar(w, 8, x);
  encodeKeyValues(w, 9, p.attributes);
  if (p.flags) {
    w.tag(10, 0);
    w.varint32(p.flags);
  }
  optionalDouble(w, 11, p.min);
  optionalDouble(w, 12, p.max);
  w.join(s);
}

function encodeBuckets(
  w: ProtoWriter,
  field: number,
  b: { offset: number; bucketCounts: (number | bigint)[] },
) {
  w.tag(field, 2);
  const s = w.fork();
  if (b.offset) {
    w.tag(1, 0);
    w.sint32(b.offset);
  }
  if (b.bucketCounts.length) {
    w.tag(2, 2);
    const c = w.fork();
    for (const n of b.bucketCounts) w.varint64(n);
    w.join(c);
  }
  w.join(s);
}

function encodeExpPoint(w: ProtoWriter, p: ExponentialHistogramDataPoint): void {
  w.tag(1, 2);
  const s = w.fork();
  encodeKeyValues(w, 1, p.attributes);
  times(w, p.startTimeUnixNano, p.timeUnixNano);
  w.tag(4, 1);
  w.fixed64(p.count);
  optionalDouble(w, 5, p.sum);
  if (p.scale) {
    w.tag(6, 0);
    w.sint32(p.scale);
  }
  if (p.zeroCount) {
    w.tag(7, 1);
    w.fixed64(p.zeroCount);
  }
  encodeBuckets(w, 8, p.positive);
  encodeBuckets(w, 9, p.negative);
  if (p.flags) {
    w.tag(10, 0);
    w.varint32(p.flags);
  }
  for (const x of p.exemplars) encodeExemplar(w, 11, x);
  optionalDouble(w, 12, p.min);
  optionalDouble(w, 13, p.max);
  if (p.zeroThreshold) {
    w.tag(14, 1);
    w.double(p.zeroThreshold);
  }
  w.join(s);
}

function encodeSummaryPoint(w: ProtoWriter, p: SummaryDataPoint): void {
  w.tag(1, 2);
  const s = w.fork();
  times(w, p.startTimeUnixNano, p.timeUnixNano);
  w.tag(4, 1);
  w.fixed64(p.count);
  w.tag(5, 1);
  w.double(p.sum);
  for (const q of p.quantileValues) {
    w.tag(6, 2);
    const e = w.fork();
    w.tag(1, 1);
    w.double(q.quantile);
    w.tag(2, 1);
    w.double(q.value);
    w.join(e);
  }
  encodeKeyValues(w, 7, p.attributes);
  if (p.flags) {
    w.tag(8, 0);
    w.varint32(p.flags);
  }
  w.join(s);
}

function encodeExemplar(w: ProtoWriter, field: number, x: Exemplar): void {
  w.tag(field, 2);
  const s = w.fork();
  if (x.timeUnixNano) {
    w.tag(2, 1);
    w.fixed64(x.timeUnixNano);
  }
  if (x.asDouble !== undefined) {
    w.tag(3, 1);
    w.double(x.asDouble);
  }
  if (x.spanId) {
    w.tag(4, 2);
    w.hex(x.spanId);
  }
  if (x.traceId) {
    w.tag(5, 2);
    w.hex(x.traceId);
  }
  if (x.asInt !== undefined) {
    w.tag(6, 1);
    w.sfixed64(x.asInt);
  }
  encodeKeyValues(w, 7, x.filteredAttributes);
  w.join(s);
}
