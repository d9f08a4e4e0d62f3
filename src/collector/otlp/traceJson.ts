/** OTLP/JSON codec for traces (`ExportTraceServiceRequest`), both directions. */

import type { Span, SpanEvent, SpanLink, TracesData } from '../../model/otlp.js';
import {
  arr,
  field,
  hexId,
  int32,
  type Json,
  keyValues,
  keyValuesJson,
  mapAt,
  nanos,
  obj,
  str,
} from './jsonCommon.js';
import { decodeEnvelopeJson, envelopeToJson } from './jsonEnvelope.js';

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, number> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

const KEYS = ['resourceSpans', 'scopeSpans', 'spans'] as const;

/** Decodes an OTLP/JSON trace request body; throws `OtlpDecodeError` naming the bad path. */
export function decodeTracesJson(text: string): TracesData {
  return decodeEnvelopeJson(text, KEYS, span);
}

function span(v: unknown): Span {
  const o = obj(v, '$') ?? {};
  const st = obj(o.status, 'status') ?? {};
  return {
    traceId: hexId(field(o, 'traceId'), 'traceId', 16),
    spanId: hexId(field(o, 'spanId'), 'spanId', 8),
    traceState: str(field(o, 'traceState'), 'traceState'),
    parentSpanId: hexId(field(o, 'parentSpanId'), 'parentSpanId', 8),
    flags: int32(o.flags, 'flags') >>> 0,
    name: str(o.name, 'name'),
    kind: int32(o.kind, 'kind', SPAN_KINDS),
    startTimeUnixNano: nanos(field(o, 'startTimeUnixNano'), 'startTimeUnixNano'),
    endTimeUnixNano: nanos(field(o, 'endTimeUnixNano'), 'endTimeUnixNano'),
    attributes: keyValues(o.attributes, 'attributes'),
    droppedAttributesCount: int32(field(o, 'droppedAttributesCount'), 'droppedAttributesCount'),
    events: mapAt(arr(o.events, 'events'), 'events', event),
    droppedEventsCount: int32(field(o, 'droppedEventsCount'), 'droppedEventsCount'),
    links: mapAt(arr(o.links, 'links'), 'links', link),
    droppedLinksCount: int32(field(o, 'droppedLinksCount'), 'droppedLinksCount'),
    status: { code: int32(st.code, 'status.code', STATUS_CODES), message: str(st.message, 'status.message') },
  };
}

function event(v: unknown): SpanEvent {
  const o = obj(v, '$') ?? {};
  return {
    timeUnixNano: nanos(field(o, 'timeUnixNano'), 'timeUnixNano'),
    name: str(o.name, 'name'),
    attributes: keyValues(o.attributes, 'attributes'),
    droppedAttributesCount: int32(field(o, 'droppedAttributesCount'), 'droppedAttributesCount'),
  };
}

function link(v: unknown): SpanLink {
  const o = obj(v, '$') ?? {};
  return {
    traceId: hexId(field(o, 'traceId'), 'traceId', 16),
    spanId: hexId(field(o, 'spanId'), 'spanId', 8),
    traceState: str(field(o, 'traceState'), 'traceState'),
    attributes: keyValues(o.attributes, 'attributes'),
    droppedAttributesCount: int32(field(o, 'droppedAttributesCount'), 'droppedAttributesCount'),
    flags: int32(o.flags, 'flags') >>> 0,
  };
}

/** TracesData to an OTLP/JSON object (64-bit integers as decimal strings). */
export function tracesToJson(data: TracesData): Json {
  return envelopeToJson(data, KEYS, spanJson);
}

/** Encodes TracesData as an OTLP/JSON string (one line, suitable for JSON-lines files). */
export function encodeTracesJson(data: TracesData): string {
  return JSON.stringify(tracesToJson(data));
}

function spanJson(s: Span): Json {
  const o: Json = { traceId: s.traceId, spanId: s.spanId };
  if (s.traceState) o.traceState = s.traceState;
  if (s.parentSpanId) o.parentSpanId = s.parentSpanId;
  if (s.flags) o.flags = s.flags;
  o.name = s.name;
  o.kind = s.kind;
  o.startTimeUnixNano = String(s.startTimeUnixNano);
  o.endTimeUnixNano = String(s.endTimeUnixNano);
  o.attributes = keyValuesJson(s.attributes);
  if (s.droppedAttributesCount) o.droppedAttributesCount = s.droppedAttributesCount;
  if (s.events.length)
    o.events = s.events.map((e) => {
      const eo: Json = { timeUnixNano: String(e.timeUnixNano), name: e.name };
      if (e.attributes.length) eo.attributes = keyValuesJson(e.attributes);
      if (e.droppedAttributesCount) eo.droppedAttributesCount = e.droppedAttributesCount;
      return eo;
    });
  if (s.droppedEventsCount) o.droppedEventsCount = s.droppedEventsCount;
  if (s.links.length)
    o.links = s.links.map((l) => {
      const lo: Json = { traceId: l.traceId, spanId: l.spanId };
      if (l.traceState) lo.traceState = l.traceState;
      if (l.attributes.length) lo.attributes = keyValuesJson(l.attributes);
      if (l.droppedAttributesCount) lo.droppedAttributesCount = l.droppedAttributesCount;
      if (l.flags) lo.flags = l.flags;
      return lo;
    });
  if (s.droppedLinksCount) o.droppedLinksCount = s.droppedLinksCount;
  const st: Json = {};
  if (s.status.code) st.code = s.status.code;
  if (s.status.message) st.message = s.status.message;
  o.status = st;
  return o;
}
