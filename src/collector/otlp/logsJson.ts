/** OTLP/JSON codec for logs (`ExportLogsServiceRequest`), both directions. */

import type { LogRecord, LogsData } from '../../model/otlp.js';
import {
  anyValue,
  anyValueJson,
  at,
  field,
  hexId,
  int32,
  type Json,
  keyValues,
  keyValuesJson,
  nanos,
  obj,
  str,
} from './jsonCommon.js';
import { decodeEnvelopeJson, envelopeToJson } from './jsonEnvelope.js';

const SEVERITIES: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((name, i) => {
  SEVERITIES[`SEVERITY_NUMBER_${name}`] = i * 4 + 1;
  for (let k = 2; k <= 4; k++) SEVERITIES[`SEVERITY_NUMBER_${name}${k}`] = i * 4 + k;
});

const KEYS = ['resourceLogs', 'scopeLogs', 'logRecords'] as const;

/** Decodes an OTLP/JSON logs request body; throws `OtlpDecodeError` naming the bad path. */
export function decodeLogsJson(text: string): LogsData {
  return decodeEnvelopeJson(text, KEYS, logRecord);
}

function logRecord(v: unknown): LogRecord {
  const o = obj(v, '$') ?? {};
  // An empty AnyValue (the reference JSON writes `"body":{}`) means no body, as in protobuf.
  const body = o.body === undefined || o.body === null ? undefined : at('body', () => anyValue(o.body));
  return {
    timeUnixNano: nanos(field(o, 'timeUnixNano'), 'timeUnixNano'),
    observedTimeUnixNano: nanos(field(o, 'observedTimeUnixNano'), 'observedTimeUnixNano'),
    severityNumber: int32(field(o, 'severityNumber'), 'severityNumber', SEVERITIES),
    severityText: str(field(o, 'severityText'), 'severityText'),
    body: body === undefined || Object.keys(body).length === 0 ? undefined : body,
    attributes: keyValues(o.attributes, 'attributes'),
    droppedAttributesCount: int32(field(o, 'droppedAttributesCount'), 'droppedAttributesCount'),
    flags: int32(o.flags, 'flags') >>> 0,
    traceId: hexId(field(o, 'traceId'), 'traceId', 16),
    spanId: hexId(field(o, 'spanId'), 'spanId', 8),
    eventName: str(field(o, 'eventName'), 'eventName'),
  };
}

/** LogsData to an OTLP/JSON object. */
export function logsToJson(data: LogsData): Json {
  return envelopeToJson(data, KEYS, logRecordJson);
}

/** Encodes LogsData as an OTLP/JSON string (one line). */
export function encodeLogsJson(data: LogsData): string {
  return JSON.stringify(logsToJson(data));
}

function logRecordJson(l: LogRecord): Json {
  const o: Json = {};
  if (l.timeUnixNano) o.timeUnixNano = String(l.timeUnixNano);
  if (l.observedTimeUnixNano) o.observedTimeUnixNano = String(l.observedTimeUnixNano);
  if (l.severityNumber) o.severityNumber = l.severityNumber;
  if (l.severityText) o.severityText = l.severityText;
  if (l.body !== undefined) o.body = anyValueJson(l.body);
  o.attributes = keyValuesJson(l.attributes);
  if (l.droppedAttributesCount) o.droppedAttributesCount = l.droppedAttributesCount;
  if (l.flags) o.flags = l.flags;
  if (l.traceId) o.traceId = l.traceId;
  if (l.spanId) o.spanId = l.spanId;
  if (l.eventName) o.eventName = l.eventName;
  return o;
}
