/**
 * Protobuf codec for `ExportTraceServiceRequest` / `TracesData` (trace.proto). Tags are
 * matched as whole numbers (field << 3 | wire type) so the common case is one switch;
 * a known field with the wrong wire type is malformed, an unknown field is skipped.
 *   ResourceSpans: resource 1, scope_spans 2, schema_url 3
 *   ScopeSpans: scope 1, spans 2, schema_url 3
 *   Span: trace_id 1, span_id 2, trace_state 3, parent_span_id 4, name 5, kind 6,
 *         start_time_unix_nano 7 (fixed64), end_time_unix_nano 8 (fixed64), attributes 9,
 *         dropped_attributes_count 10, events 11, dropped_events_count 12, links 13,
 *         dropped_links_count 14, status 15, flags 16 (fixed32)
 *   Event: time_unix_nano 1 (fixed64), name 2, attributes 3, dropped_attributes_count 4
 *   Link: trace_id 1, span_id 2, trace_state 3, attributes 4, dropped_attributes_count 5, flags 6 (fixed32)
 *   Status: message 2, code 3
 */

import type { ResourceSpans, ScopeSpans, Span, SpanLink, TracesData } from '../../model/otlp.js';
import {
  decodeResource,
  decodeScope,
  emptyResource,
  emptyScope,
  encodeEnvelope,
  encodeKeyValues,
  pushKeyValue,
} from './commonProto.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './DecodeLimits.js';
import { decodeSpanEvent, rawEventAttributes } from './lazyEvent.js';
import { decodeGuarded } from './OtlpDecodeError.js';
import { ProtoReader } from './ProtoReader.js';
import { encodeWithScratch, type ProtoWriter, varintSize } from './ProtoWriter.js';

/**
 * Decodes an `ExportTraceServiceRequest`; throws `OtlpDecodeError` when malformed. Span event
 * attributes may stay views of `bytes`, so the caller must not reuse or modify `bytes` after,
 * unless it passes `borrowed` (the kept attribute bytes are then copied).
 */
export function decodeTracesProto(
  bytes: Uint8Array,
  borrowed = false,
  limits: Readonly<DecodeLimits> = DEFAULT_DECODE_LIMITS,
  onDropped?: (n: number) => void,
): TracesData {
  return decodeGuarded(() => decodeTracesProtoUnguarded(bytes, borrowed, limits, onDropped));
}

function decodeTracesProtoUnguarded(
  bytes: Uint8Array,
  borrowed: boolean,
  limits: Readonly<DecodeLimits>,
  onDropped: ((n: number) => void) | undefined,
): TracesData {
  const r = new ProtoReader(bytes, borrowed, limits);
  const resourceSpans: ResourceSpans[] = [];
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag === 10) resourceSpans.push(decodeResourceSpans(r, r.delimited()));
    else if (tag >>> 3 === 1) r.wrongType('resource_spans', tag & 7);
    else r.skip(tag & 7);
  }
  if (r.dropped > 0) onDropped?.(r.dropped);
  return { resourceSpans };
}

function decodeResourceSpans(r: ProtoReader, end: number): ResourceSpans {
  const rs: ResourceSpans = { resource: emptyResource(), scopeSpans: [], schemaUrl: '' };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 18) rs.scopeSpans.push(decodeScopeSpans(r, r.delimited()));
    else if (tag === 10) rs.resource = decodeResource(r, r.delimited());
    else if (tag === 26) rs.schemaUrl = r.string();
    else if (tag >>> 3 <= 3) r.wrongType(`ResourceSpans field ${tag >>> 3}`, tag & 7);
    else r.skip(tag & 7);
  }
  return rs;
}

