/** OTLP/JSON codec for logs (`ExportLogsServiceRequest`), both directions. */

import type { LogRecord, LogsData } from '../../model/otlp.js';
import {
  anyValue,
  anyValueJson,
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

const SEVERITIES: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((name, i) => {
  SEVERITIES[`SEVERITY_NUMBER_${name}`] = i * 4 + 1;
  for (let k = 2; k <= 4; k++) SEVERITIES[`SEVERITY_NUMBER_${name}${k}`] = i * 4 + k;
});

/** Decodes an OTLP/JSON logs request body; throws `OtlpDecodeError` naming the bad path. */
export function decodeLogsJson(text: string): LogsData {
  return decodeGuarded(() => decodeLogsJsonUnguarded(text));
}

function decodeLogsJsonUnguarded(text: string): LogsData {
  const root = parseJsonBody(text);
  return {
    resourceLogs: arr(field(root, 'resourceLogs'), 'resourceLogs').map((x, i) => {
      const p = `resourceLogs[${i}]`;
      const o = obj(x, p) ?? {};
      return {
        resource: resource(o.resource, `${p}.resource`),
        scopeLogs: arr(field(o, 'scopeLogs'), `${p}.scopeLogs`).map((y, j) => {
          const q = `${p}.scopeLogs[${j}]`;
          const so = obj(y, q) ?? {};
          return {
            scope: scope(so.scope, `${q}.scope`),
            logRecords: arr(field(so, 'logRecords'), `${q}.logRecords`).map((l, k) =>
              decodeLogRecord(l, `${q}.logRecords[${k}]`),
            ),
            schemaUrl: str(field(so, 'schemaUrl'), `${q}.schemaUrl`),
          };
        }),
        schemaUrl: str(field(o, 'schemaUrl'), `${p}.schemaUrl`),
      };
    }),
  };
}

function decodeLogRecord(v: unknown, p: string): LogRecord {
  const o = obj(v, p) ?? {};
  // An empty AnyValue (the reference JSON writes `"body":{}`) means no body, as in protobuf.
  const body = o.body === undefined || o.body === null ? undefined : anyValue(o.body, `${p}.body`);
  return {
    timeUnixNano: nanos(field(o, 'timeUnixNano'), `${p}.timeUnixNano`),
    observedTimeUnixNano: nanos(field(o, 'observedTimeUnixNano'), `${p}.observedTimeUnixNano`),
    severityNumber: int32(field(o, 'severityNumber'), `${p}.severityNumber`, SEVERITIES),
    severityText: str(field(o, 'severityText'), `${p}.severityText`),
    body: body === undefined || Object.keys(body).length === 0 ? undefined : body,
    attributes: keyValues(o.attributes, `${p}.attributes`),
    droppedAttributesCount: int32(field(o, 'droppedAttributesCount'), `${p}.droppedAttributesCount`),
    flags: int32(o.flags, `${p}.flags`) >>> 0,
    traceId: hexId(field(o, 'traceId'), `${p}.traceId`, 16),
    spanId: hexId(field(o, 'spanId'), `${p}.spanId`, 8),
    eventName: str(field(o, 'eventName'), `${p}.eventName`),
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
