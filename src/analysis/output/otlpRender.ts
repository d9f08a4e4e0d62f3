/**
 * Renders incidents as `ml.incident` spans and log records (one record per state change)
 * and findings as `ml.finding` log records in the plain OTLP model, so the collector can
 * forward them to Jaeger, Tempo or Loki next to the spans they explain. Incident spans link
 * to exemplar traces of their findings; an incident's log record points at its span.
 */
import type { Finding, Incident } from '../../model/finding.js';
import type { AnyValue, KeyValue, LogRecord, LogsData, Span, TracesData } from '../../model/otlp.js';
import { SpanKind, StatusCode } from '../../model/otlp.js';
import {
  ATTR_ML_FINDING_ID,
  ATTR_ML_INCIDENT_CHANGE,
  EVENT_ML_FINDING,
  EVENT_ML_INCIDENT,
} from '../../semconv/index.js';
import { stableId, stableId128 } from '../ids.js';
import type { IncidentChange } from '../incidents/IncidentManager.js';
import {
  DOUBLE_FINDING_KEYS,
  findingAttributes,
  incidentAttributes,
  incidentExemplars,
  severityNumber,
  type TelemetryValue,
} from './telemetryAttributes.js';

/** Links per incident span at most (the SDK's default link limit is 128). */
const MAX_LINKS = 32;
/** Instrumentation scope of everything mlobs emits. */
const SCOPE = { name: 'mlobs', version: '', attributes: [], droppedAttributesCount: 0 };

function anyValue(v: TelemetryValue, double: boolean): AnyValue {
  if (Array.isArray(v)) return { arrayValue: { values: v.map((s) => ({ stringValue: s })) } };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return Number.isInteger(v) && !double ? { intValue: v } : { doubleValue: v };
}

/** Converts telemetry attributes to OTLP key-values; double-typed finding keys stay doubles when whole. */
export function toKeyValues(attrs: Record<string, TelemetryValue>): KeyValue[] {
  return Object.entries(attrs).map(([key, v]) => ({ key, value: anyValue(v, DOUBLE_FINDING_KEYS.has(key)) }));
}

function nanos(ms: number): bigint {
  return BigInt(Math.round(ms * 1000)) * 1000n;
}

/**
 * The span of an incident in its current state. Its trace id derives from the incident id,
 * so the opened and the resolved rendering land in the same trace.
 */
export function incidentToSpan(i: Incident): Span {
  const end = Math.max(i.openedAtMs, i.resolvedAtMs ?? i.lastFindingAtMs);
  return {
    traceId: incidentTraceId(i),
    spanId: incidentSpanId(i),
    traceState: '',
    parentSpanId: '',
    flags: 1,
    name: EVENT_ML_INCIDENT,
    kind: SpanKind.INTERNAL,
    startTimeUnixNano: nanos(i.openedAtMs),
    endTimeUnixNano: nanos(end),
    attributes: toKeyValues(incidentAttributes(i)),
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: incidentExemplars(i, MAX_LINKS).map((e) => ({
      traceId: e.traceId,
      spanId: e.spanId,
      traceState: '',
      attributes: [{ key: ATTR_ML_FINDING_ID, value: { stringValue: e.findingId } }],
      droppedAttributesCount: 0,
      flags: 1,
    })),
    droppedLinksCount: 0,
    status:
      i.status === 'open'
        ? { code: StatusCode.ERROR, message: i.title }
        : { code: StatusCode.OK, message: '' },
  };
}

function incidentTraceId(i: Incident): string {
  return stableId128('incident', i.id);
}

function incidentSpanId(i: Incident): string {
  return stableId('incident-span', i.id, i.status, i.findingCount);
}

/** One incident state change, as the Analyzer reports it. */
export interface IncidentUpdate {
  /** What happened to the incident. */
  change: IncidentChange;
  /** The incident's state right after the change. */
  incident: Incident;
}

/**
 * The `ml.incident` log record of one state change: the incident's attributes plus
 * `ml.incident.change`, timed at the change and correlated with the incident span of the
 * same state (so Loki links to Tempo), for backends that see logs but not traces.
 */
export function incidentToLogRecord(change: IncidentChange, i: Incident): LogRecord {
  const at =
    change === 'resolved'
      ? (i.resolvedAtMs ?? i.lastFindingAtMs)
      : change === 'opened'
        ? i.openedAtMs
        : i.lastFindingAtMs;
  const t = nanos(at);
  return {
    timeUnixNano: t,
    observedTimeUnixNano: t,
    severityNumber: change === 'resolved' ? 9 : severityNumber(i.severity),
    severityText: change === 'resolved' ? 'INFO' : i.severity.toUpperCase(),
    body: { stringValue: `incident ${change}: ${i.title}` },
    attributes: toKeyValues({ ...incidentAttributes(i), [ATTR_ML_INCIDENT_CHANGE]: change }),
    droppedAttributesCount: 0,
    flags: 1,
    traceId: incidentTraceId(i),
    spanId: incidentSpanId(i),
    eventName: EVENT_ML_INCIDENT,
  };
}

/** The log record of a finding, correlated with its first exemplar span. */
export function findingToLogRecord(f: Finding): LogRecord {
  const spans = Array.isArray(f.details.exemplarSpanIds) ? (f.details.exemplarSpanIds as unknown[]) : [];
  const spanId = typeof spans[0] === 'string' ? spans[0] : '';
  const t = nanos(f.windowEndMs);
  return {
    timeUnixNano: t,
    observedTimeUnixNano: t,
    severityNumber: severityNumber(f.severity),
    severityText: f.severity.toUpperCase(),
    body: { stringValue: f.message },
    attributes: toKeyValues(findingAttributes(f)),
    droppedAttributesCount: 0,
    flags: 0,
    traceId: spanId !== '' ? (f.exemplarTraceIds[0] ?? '') : '',
    spanId,
    eventName: EVENT_ML_FINDING,
  };
}

/** Incident spans as one OTLP traces batch under the given resource attributes. */
export function incidentsToTracesData(
  incidents: readonly Incident[],
  resource: Record<string, TelemetryValue>,
): TracesData {
  return {
    resourceSpans: [
      {
        resource: { attributes: toKeyValues(resource), droppedAttributesCount: 0 },
        scopeSpans: [{ scope: SCOPE, spans: incidents.map(incidentToSpan), schemaUrl: '' }],
        schemaUrl: '',
      },
    ],
  };
}

/**
 * Finding log records, then the `ml.incident` records of the incident changes they caused,
 * as one OTLP logs batch under the given resource attributes.
 */
export function findingsToLogsData(
  findings: readonly Finding[],
  resource: Record<string, TelemetryValue>,
  incidents: readonly IncidentUpdate[] = [],
): LogsData {
  const logRecords = [
    ...findings.map(findingToLogRecord),
    ...incidents.map((u) => incidentToLogRecord(u.change, u.incident)),
  ];
  return {
    resourceLogs: [
      {
        resource: { attributes: toKeyValues(resource), droppedAttributesCount: 0 },
        scopeLogs: [{ scope: SCOPE, logRecords, schemaUrl: '' }],
        schemaUrl: '',
      },
    ],
  };
}
