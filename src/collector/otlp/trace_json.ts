/** OTLP/JSON codec for traces (`ExportTraceServiceRequest`), both directions. */

import type { Span, TracesData } from '../../model/otlp.js';
import {
  arr,
  field,
  hexId,
  int32,
  type Json,
  keyValues,
  keyValuesJson,
  nanos,
  obj,
  parseJsonBody,
  resource,
  resourceJson,
  scope,
  scopeJson,
  str,
} from './json_common.js';
import { decodeGuarded } from './OtlpDecodeError.js';

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

/** Decodes an OTLP/JSON trace request body; throws `OtlpDecodeError` naming the bad path. */
export function decodeTracesJson(text: string): TracesData {
  return decodeGuarded(() => decodeTracesJsonUnguarded(text));
}

function decodeTracesJsonUnguarded(text: string): TracesData {
  const root = parseJsonBody(text);
  const rsArr = arr(field(root, 'resourceSpans'), 'resourceSpans');
  return {
    resourceSpans: rsArr.map((x, i) => {
      const p = `resourceSpans[${i}]`;
      const o = obj(x, p) ?? {};
      const ssArr = arr(field(o, 'scopeSpans'), `${p}.scopeSpans`);
      return {
        resource: resource(o.resource, `${p}.resource`),
        scopeSpans: ssArr.map((y, j) => {
          const q = `${p}.scopeSpans[${j}]`;
          const so = obj(y, q) ?? {};
          const spans = arr(so.spans, `${q}.spans`);
          return {
            scope: scope(so.scope, `${q}.scope`),
            spans: spans.map((s, k) => decodeSpan(s, `${q}.spans[${k}]`)),
            schemaUrl: str(field(so, 'schemaUrl'), `${q}.schemaUrl`),
          };
        }),
        schemaUrl: str(field(o, 'schemaUrl'), `${p}.schemaUrl`),
      };
    }),
  };
}

function decodeSpan(v: unknown, p: string): Span {
  const o = obj(v, p) ?? {};
  const st = obj(o.status, `${p}.status`) ?? {};
  return {
    traceId: hexId(field(o, 'traceId'), `${p}.traceId`, 16),
    spanId: hexId(field(o, 'spanId'), `${p}.spanId`, 8),
    traceState: str(field(o, 'traceState'), `${p}.traceState`),
    parentSpanId: hexId(field(o, 'parentSpanId'), `${p}.parentSpanId`, 8),
    flags: int32(o.flags, `${p}.flags`) >>> 0,
    name: str(o.name, `${p}.name`),
    kind: int32(o.kind, `${p}.kind`, SPAN_KINDS),
    startTimeUnixNano: nanos(field(o, 'startTimeUnixNano'), `${p}.startTimeUnixNano`),
    endTimeUnixNano: nanos(field(o, 'endTimeUnixNano'), `${p}.endTimeUnixNano`),
    attributes: keyValues(o.attributes, `${p}.attributes`),
    droppedAttributesCount: int32(field(o, 'droppedAttributesCount'), `${p}.droppedAttributesCount`),
    events: arr(o.events, `${p}.events`).map((e, i) => {
      const q = `${p}.events[${i}]`;
      const eo = obj(e, q) ?? {};
      return {
        timeUnixNano: nanos(field(eo, 'timeUnixNano'), `${q}.timeUnixNano`),
        name: str(eo.name, `${q}.name`),
        attributes: keyValues(eo.attributes, `${q}.attributes`),
        droppedAttributesCount: int32(field(eo, 'droppedAttributesCount'), `${q}.droppedAttributesCount`),
      };
    }),
    droppedEventsCount: int32(field(o, 'droppedEventsCount'), `${p}.droppedEventsCount`),
    links: arr(o.links, `${p}.links`).map((l, i) => {
      const q = `${p}.links[${i}]`;
      const lo = obj(l, q) ?? {};
      return {
        traceId: hexId(field(lo, 'traceId'), `${q}.traceId`, 16),
        spanId: hexId(field(lo, 'spanId'), `${q}.spanId`, 8),
        traceState: str(field(lo, 'traceState'), `${q}.traceState`),
        attributes: keyValues(lo.attributes, `${q}.attributes`),
        droppedAttributesCount: int32(field(lo, 'droppedAttributesCount'), `${q}.droppedAttributesCount`),
        flags: int32(lo.flags, `${q}.flags`) >>> 0,
      };
    }),
    droppedLinksCount: int32(field(o, 'droppedLinksCount'), `${p}.droppedLinksCount`),
    status: {
      code: int32(st.code, `${p}.status.code`, STATUS_CODES),
      message: str(st.message, `${p}.status.message`),
    },
  };
}

/** TracesData to an OTLP/JSON object (64-bit integers as decimal strings). */
export function tracesToJson(data: TracesData): Json {
  return {
    resourceSpans: data.resourceSpans.map((rs) => {
      const o: Json = {
        resource: resourceJson(rs.resource),
        scopeSpans: rs.scopeSpans.map((ss) => {
          const so: Json = { scope: scopeJson(ss.scope), spans: ss.spans.map(spanJson) };
          if (ss.schemaUrl) so.schemaUrl = ss.schemaUrl;
          return so;
        }),
      };
      if (rs.schemaUrl) o.schemaUrl = rs.schemaUrl;
      return o;
    }),
  };
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