function decodeScopeSpans(r: ProtoReader, end: number): ScopeSpans {
  const ss: ScopeSpans = { scope: emptyScope(), spans: [], schemaUrl: '' };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 18) ss.spans.push(decodeSpan(r, r.delimited()));
    else if (tag === 10) ss.scope = decodeScope(r, r.delimited());
    else if (tag === 26) ss.schemaUrl = r.string();
    else if (tag >>> 3 <= 3) r.wrongType(`ScopeSpans field ${tag >>> 3}`, tag & 7);
    else r.skip(tag & 7);
  }
  return ss;
}

function decodeSpan(r: ProtoReader, end: number): Span {
  const s: Span = {
    traceId: '',
    spanId: '',
    traceState: '',
    parentSpanId: '',
    flags: 0,
    name: '',
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
  };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        s.traceId = r.id('Span.trace_id', 16);
        break;
      case 18:
        s.spanId = r.id('Span.span_id', 8);
        break;
      case 26:
        s.traceState = r.string();
        break;
      case 34:
        s.parentSpanId = r.id('Span.parent_span_id', 8);
        break;
      case 42:
        s.name = r.string();
        break;
      case 48:
        s.kind = r.int32();
        break;
      case 57:
        s.startTimeUnixNano = r.fixed64();
        break;
      case 65:
        s.endTimeUnixNano = r.fixed64();
        break;
      case 74:
        if (!pushKeyValue(r, s.attributes, r.delimited(), r.limits.attributeCount))
          s.droppedAttributesCount++;
        break;
      case 80:
        s.droppedAttributesCount += r.uint32();
        break;
      case 90:
        if (s.events.length < r.limits.eventCount) s.events.push(decodeSpanEvent(r, r.delimited()));
        else {
          r.pos = r.delimited();
          r.dropped++;
          s.droppedEventsCount++;
        }
        break;
      case 96:
        s.droppedEventsCount += r.uint32();
        break;
      case 106:
        if (s.links.length < r.limits.linkCount) s.links.push(decodeLink(r, r.delimited()));
        else {
          r.pos = r.delimited();
          r.dropped++;
          s.droppedLinksCount++;
        }
        break;
      case 112:
        s.droppedLinksCount += r.uint32();
        break;
      case 122: {
        const e = r.delimited();
        while (r.pos < e) {
          const t = r.uint32();
          if (t === 18) s.status.message = r.string();
          else if (t === 24) s.status.code = r.int32();
          else if (t >>> 3 === 2 || t >>> 3 === 3) r.wrongType(`Status field ${t >>> 3}`, t & 7);
          else r.skip(t & 7);
        }
        break;
      }
      case 133:
        s.flags = r.fixed32();
        break;
      default:
        if (tag >>> 3 >= 1 && tag >>> 3 <= 16) r.wrongType(`Span field ${tag >>> 3}`, tag & 7);
        r.skip(tag & 7);
    }
  }
  return s;
}

function decodeLink(r: ProtoReader, end: number): SpanLink {
  const l: SpanLink = {
    traceId: '',
    spanId: '',
    traceState: '',
    attributes: [],
    droppedAttributesCount: 0,
    flags: 0,
  };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        l.traceId = r.id('Span.Link.trace_id', 16);
        break;
      case 18:
        l.spanId = r.id('Span.Link.span_id', 8);
        break;
      case 26:
        l.traceState = r.string();
        break;
      case 34:
        if (!pushKeyValue(r, l.attributes, r.delimited(), r.limits.linkAttributeCount))
          l.droppedAttributesCount++;
        break;
      case 40:
        l.droppedAttributesCount += r.uint32();
        break;
      case 53:
        l.flags = r.fixed32();
        break;
      default:
        if (tag >>> 3 >= 1 && tag >>> 3 <= 6) r.wrongType(`Span.Link field ${tag >>> 3}`, tag & 7);
        r.skip(tag & 7);
    }
  }
  return l;
}

/**
 * Encodes `TracesData` as an `ExportTraceServiceRequest`; throws TypeError on a non-hex id.
 * Returns a right-sized copy, or, given `into`, appends there and returns that writer's view.
 */
