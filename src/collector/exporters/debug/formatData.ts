/**
 * Text renderings of OTLP batches for the debug exporter, laid out like the
 * OpenTelemetry Collector's debug exporter so its users can read them at a glance:
 * `normal` is one line per item, `detailed` is every field with attributes and events.
 */
import type {
  AnyValue,
  KeyValue,
  LogsData,
  Metric,
  MetricsData,
  Resource,
  TracesData,
} from '../../../model/otlp.js';

const SPAN_KINDS = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];
const STATUS = ['Unset', 'Ok', 'Error'];

/** Renders an AnyValue as the Collector does: `Str(x)`, `Int(1)`, `Slice([...])`, … */
export function formatValue(v: AnyValue | undefined): string {
  if (v === undefined) return 'Empty()';
  if (v.stringValue !== undefined) return `Str(${v.stringValue})`;
  if (v.boolValue !== undefined) return `Bool(${v.boolValue})`;
  if (v.intValue !== undefined) return `Int(${v.intValue})`;
  if (v.doubleValue !== undefined) return `Double(${v.doubleValue})`;
  if (v.bytesValue !== undefined) return `Bytes(${Buffer.from(v.bytesValue).toString('base64')})`;
  if (v.arrayValue !== undefined) return `Slice([${v.arrayValue.values.map(formatValue).join(', ')}])`;
  if (v.kvlistValue !== undefined) {
    return `Map({${v.kvlistValue.values.map((kv) => `${kv.key}: ${formatValue(kv.value)}`).join(', ')}})`;
  }
  return 'Empty()';
}

