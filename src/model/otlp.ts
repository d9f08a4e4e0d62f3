/**
 * OTLP data model as plain objects, mirroring `opentelemetry.proto.*.v1` field by field
 * (names in lowerCamelCase, as OTLP/JSON spells them). Receivers decode into it, processors
 * read and extend it, exporters encode it. Ids are lowercase hex strings ('' when absent);
 * 64-bit nanosecond timestamps are bigint so nothing is rounded on the way through.
 */

/** OTLP `AnyValue`: exactly one member is set, as in the proto's `oneof value`. */
export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** number when it is a safe integer, bigint otherwise (decoders choose; encoders accept both). */
  intValue?: number | bigint;
  doubleValue?: number;
  arrayValue?: { values: AnyValue[] };
  kvlistValue?: { values: KeyValue[] };
  bytesValue?: Uint8Array;
}

/** OTLP `KeyValue`. */
export interface KeyValue {
  key: string;
  value: AnyValue;
}

/** OTLP `Resource`. */
export interface Resource {
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

/** OTLP `InstrumentationScope`. */
export interface InstrumentationScope {
  name: string;
  version: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

/** OTLP `Span.SpanKind` values. */
export const SpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

/** OTLP `Status.StatusCode` values. */
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** OTLP `Span.Event`. */
export interface SpanEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

/** OTLP `Span.Link`. */
export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  flags: number;
}

/** OTLP `Span`. */
export interface Span {
  traceId: string;
  spanId: string;
  traceState: string;
  parentSpanId: string;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  events: SpanEvent[];
  droppedEventsCount: number;
  links: SpanLink[];
  droppedLinksCount: number;
  status: { code: number; message: string };
}

/** OTLP `ScopeSpans`. */
export interface ScopeSpans {
  scope: InstrumentationScope;
  spans: Span[];
  schemaUrl: string;
}

/** OTLP `ResourceSpans`. */
export interface ResourceSpans {
  resource: Resource;
  scopeSpans: ScopeSpans[];
  schemaUrl: string;
}

/** A batch of traces: the body of `ExportTraceServiceRequest`. */
export interface TracesData {
  resourceSpans: ResourceSpans[];
}

/** OTLP `LogRecord`. */
export interface LogRecord {
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  severityNumber: number;
  severityText: string;
  body: AnyValue | undefined;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  flags: number;
  traceId: string;
  spanId: string;
  eventName: string;
}

/** OTLP `ScopeLogs`. */
export interface ScopeLogs {
  scope: InstrumentationScope;
  logRecords: LogRecord[];
  schemaUrl: string;
}

/** OTLP `ResourceLogs`. */
export interface ResourceLogs {
  resource: Resource;
  scopeLogs: ScopeLogs[];
  schemaUrl: string;
}

/** A batch of logs: the body of `ExportLogsServiceRequest`. */
export interface LogsData {
  resourceLogs: ResourceLogs[];
}

/** A batch of metrics: the body of `ExportMetricsServiceRequest`. */
export interface MetricsData {
  resourceMetrics: ResourceMetrics[];
}

/** OTLP `ResourceMetrics`. */
export interface ResourceMetrics {
  resource: Resource;
  scopeMetrics: ScopeMetrics[];
  schemaUrl: string;
}

/** OTLP `ScopeMetrics`. */
export interface ScopeMetrics {
  scope: InstrumentationScope;
  metrics: Metric[];
  schemaUrl: string;
}

/**
 * OTLP `Metric`. Exactly one of the data members is set. The data point shapes follow
 * the proto (see `metrics.proto`); they are filled in by the OTLP codec.
 */
export interface Metric {
  name: string;
  description: string;
  unit: string;
  metadata: KeyValue[];
  gauge?: { dataPoints: NumberDataPoint[] };
  sum?: { dataPoints: NumberDataPoint[]; aggregationTemporality: number; isMonotonic: boolean };
  histogram?: { dataPoints: HistogramDataPoint[]; aggregationTemporality: number };
  exponentialHistogram?: { dataPoints: ExponentialHistogramDataPoint[]; aggregationTemporality: number };
  summary?: { dataPoints: SummaryDataPoint[] };
}

/** OTLP `Exemplar`. */
export interface Exemplar {
  filteredAttributes: KeyValue[];
  timeUnixNano: bigint;
  asDouble?: number;
  asInt?: number | bigint;
  spanId: string;
  traceId: string;
}

/** OTLP `NumberDataPoint`. */
export interface NumberDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  asDouble?: number;
  asInt?: number | bigint;
  exemplars: Exemplar[];
  flags: number;
}

/** OTLP `HistogramDataPoint`. */
export interface HistogramDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  count: number | bigint;
  sum?: number;
  bucketCounts: (number | bigint)[];
  explicitBounds: number[];
  exemplars: Exemplar[];
  flags: number;
  min?: number;
  max?: number;
}

/** OTLP `ExponentialHistogramDataPoint`. */
export interface ExponentialHistogramDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  count: number | bigint;
  sum?: number;
  scale: number;
  zeroCount: number | bigint;
  positive: { offset: number; bucketCounts: (number | bigint)[] };
  negative: { offset: number; bucketCounts: (number | bigint)[] };
  flags: number;
  exemplars: Exemplar[];
  min?: number;
  max?: number;
  zeroThreshold: number;
}

/** OTLP `SummaryDataPoint`. */
export interface SummaryDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  count: number | bigint;
  sum: number;
  quantileValues: { quantile: number; value: number }[];
  flags: number;
}

/** Counts spans in a batch (used for self-telemetry and batch sizing). */
export function countSpans(data: TracesData): number {
  let n = 0;
  for (const rs of data.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

/** Counts log records in a batch. */
export function countLogRecords(data: LogsData): number {
  let n = 0;
  for (const rl of data.resourceLogs) for (const sl of rl.scopeLogs) n += sl.logRecords.length;
  return n;
}

/** Counts metric data points in a batch. */
export function countDataPoints(data: MetricsData): number {
  let n = 0;
  for (const rm of data.resourceMetrics)
    for (const sm of rm.scopeMetrics)
      for (const m of sm.metrics) {
        const d = m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary;
        n += d ? d.dataPoints.length : 0;
      }
  return n;
}
