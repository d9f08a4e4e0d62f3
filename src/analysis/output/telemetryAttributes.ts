/**
 * The `ml.finding.*` and `ml.incident.*` attributes of findings and incidents, shared by
 * every way they leave the core (OTLP objects for the collector, the OTel API in-process),
 * so Jaeger, Tempo and Grafana see the same keys whichever path produced them.
 */
import type { Finding, Incident } from '../../model/finding.js';
import {
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_FINDING_CURRENT_COUNT,
  ATTR_ML_FINDING_CURRENT_MEAN,
  ATTR_ML_FINDING_CURRENT_NULL_SHARE,
  ATTR_ML_FINDING_CURRENT_QUANTILES,
  ATTR_ML_FINDING_CURRENT_RANGE,
  ATTR_ML_FINDING_CURRENT_SUMMARY,
  ATTR_ML_FINDING_CURRENT_TOP_VALUES,
  ATTR_ML_FINDING_DETECTOR,
  ATTR_ML_FINDING_EFFECT_SIZE,
  ATTR_ML_FINDING_EXEMPLAR_TRACE_IDS,
  ATTR_ML_FINDING_FEATURE,
  ATTR_ML_FINDING_ID,
  ATTR_ML_FINDING_P_VALUE,
  ATTR_ML_FINDING_PIPELINE_RUN_IDS,
  ATTR_ML_FINDING_REFERENCE_COUNT,
  ATTR_ML_FINDING_REFERENCE_MEAN,
  ATTR_ML_FINDING_REFERENCE_NULL_SHARE,
  ATTR_ML_FINDING_REFERENCE_QUANTILES,
  ATTR_ML_FINDING_REFERENCE_RANGE,
  ATTR_ML_FINDING_REFERENCE_SUMMARY,
  ATTR_ML_FINDING_REFERENCE_TOP_VALUES,
  ATTR_ML_FINDING_SEVERITY,
  ATTR_ML_FINDING_SOURCE_SERVICE,
  ATTR_ML_FINDING_STATISTIC,
  ATTR_ML_FINDING_STATISTICS,
  ATTR_ML_FINDING_THRESHOLD,
  ATTR_ML_FINDING_VALUE,
  ATTR_ML_FINDING_WINDOW_END,
  ATTR_ML_FINDING_WINDOW_START,
  ATTR_ML_INCIDENT_COMPONENTS,
  ATTR_ML_INCIDENT_FEATURES,
  ATTR_ML_INCIDENT_FINDING_COUNT,
  ATTR_ML_INCIDENT_ID,
  ATTR_ML_INCIDENT_OPENED_AT,
  ATTR_ML_INCIDENT_RESOLVED_AT,
  ATTR_ML_INCIDENT_ROOT_CAUSE_COMPONENT,
  ATTR_ML_INCIDENT_ROOT_CAUSE_EXPLANATION,
  ATTR_ML_INCIDENT_ROOT_CAUSE_KIND,
  ATTR_ML_INCIDENT_ROOT_CAUSE_SCORE,
  ATTR_ML_INCIDENT_SEVERITY,
  ATTR_ML_INCIDENT_STATUS,
  ATTR_ML_INCIDENT_TITLE,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_PIPELINE_NAME,
} from '../../semconv/index.js';
import { formatTimestamp } from '../attributes.js';
import { findingProjections, statisticLines } from './findingProjections.js';

/** An attribute value both OTLP and the OTel API carry. */
export type TelemetryValue = string | number | boolean | string[];

/** Attributes for one finding's log record. Non-finite numbers are left out (OTLP/JSON cannot carry them). */
export function findingAttributes(f: Finding): Record<string, TelemetryValue> {
  const out: Record<string, TelemetryValue> = {
    [ATTR_ML_FINDING_ID]: f.id,
    [ATTR_ML_FINDING_DETECTOR]: f.detector,
    [ATTR_ML_FINDING_FEATURE]: f.feature,
    [ATTR_ML_FINDING_STATISTIC]: f.statistic,
    [ATTR_ML_FINDING_SEVERITY]: f.severity,
    [ATTR_ML_FINDING_WINDOW_START]: formatTimestamp(f.windowStartMs),
    [ATTR_ML_FINDING_WINDOW_END]: formatTimestamp(f.windowEndMs),
    [ATTR_ML_FINDING_REFERENCE_COUNT]: f.referenceCount,
    [ATTR_ML_FINDING_CURRENT_COUNT]: f.currentCount,
    [ATTR_ML_FINDING_EXEMPLAR_TRACE_IDS]: [...f.exemplarTraceIds],
    [ATTR_ML_PIPELINE_NAME]: f.stream.pipeline,
    [ATTR_ML_COMPONENT_NAME]: f.stream.component,
    [ATTR_ML_FINDING_SOURCE_SERVICE]: f.stream.service,
    [ATTR_ML_FINDING_STATISTICS]: statisticLines(f),
  };
  if (f.stream.model !== '') out[ATTR_ML_MODEL_NAME] = f.stream.model;
  if (f.runIds !== undefined && f.runIds.length > 0) out[ATTR_ML_FINDING_PIPELINE_RUN_IDS] = [...f.runIds];
  // Readable projections of both summaries, so a log backend shows what the message says.
  const { reference, current } = findingProjections(f);
  const sides = [
    [
      reference,
      ATTR_ML_FINDING_REFERENCE_MEAN,
      ATTR_ML_FINDING_REFERENCE_QUANTILES,
      ATTR_ML_FINDING_REFERENCE_RANGE,
      ATTR_ML_FINDING_REFERENCE_NULL_SHARE,
      ATTR_ML_FINDING_REFERENCE_TOP_VALUES,
    ],
    [
      current,
      ATTR_ML_FINDING_CURRENT_MEAN,
      ATTR_ML_FINDING_CURRENT_QUANTILES,
      ATTR_ML_FINDING_CURRENT_RANGE,
      ATTR_ML_FINDING_CURRENT_NULL_SHARE,
      ATTR_ML_FINDING_CURRENT_TOP_VALUES,
    ],
  ] as const;
  for (const [side, mean, quantiles, range, nullShare, top] of sides) {
    if (side === undefined) continue;
    if (side.mean !== undefined && Number.isFinite(side.mean)) out[mean] = side.mean;
    if (side.quantiles !== undefined) out[quantiles] = side.quantiles;
    if (side.range !== undefined) out[range] = side.range;
    out[nullShare] = side.nullShare;
    if (side.topValues !== undefined) out[top] = side.topValues;
  }
  if (f.referenceSummary !== undefined) out[ATTR_ML_FINDING_REFERENCE_SUMMARY] = f.referenceSummary;
  if (f.currentSummary !== undefined) out[ATTR_ML_FINDING_CURRENT_SUMMARY] = f.currentSummary;
  const nums: [string, number | undefined][] = [
    [ATTR_ML_FINDING_VALUE, f.value],
    [ATTR_ML_FINDING_THRESHOLD, f.threshold],
    [ATTR_ML_FINDING_P_VALUE, f.pValue],
    [ATTR_ML_FINDING_EFFECT_SIZE, f.effectSize],
  ];
  for (const [k, v] of nums) if (v !== undefined && Number.isFinite(v)) out[k] = v;
  return out;
}