export function encodeTracesProto(data: TracesData, into?: ProtoWriter): Uint8Array {
  if (!into) return encodeWithScratch((w) => encodeTracesProto(data, w));
  encodeEnvelope(
    into,
    data.resourceSpans,
    (r) => r.scopeSpans,
    (s) => s.spans,
    encodeSpan,
  );
  return into.finish();
}

/**
 * Length bytes reserved for the next span: as many as the previous span's length took, since
 * spans in a batch tend to be alike in size; a wrong guess only costs moving that span's body.
 */
let spanLengthBytes = 1;

/** Writes one span as `ScopeSpans.spans` (field 2), tag included. */
export function encodeSpan(w: ProtoWriter, s: Span): void {
  w.tag(2, 2);
  const reserved = spanLengthBytes;
  const start = w.fork(reserved);
  if (s.traceId) {
    w.tag(1, 2);
    w.hex(s.traceId);
  }
  if (s.spanId) {
    w.tag(2, 2);
    w.hex(s.spanId);
  }
  if (s.traceState) {
    w.tag(3, 2);
    w.string(s.traceState);
  }
  if (s.parentSpanId) {
    w.tag(4, 2);
    w.hex(s.parentSpanId);
  }
  w.tag(5, 2);
  w.string(s.name);
  if (s.kind) {
    w.tag(6, 0);
    w.int32(s.kind);
  }
  w.tag(7, 1);
  w.fixed64(s.startTimeUnixNano);
  w.tag(8, 1);
  w.fixed64(s.endTimeUnixNano);
  encodeKeyValues(w, 9, s.attributes);
  if (s.droppedAttributesCount) {
    w.tag(10, 0);
    w.varint32(s.droppedAttributesCount);
  }
  for (const ev of s.events) {
    w.tag(11, 2);
    const raw = rawEventAttributes(ev);
    // Kept attribute bytes give the event's size up front (time 9, name 2+, dropped up to 6 bytes).
    const eventLengthBytes = raw ? varintSize(raw.length + ev.name.length + 12) : 1;
    const e = w.fork(eventLengthBytes);
    w.tag(1, 1);
    w.fixed64(ev.timeUnixNano);
    w.tag(2, 2);
    w.string(ev.name);
    if (raw) w.external(raw);
    else encodeKeyValues(w, 3, ev.attributes);
    if (ev.droppedAttributesCount) {
      w.tag(4, 0);
      w.varint32(ev.droppedAttributesCount);
    }
    w.join(e, eventLengthBytes);
  }
  if (s.droppedEventsCount) {
    w.tag(12, 0);
    w.varint32(s.droppedEventsCount);
  }
  for (const l of s.links) {
    w.tag(13, 2);
    const e = w.fork();
    if (l.traceId) {
      w.tag(1, 2);
      w.hex(l.traceId);
    }
    if (l.spanId) {
      w.tag(2, 2);
      w.hex(l.spanId);
    }
    if (l.traceState) {
      w.tag(3, 2);
      w.string(l.traceState);
    }
    encodeKeyValues(w, 4, l.attributes);
    if (l.droppedAttributesCount) {
      w.tag(5, 0);
      w.varint32(l.droppedAttributesCount);
    }
    if (l.flags) {
      w.tag(6, 5);
      w.fixed32(l.flags);
    }
    w.join(e);
  }
  if (s.droppedLinksCount) {
    w.tag(14, 0);
    w.varint32(s.droppedLinksCount);
  }
  if (s.status.code || s.status.message) {
    w.tag(15, 2);
    const e = w.fork();
    if (s.status.message) {
      w.tag(2, 2);
      w.string(s.status.message);
    }
    if (s.status.code) {
      w.tag(3, 0);
      w.int32(s.status.code);
    }
    w.join(e);
  }
  if (s.flags) {
    w.tag(16, 5);
    w.fixed32(s.flags);
  }
  spanLengthBytes = varintSize(w.length - start);
  w.join(start, reserved);
}
