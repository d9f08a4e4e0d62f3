/**
 * Converts what the OpenTelemetry SDK's MeterProvider collected (`ResourceMetrics` of
 * `@opentelemetry/sdk-metrics`) into mlobs' OTLP model, field by field, so the collector's one
 * metrics stack reaches the Prometheus serializer and the metrics pipelines without a trip
 * through OTLP/JSON text. Numbers follow the OTLP/JSON serializer of `otlp-transformer`:
 * an instrument of value type INT gives `asInt`, any other `asDouble`; an integral number
 * attribute is an `intValue`.
 */
import { type Attributes, type AttributeValue, type HrTime, ValueType } from '@opentelemetry/api';
import {
  DataPointType,
  type MetricData,
  type ResourceMetrics as SdkResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { AnyValue, KeyValue, Metric, MetricsData, NumberDataPoint } from '../../model/otlp.js';

/** Nanoseconds since the epoch of an SDK high-resolution time, exactly. */
function nanos(t: HrTime): bigint {
  return BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
}

function anyValue(v: AttributeValue): AnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: v } : { doubleValue: v };
  return {
    arrayValue: {
      values: (v as readonly (string | number | boolean | null | undefined)[]).map((x) =>
        x === null || x === undefined ? {} : anyValue(x),
      ),
    },
  };
}

function keyValues(attrs: Attributes): KeyValue[] {
  const out: KeyValue[] = [];
  for (const [key, v] of Object.entries(attrs)) if (v !== undefined) out.push({ key, value: anyValue(v) });
  return out;
}

function metric(m: MetricData): Metric {
  const base = { name: m.descriptor.name, description: m.descriptor.description, unit: m.descriptor.unit };
  const head = { ...base, metadata: [] };
  const temporality = m.aggregationTemporality === 0 ? 1 : 2; // SDK DELTA=0, CUMULATIVE=1; OTLP DELTA=1, CUMULATIVE=2
  switch (m.dataPointType) {
    case DataPointType.SUM:
    case DataPointType.GAUGE: {
      const int = m.descriptor.valueType === ValueType.INT;
      const dataPoints: NumberDataPoint[] = m.dataPoints.map((p) => ({
        attributes: keyValues(p.attributes),
        startTimeUnixNano: nanos(p.startTime),
        timeUnixNano: nanos(p.endTime),
        ...(int ? { asInt: p.value } : { asDouble: p.value }),
        exemplars: [],
        flags: 0,
      }));
      return m.dataPointType === DataPointType.SUM
        ? { ...head, sum: { dataPoints, aggregationTemporality: temporality, isMonotonic: m.isMonotonic } }
        : { ...head, gauge: { dataPoints } };
    }
    case DataPointType.HISTOGRAM:
      return {
        ...head,
        histogram: {
          aggregationTemporality: temporality,
          dataPoints: m.dataPoints.map((p) => ({
            attributes: keyValues(p.attributes),
            startTimeUnixNano: nanos(p.startTime),
            timeUnixNano: nanos(p.endTime),
            count: p.value.count,
            ...(p.value.sum === undefined ? {} : { sum: p.value.sum }),
            bucketCounts: [...p.value.buckets.counts],
            explicitBounds: [...p.value.buckets.boundaries],
            exemplars: [],
            flags: 0,
            ...(p.value.min === undefined ? {} : { min: p.value.min }),
            ...(p.value.max === undefined ? {} : { max: p.value.max }),
          })),
        },
      };
    case DataPointType.EXPONENTIAL_HISTOGRAM:
      return {
        ...head,
        exponentialHistogram: {
          aggregationTemporality: temporality,
          dataPoints: m.dataPoints.map((p) => ({
            attributes: keyValues(p.attributes),
            startTimeUnixNano: nanos(p.startTime),
            timeUnixNano: nanos(p.endTime),
            count: p.value.count,
            ...(p.value.sum === undefined ? {} : { sum: p.value.sum }),
            scale: p.value.scale,
            zeroCount: p.value.zeroCount,
            zeroThreshold: 0, // the SDK's exponential histogram counts only exact zeros
            positive: { offset: p.value.positive.offset, bucketCounts: [...p.value.positive.bucketCounts] },
            negative: { offset: p.value.negative.offset, bucketCounts: [...p.value.negative.bucketCounts] },
            flags: 0,
            exemplars: [],
            ...(p.value.min === undefined ? {} : { min: p.value.min }),
            ...(p.value.max === undefined ? {} : { max: p.value.max }),
          })),
        },
      };
  }
}

/**
 * The SDK's collection as one OTLP metrics batch; with `keep`, only the instrumentation
 * scopes it accepts. Scopes left with no metric are dropped, and so is the resource when
 * no scope is left (an empty batch has `resourceMetrics: []`).
 */
export function fromSdkMetrics(rm: SdkResourceMetrics, keep?: (scope: string) => boolean): MetricsData {
  const scopeMetrics = rm.scopeMetrics
    .filter((sm) => sm.metrics.length > 0 && (keep === undefined || keep(sm.scope.name)))
    .map((sm) => ({
      scope: {
        name: sm.scope.name,
        version: sm.scope.version ?? '',
        attributes: [],
        droppedAttributesCount: 0,
      },
      metrics: sm.metrics.map(metric),
      schemaUrl: sm.scope.schemaUrl ?? '',
    }));
  if (scopeMetrics.length === 0) return { resourceMetrics: [] };
  return {
    resourceMetrics: [
      {
        resource: { attributes: keyValues(rm.resource.attributes), droppedAttributesCount: 0 },
        scopeMetrics,
        schemaUrl: rm.resource.schemaUrl ?? '',
      },
    ],
  };
}