/** Finding attributes whose semantic-convention type is double: sent as doubles even when whole (0, 1). */
export const DOUBLE_FINDING_KEYS: ReadonlySet<string> = new Set([
  ATTR_ML_FINDING_VALUE,
  ATTR_ML_FINDING_THRESHOLD,
  ATTR_ML_FINDING_P_VALUE,
  ATTR_ML_FINDING_EFFECT_SIZE,
  ATTR_ML_FINDING_REFERENCE_MEAN,
  ATTR_ML_FINDING_CURRENT_MEAN,
  ATTR_ML_FINDING_REFERENCE_NULL_SHARE,
  ATTR_ML_FINDING_CURRENT_NULL_SHARE,
]);

/** Attributes for an incident span. */
export function incidentAttributes(i: Incident): Record<string, TelemetryValue> {
  const out: Record<string, TelemetryValue> = {
    [ATTR_ML_INCIDENT_ID]: i.id,
    [ATTR_ML_INCIDENT_STATUS]: i.status,
    [ATTR_ML_INCIDENT_TITLE]: i.title,
    [ATTR_ML_INCIDENT_SEVERITY]: i.severity,
    [ATTR_ML_INCIDENT_OPENED_AT]: formatTimestamp(i.openedAtMs),
    [ATTR_ML_INCIDENT_FINDING_COUNT]: i.findingCount,
    [ATTR_ML_INCIDENT_FEATURES]: [...i.features],
    [ATTR_ML_INCIDENT_COMPONENTS]: [...i.components],
    [ATTR_ML_PIPELINE_NAME]: i.pipeline,
  };
  if (i.resolvedAtMs !== undefined) out[ATTR_ML_INCIDENT_RESOLVED_AT] = formatTimestamp(i.resolvedAtMs);
  // The model its findings name (an alert's `model` label); the newest finding that names one.
  const model = [...i.findings].reverse().find((f) => f.stream.model !== '')?.stream.model;
  if (model !== undefined) out[ATTR_ML_MODEL_NAME] = model;
  const root = i.causes[0];
  if (root !== undefined) {
    out[ATTR_ML_INCIDENT_ROOT_CAUSE_COMPONENT] = root.component;
    out[ATTR_ML_INCIDENT_ROOT_CAUSE_KIND] = root.kind;
    out[ATTR_ML_INCIDENT_ROOT_CAUSE_SCORE] = root.score;
    out[ATTR_ML_INCIDENT_ROOT_CAUSE_EXPLANATION] = root.explanation;
  }
  return out;
}

/**
 * Exemplar (trace id, span id) pairs of an incident: first the runs of its root cause (so a
 * trace viewer leads from the incident to the faulty run; `findingId` is then ''), then its
 * findings' exemplars, newest findings first, deduplicated by trace.
 */
export function incidentExemplars(
  i: Incident,
  max: number,
): { traceId: string; spanId: string; findingId: string }[] {
  const out: { traceId: string; spanId: string; findingId: string }[] = [];
  const seen = new Set<string>();
  const root = i.causes[0];
  if (root !== undefined) {
    const ev = root.evidence;
    ev.exemplarTraceIds.forEach((traceId, j) => {
      const spanId = ev.exemplarSpanIds[j] ?? '';
      if (out.length >= max || seen.has(traceId) || spanId === '') return;
      seen.add(traceId);
      out.push({ traceId, spanId, findingId: ev.findingIds[0] ?? '' });
    });
  }
  for (let k = i.findings.length - 1; k >= 0 && out.length < max; k--) {
    const f = i.findings[k]!;
    const spans = Array.isArray(f.details.exemplarSpanIds) ? (f.details.exemplarSpanIds as unknown[]) : [];
    f.exemplarTraceIds.forEach((traceId, j) => {
      const spanId = typeof spans[j] === 'string' ? (spans[j] as string) : '';
      if (out.length >= max || seen.has(traceId) || spanId === '') return;
      seen.add(traceId);
      out.push({ traceId, spanId, findingId: f.id });
    });
  }
  return out;
}

/** Log severity number (OpenTelemetry log data model) for a finding severity. */
export function severityNumber(s: Finding['severity']): number {
  return s === 'critical' ? 17 : s === 'warning' ? 13 : 9;
}
