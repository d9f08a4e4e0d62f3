/**
 * Reactions as `ml.reaction` log records: the attributes (shared by the OTLP rendering the
 * collector forwards and the OTel API records the in-process processor emits) and the OTLP
 * form. A record sits in its incident's trace, so Jaeger and Tempo show what mlobs did next
 * to the incident it answered. The shape is the contract webhook and Loki consumers read;
 * see the `ml.reaction` event in `semconv/`.
 */
import type { LogRecord, LogsData } from '../../model/otlp.js';
import type { Reaction } from '../../model/reaction.js';
import {
  ATTR_ML_INCIDENT_ID,
  ATTR_ML_INCIDENT_SEVERITY,
  ATTR_ML_PIPELINE_NAME,
  ATTR_ML_REACTION_ACTION,
  ATTR_ML_REACTION_ID,
  ATTR_ML_REACTION_POLICY,
  ATTR_ML_REACTION_REASON,
  ATTR_ML_REACTION_STATUS,
  ATTR_ML_REACTION_TARGET,
  ATTR_ML_REACTION_TO,
  ATTR_ML_REACTION_UNDO,
  EVENT_ML_REACTION,
} from '../../semconv/index.js';
import { stableId128 } from '../ids.js';
import { toKeyValues } from '../output/otlpRender.js';
import type { TelemetryValue } from '../output/telemetryAttributes.js';

/** Instrumentation scope of mlobs' own records (as in otlpRender). */
const SCOPE = { name: 'mlobs', version: '', attributes: [], droppedAttributesCount: 0 };

/** The `ml.reaction.*` attributes of one reaction record. */
export function reactionAttributes(r: Reaction): Record<string, TelemetryValue> {
  const out: Record<string, TelemetryValue> = {
    [ATTR_ML_REACTION_ID]: r.id,
    [ATTR_ML_REACTION_POLICY]: r.policy,
    [ATTR_ML_REACTION_ACTION]: r.action,
    [ATTR_ML_REACTION_STATUS]: r.status,
    [ATTR_ML_REACTION_TARGET]: r.target,
    [ATTR_ML_REACTION_REASON]: r.reason,
    [ATTR_ML_INCIDENT_ID]: r.incidentId,
    [ATTR_ML_INCIDENT_SEVERITY]: r.severity,
    [ATTR_ML_PIPELINE_NAME]: r.pipeline,
  };
  if (r.to !== undefined) out[ATTR_ML_REACTION_TO] = r.to;
  if (r.undo) out[ATTR_ML_REACTION_UNDO] = true;
  return out;
}

/** One line for people: what was done (or held back) and why. */
export function reactionBody(r: Reaction): string {
  const verb = r.undo ? `end ${r.action}` : r.action;
  const to = r.to === undefined || r.undo ? '' : ` to ${r.to}`;
  return `${r.policy}: ${verb} ${r.target}${to} ${r.status}: ${r.reason}`;
}

/** Log severity number: failures are errors, suppressions and successes informational. */
export function reactionSeverityNumber(r: Reaction): number {
  return r.status === 'failed' ? 17 : r.status === 'triggered' ? 10 : 9;
}

function nanos(ms: number): bigint {
  return BigInt(Math.round(ms * 1000)) * 1000n;
}

/** The OTLP log record of a reaction, in the trace of the incident it answers. */
export function reactionToLogRecord(r: Reaction): LogRecord {
  const t = nanos(r.atMs);
  return {
    timeUnixNano: t,
    observedTimeUnixNano: t,
    severityNumber: reactionSeverityNumber(r),
    severityText: r.status === 'failed' ? 'ERROR' : 'INFO',
    body: { stringValue: reactionBody(r) },
    attributes: toKeyValues(reactionAttributes(r)),
    droppedAttributesCount: 0,
    flags: 0,
    // Same derivation as the incident span's trace id (otlpRender), so both share one trace.
    traceId: stableId128('incident', r.incidentId),
    spanId: '',
    eventName: EVENT_ML_REACTION,
  };
}

/** Reaction records as one OTLP logs batch under the given resource attributes. */
export function reactionsToLogsData(
  reactions: readonly Reaction[],
  resource: Record<string, TelemetryValue>,
): LogsData {
  return {
    resourceLogs: [
      {
        resource: { attributes: toKeyValues(resource), droppedAttributesCount: 0 },
        scopeLogs: [{ scope: SCOPE, logRecords: reactions.map(reactionToLogRecord), schemaUrl: '' }],
        schemaUrl: '',
      },
    ],
  };
}
