/** OTLP/JSON codec for logs (`ExportLogsServiceRequest`), both directions. */

import type { LogRecord, LogsData, ResourceLogs, ScopeLogs } from '../../model/otlp.js';
import {
  anyValue,
  anyValueJson,
  arr,
  at,
  field,
  hexId,
  int32,
  type Json,
  keyValues,
  keyValuesJson,
  mapAt,
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

const SEVERITIES: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((name, i) => {
  SEVERITIES[`SEVERITY_NUMBER_${name}`] = i * 4 + 1;
  for (let k = 2; k <= 4; k++) SEVERITIES[`SEVERITY_NUMBER_${name}${k}`] = i * 4 + k;
});

/** Decodes an OTLP/JSON logs request body; throws `OtlpDecodeError` naming the bad path. */
export function decodeLogsJson(text: string): LogsData {
  return decodeGuarded(() => {
    const root = parseJsonBody(text);
    return {
      resourceLogs: mapAt(arr(field(root, 'resourceLogs'), 'resourceLogs'), 'resourceLogs', resourceLogs),
    };
  });
}

function resourceLogs(x: unknown): ResourceLogs {
  const o = obj(x, '$') ?? {};
  return {
    resource: resource(o.resource, 'resource'),
    scopeLogs: mapAt(arr(field(o, 'scopeLogs'), 'scopeLogs'), 'scopeLogs', scopeLogs),
    schemaUrl: str(field(o, 'schemaUrl'), 'schemaUrl'),
  };
}

function scopeLogs(x: unknown): ScopeLogs {
  const o = obj(x, '$') ?? {};
  return {
    scope: scope(o.scope, 'scope'),
    logRecords: mapAt(arr(field(o, 'logRecords'), 'logRecords'), 'logRecords', logRecord),
    schemaUrl: str(field(o, 'schemaUrl'), 'schemaUrl'),
  };
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
  return {
    resourceLogs: data.resourceLogs.map((rl) => {
      const o: Json = {
        resource: resourceJson(rl.resource),
        scopeLogs: rl.scopeLogs.map((sl) => {
          const so: Json = { scope: scopeJson(sl.scope), logRecords: sl.logRecords.map(logRecordJson) };
          if (sl.schemaUrl) so.schemaUrl = sl.schemaUrl;
          return so;
        }),
      };
      if (rl.schemaUrl) o.schemaUrl = rl.schemaUrl;
      return o;
    }),
  };
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
