/**
 * OTLP → SpanRecord. Lives in the analysis core (it only reads the plain OTLP model) so
 * the collector and tests can feed the Analyzer without importing each other.
 */
import type { AnyValue, KeyValue, ResourceSpans, Span, SpanEvent, TracesData } from '../../model/otlp.js';
import { StatusCode } from '../../model/otlp.js';
import type { PlainAttributes, PlainValue, SpanRecord, SpanRecordStatus } from '../../model/spanRecord.js';

/** Converts an OTLP `AnyValue` to a plain value (bytes become base64, 64-bit ints numbers). */
export function plainFromAnyValue(v: AnyValue | undefined): PlainValue {
  if (v === undefined) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return v.arrayValue.values.map(plainFromAnyValue);
  if (v.kvlistValue !== undefined) return plainFromKeyValues(v.kvlistValue.values);
  if (v.bytesValue !== undefined) {
    let s = '';
    for (const b of v.bytesValue) s += String.fromCharCode(b);
    return btoa(s);
  }
  return null;
}

/** Converts OTLP key-values to a plain attribute map (a repeated key keeps its last value). */
export function plainFromKeyValues(kvs: readonly KeyValue[]): PlainAttributes {
  const out: PlainAttributes = {};
  for (const kv of kvs) out[kv.key] = plainFromAnyValue(kv.value);
  return out;
}

/** Nanoseconds since the epoch → milliseconds, keeping microsecond precision. */
export function nanosToMs(ns: bigint | number): number {
  if (typeof ns === 'number') return ns / 1e6;
  return Number(ns / 1000n) / 1000;
}

function statusOf(code: number): SpanRecordStatus {
  if (code === StatusCode.ERROR) return 'error';
  if (code === StatusCode.OK) return 'ok';
  return 'unset';
}

/** Reads a span event's attributes without changing the event. */
export type EventAttributesReader = (event: SpanEvent) => readonly KeyValue[];

const readAttributes: EventAttributesReader = (e) => e.attributes;

/**
 * Converts one OTLP span, given its resource's attributes already converted. `eventAttributes`
 * reads each event's attributes (a collector passes one that leaves lazily decoded events unread).
 */
export function fromOtlpSpan(
  span: Span,
  resource: PlainAttributes,
  eventAttributes: EventAttributesReader = readAttributes,
): SpanRecord {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    startMs: nanosToMs(span.startTimeUnixNano),
    endMs: nanosToMs(span.endTimeUnixNano),
    status: statusOf(span.status.code),
    resource,
    attributes: plainFromKeyValues(span.attributes),
    events: span.events.map((e) => ({
      name: e.name,
      timeMs: nanosToMs(e.timeUnixNano),
      attributes: plainFromKeyValues(eventAttributes(e)),
    })),
    links: span.links.map((l) => ({
      traceId: l.traceId,
      spanId: l.spanId,
      attributes: plainFromKeyValues(l.attributes),
    })),
  };
}

/** Converts every span of some `ResourceSpans` (or a whole `TracesData`) in order. */
export function fromOtlpSpans(
  data: TracesData | readonly ResourceSpans[],
  eventAttributes: EventAttributesReader = readAttributes,
): SpanRecord[] {
  const list = Array.isArray(data) ? data : (data as TracesData).resourceSpans;
  const out: SpanRecord[] = [];
  for (const rs of list as readonly ResourceSpans[]) {
    const resource = plainFromKeyValues(rs.resource.attributes);
    for (const ss of rs.scopeSpans)
      for (const span of ss.spans) out.push(fromOtlpSpan(span, resource, eventAttributes));
  }
  return out;
}