/** Renders a nanosecond timestamp as `2026-11-26 16:41:18.123456789 +0000 UTC`. */
export function formatTime(nanos: bigint): string {
  const ms = nanos / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString();
  const frac = (nanos % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${frac} +0000 UTC`;
}

function attributes(out: string[], title: string, attrs: readonly KeyValue[], indent = '     '): void {
  if (attrs.length === 0) return;
  out.push(`${title}:`);
  for (const kv of attrs) out.push(`${indent}-> ${kv.key}: ${formatValue(kv.value)}`);
}

function resourceLines(out: string[], kind: string, i: number, resource: Resource, schemaUrl: string): void {
  out.push(`${kind} #${i}`, `Resource SchemaURL: ${schemaUrl}`);
  attributes(out, 'Resource attributes', resource.attributes);
}

function compactAttrs(attrs: readonly KeyValue[]): string {
  return attrs
    .map((kv) => `${kv.key}=${formatValue(kv.value).replace(/^[A-Za-z]+\((.*)\)$/s, '$1')}`)
    .join(' ');
}

/** One line per span: `name traceId spanId attrs…`. */
export function tracesNormal(data: TracesData): string[] {
  const out: string[] = [];
  for (const rs of data.resourceSpans) {
    out.push(`ResourceSpans ${compactAttrs(rs.resource.attributes)}`.trimEnd());
    for (const ss of rs.scopeSpans) {
      out.push(`ScopeSpans ${ss.scope.name} ${ss.scope.version}`.trimEnd());
      for (const s of ss.spans)
        out.push(`${s.name} ${s.traceId} ${s.spanId} ${compactAttrs(s.attributes)}`.trimEnd());
    }
  }
  return out;
}

/** Every field of every span, with attributes, events and links. */
export function tracesDetailed(data: TracesData): string[] {
  const out: string[] = [];
  data.resourceSpans.forEach((rs, i) => {
    resourceLines(out, 'ResourceSpans', i, rs.resource, rs.schemaUrl);
    rs.scopeSpans.forEach((ss, j) => {
      out.push(`ScopeSpans #${j}`, `ScopeSpans SchemaURL: ${ss.schemaUrl}`);
      out.push(`InstrumentationScope ${ss.scope.name} ${ss.scope.version}`.trimEnd());
      ss.spans.forEach((s, k) => {
        out.push(
          `Span #${k}`,
          `    Trace ID       : ${s.traceId}`,
          `    Parent ID      : ${s.parentSpanId}`,
          `    ID             : ${s.spanId}`,
          `    Name           : ${s.name}`,
          `    Kind           : ${SPAN_KINDS[s.kind] ?? s.kind}`,
          `    Start time     : ${formatTime(s.startTimeUnixNano)}`,
          `    End time       : ${formatTime(s.endTimeUnixNano)}`,
          `    Status code    : ${STATUS[s.status.code] ?? s.status.code}`,
          `    Status message : ${s.status.message}`,
        );
        attributes(out, 'Attributes', s.attributes);
        if (s.events.length > 0) out.push('Events:');
        s.events.forEach((e, n) => {
          out.push(
            `SpanEvent #${n}`,
            `     -> Name: ${e.name}`,
            `     -> Timestamp: ${formatTime(e.timeUnixNano)}`,
            `     -> DroppedAttributesCount: ${e.droppedAttributesCount}`,
          );
          attributes(out, '     -> Attributes:', e.attributes, '         ');
        });
        if (s.links.length > 0) out.push('Links:');
        s.links.forEach((l, n) => {
          out.push(`SpanLink #${n}`, `     -> Trace ID: ${l.traceId}`, `     -> ID: ${l.spanId}`);
          attributes(out, '     -> Attributes:', l.attributes, '         ');
        });
      });
    });
  });
  return out;
}

/** One line per log record: `body attrs…`. */
export function logsNormal(data: LogsData): string[] {
  const out: string[] = [];
  for (const rl of data.resourceLogs) {
    out.push(`ResourceLog ${compactAttrs(rl.resource.attributes)}`.trimEnd());
    for (const sl of rl.scopeLogs) {
      for (const r of sl.logRecords) {
        const body = r.body === undefined ? '' : formatValue(r.body).replace(/^[A-Za-z]+\((.*)\)$/s, '$1');
        out.push(`${body} ${compactAttrs(r.attributes)}`.trimEnd());
      }
    }
  }
  return out;
}

/** Every field of every log record. */
export function logsDetailed(data: LogsData): string[] {
  const out: string[] = [];
  data.resourceLogs.forEach((rl, i) => {
    resourceLines(out, 'ResourceLog', i, rl.resource, rl.schemaUrl);
    rl.scopeLogs.forEach((sl, j) => {
      out.push(`ScopeLogs #${j}`, `ScopeLogs SchemaURL: ${sl.schemaUrl}`);
      out.push(`InstrumentationScope ${sl.scope.name} ${sl.scope.version}`.trimEnd());
      sl.logRecords.forEach((r, k) => {
        out.push(
          `LogRecord #${k}`,
          `ObservedTimestamp: ${formatTime(r.observedTimeUnixNano)}`,
          `Timestamp: ${formatTime(r.timeUnixNano)}`,
          `SeverityText: ${r.severityText}`,
          `SeverityNumber: ${r.severityNumber}`,
          `EventName: ${r.eventName}`,
          `Body: ${formatValue(r.body)}`,
        );
        attributes(out, 'Attributes', r.attributes);
        out.push(`Trace ID: ${r.traceId}`, `Span ID: ${r.spanId}`, `Flags: ${r.flags}`);
      });
    });
  });
  return out;
}

function metricType(m: Metric): string {
  if (m.gauge) return 'Gauge';
  if (m.sum) return 'Sum';
  if (m.histogram) return 'Histogram';
  if (m.exponentialHistogram) return 'ExponentialHistogram';
  if (m.summary) return 'Summary';
  return 'Empty';
}

/** One line per metric: `name type points`. */
export function metricsNormal(data: MetricsData): string[] {
  const out: string[] = [];
  for (const rm of data.resourceMetrics) {
    out.push(`ResourceMetrics ${compactAttrs(rm.resource.attributes)}`.trimEnd());
    for (const sm of rm.scopeMetrics) {
      for (const m of sm.metrics) {
        const points =
          (m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary)?.dataPoints.length ?? 0;
        out.push(`${m.name} ${metricType(m)} ${points} points`);
      }
    }
  }
  return out;
}

/** Every metric with its data points' attributes and values. */
export function metricsDetailed(data: MetricsData): string[] {
  const out: string[] = [];
  data.resourceMetrics.forEach((rm, i) => {
    resourceLines(out, 'ResourceMetrics', i, rm.resource, rm.schemaUrl);
    rm.scopeMetrics.forEach((sm, j) => {
      out.push(`ScopeMetrics #${j}`, `ScopeMetrics SchemaURL: ${sm.schemaUrl}`);
      out.push(`InstrumentationScope ${sm.scope.name} ${sm.scope.version}`.trimEnd());
      sm.metrics.forEach((m, k) => {
        out.push(
          `Metric #${k}`,
          'Descriptor:',
          `     -> Name: ${m.name}`,
          `     -> Description: ${m.description}`,
          `     -> Unit: ${m.unit}`,
          `     -> DataType: ${metricType(m)}`,
        );
        const points: { attributes: KeyValue[]; timeUnixNano: bigint }[] =
          (m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary)?.dataPoints ?? [];
        points.forEach((p, n) => {
          out.push(`DataPoint #${n}`);
          attributes(out, 'Data point attributes', p.attributes);
          out.push(`Timestamp: ${formatTime(p.timeUnixNano)}`, `Value: ${pointValue(p)}`);
        });
      });
    });
  });
  return out;
}

function pointValue(p: object): string {
  const v = p as { asDouble?: number; asInt?: number | bigint; count?: number | bigint; sum?: number };
  if (v.asDouble !== undefined) return String(v.asDouble);
  if (v.asInt !== undefined) return String(v.asInt);
  return `count=${String(v.count)} sum=${String(v.sum)}`;
}
