/**
 * Protobuf codec for `ExportLogsServiceRequest` / `LogsData` (logs.proto).
 *   ResourceLogs: resource 1, scope_logs 2, schema_url 3
 *   ScopeLogs: scope 1, log_records 2, schema_url 3
 *   LogRecord: time_unix_nano 1 (fixed64), severity_number 2, severity_text 3, body 5,
 *              attributes 6, dropped_attributes_count 7, flags 8 (fixed32), trace_id 9,
 *              span_id 10, observed_time_unix_nano 11 (fixed64), event_name 12
 */

import type { LogRecord, LogsData, ResourceLogs, ScopeLogs } from '../../model/otlp.js';
import {
  decodeAnyValue,
  decodeResource,
  decodeScope,
  emptyResource,
  emptyScope,
  encodeAnyValue,
  encodeEnvelope,
  encodeKeyValues,
  pushKeyValue,
} from './commonProto.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './DecodeLimits.js';
import { decodeGuarded } from './OtlpDecodeError.js';
import { ProtoReader } from './ProtoReader.js';
import { encodeWithScratch, type ProtoWriter } from './ProtoWriter.js';

/** Decodes an `ExportLogsServiceRequest`; throws `OtlpDecodeError` when malformed. */
export function decodeLogsProto(
  bytes: Uint8Array,
  _borrowed = false,
  limits: Readonly<DecodeLimits> = DEFAULT_DECODE_LIMITS,
  onDropped?: (n: number) => void,
): LogsData {
  return decodeGuarded(() => decodeLogsProtoUnguarded(bytes, limits, onDropped));
}

function decodeLogsProtoUnguarded(
  bytes: Uint8Array,
  limits: Readonly<DecodeLimits>,
  onDropped: ((n: number) => void) | undefined,
): LogsData {
  const r = new ProtoReader(bytes, false, limits);
  const resourceLogs: ResourceLogs[] = [];
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag === 10) resourceLogs.push(decodeResourceLogs(r, r.delimited()));
    else if (tag >>> 3 === 1) r.wrongType('resource_logs', tag & 7);
    else r.skip(tag & 7);
  }
  if (r.dropped > 0) onDropped?.(r.dropped);
  return { resourceLogs };
}

function decodeResourceLogs(r: ProtoReader, end: number): ResourceLogs {
  const rl: ResourceLogs = { resource: emptyResource(), scopeLogs: [], schemaUrl: '' };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 18) rl.scopeLogs.push(decodeScopeLogs(r, r.delimited()));
    else if (tag === 10) rl.resource = decodeResource(r, r.delimited());
    else if (tag === 26) rl.schemaUrl = r.string();
    else if (tag >>> 3 <= 3) r.wrongType(`ResourceLogs field ${tag >>> 3}`, tag & 7);
    else r.skip(tag & 7);
  }
  return rl;
}

function decodeScopeLogs(r: ProtoReader, end: number): ScopeLogs {
  const sl: ScopeLogs = { scope: emptyScope(), logRecords: [], schemaUrl: '' };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 18) sl.logRecords.push(decodeLogRecord(r, r.delimited()));
    else if (tag === 10) sl.scope = decodeScope(r, r.delimited());
    else if (tag === 26) sl.schemaUrl = r.string();
    else if (tag >>> 3 <= 3) r.wrongType(`ScopeLogs field ${tag >>> 3}`, tag & 7);
    else r.skip(tag & 7);
  }
  return sl;
}

function decodeLogRecord(r: ProtoReader, end: number): LogRecord {
  const lr: LogRecord = {
    timeUnixNano: 0n,
    observedTimeUnixNano: 0n,
    severityNumber: 0,
    severityText: '',
    body: undefined,
    attributes: [],
    droppedAttributesCount: 0,
    flags: 0,
    traceId: '',
    spanId: '',
    eventName: '',
  };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 9:
        lr.timeUnixNano = r.fixed64();
        break;
      case 16:
        lr.severityNumber = r.int32();
        break;
      case 26:
        lr.severityText = r.string();
        break;
      case 42: {
        // An empty AnyValue carries no value: treat it as no body, as the JSON decoder does.
        const body = decodeAnyValue(r, r.delimited());
        lr.body = Object.keys(body).length === 0 ? undefined : body;
        break;
      }
      case 50:
        if (!pushKeyValue(r, lr.attributes, r.delimited(), r.limits.attributeCount))
          lr.droppedAttributesCount++;
        break;
      case 56:
        lr.droppedAttributesCount += r.uint32();
        break;
      case 69:
        lr.flags = r.fixed32();
        break;
      case 74:
        lr.traceId = r.id('LogRecord.trace_id', 16);
        break;
      case 82:
        lr.spanId = r.id('LogRecord.span_id', 8);
        break;
      case 89:
        lr.observedTimeUnixNano = r.fixed64();
        break;
      case 98:
        lr.eventName = r.string();
        break;
      default:
        if ((tag >>> 3 >= 1 && tag >>> 3 <= 3) || (tag >>> 3 >= 5 && tag >>> 3 <= 12))
          r.wrongType(`LogRecord field ${tag >>> 3}`, tag & 7);
        r.skip(tag & 7);
    }
  }
  return lr;
}

/**
 * Encodes `LogsData` as an `ExportLogsServiceRequest`; throws TypeError on a non-hex id.
 * Returns a right-sized copy, or, given `into`, appends there and returns that writer's view.
 */
export function encodeLogsProto(data: LogsData, into?: ProtoWriter): Uint8Array {
  if (!into) return encodeWithScratch((w) => encodeLogsProto(data, w));
  encodeEnvelope(
    into,
    data.resourceLogs,
    (r) => r.scopeLogs,
    (s) => s.logRecords,
    encodeLogRecord,
  );
  return into.finish();
}

/** Writes one log record as `ScopeLogs.log_records` (field 2), tag included. */
export function encodeLogRecord(w: ProtoWriter, lr: LogRecord): void {
  w.tag(2, 2);
  const s = w.fork();
  if (lr.timeUnixNano) {
    w.tag(1, 1);
    w.fixed64(lr.timeUnixNano);
  }
  if (lr.severityNumber) {
    w.tag(2, 0);
    w.int32(lr.severityNumber);
  }
  if (lr.severityText) {
    w.tag(3, 2);
    w.string(lr.severityText);
  }
  if (lr.body !== undefined) {
    w.tag(5, 2);
    const b = w.fork();
    encodeAnyValue(w, lr.body);
    w.join(b);
  }
  encodeKeyValues(w, 6, lr.attributes);
  if (lr.droppedAttributesCount) {
    w.tag(7, 0);
    w.varint32(lr.droppedAttributesCount);
  }
  if (lr.flags) {
    w.tag(8, 5);
    w.fixed32(lr.flags);
  }
  if (lr.traceId) {
    w.tag(9, 2);
    w.hex(lr.traceId);
  }
  if (lr.spanId) {
    w.tag(10, 2);
    w.hex(lr.spanId);
  }
  if (lr.observedTimeUnixNano) {
    w.tag(11, 1);
    w.fixed64(lr.observedTimeUnixNano);
  }
  if (lr.eventName) {
    w.tag(12, 2);
    w.string(lr.eventName);
  }
  w.join(s);
}
