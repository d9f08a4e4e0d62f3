/**
 * An {@link AnalysisListener} that reports through the OpenTelemetry API: incidents as
 * `ml.incident` spans (via a Tracer), findings and incident state changes as `ml.finding`
 * and `ml.incident` log records (via an `@opentelemetry/api-logs` Logger, if given) and
 * numbers as metrics (via a Meter). The core only returns data; this is where it becomes
 * telemetry.
 *
 * Metric names follow the OpenTelemetry semantic-convention style (dotted namespaces,
 * UCUM units, no `_total`); a Prometheus exporter adds the suffixes. See {@link METRICS}.
 */
import {
  type Attributes,
  type Context,
  type Link,
  type Meter,
  ROOT_CONTEXT,
  type SpanContext,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { AnalysisListener, WindowReport } from '../analysis/AnalysisListener.js';
import type { IncidentChange } from '../analysis/incidents/IncidentManager.js';
import {
  findingAttributes,
  incidentAttributes,
  incidentExemplars,
  severityNumber,
} from '../analysis/output/telemetryAttributes.js';
import {
  reactionAttributes,
  reactionBody,
  reactionSeverityNumber,
} from '../analysis/reactions/reactionRecords.js';
import type { Finding, Incident, StreamKey } from '../model/finding.js';
import type { Reaction } from '../model/reaction.js';
import {
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_FINDING_DETECTOR,
  ATTR_ML_FINDING_FEATURE,
  ATTR_ML_FINDING_ID,
  ATTR_ML_FINDING_SEVERITY,
  ATTR_ML_FINDING_STATISTIC,
  ATTR_ML_INCIDENT_CHANGE,
  ATTR_ML_INCIDENT_SEVERITY,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_PIPELINE_NAME,
  ATTR_ML_PREDICTION_CLASS,
  ATTR_ML_REACTION_ACTION,
  ATTR_ML_REACTION_STATUS,
  EVENT_ML_FINDING,
  EVENT_ML_INCIDENT,
  EVENT_ML_REACTION,
} from '../semconv/index.js';

/**
 * The metrics mlobs' analysis records, by instrument name. The Prometheus names (after the
 * OpenTelemetry-to-Prometheus rules) are in the comments; dashboards and rules use those.
 */
export const METRICS = {
  /** Gauge: a detector statistic per feature (`mlobs_detector_statistic`). */
  statistic: 'mlobs.detector.statistic',
  /** Gauge: the threshold it was compared with (`mlobs_detector_threshold`). */
  threshold: 'mlobs.detector.threshold',
  /** Gauge, unit 1: share of nulls per feature (`mlobs_feature_missing_rate_ratio`). */
  missingRate: 'mlobs.feature.missing_rate',
  /** Gauge, unit 1: share of each predicted class (`mlobs_prediction_share_ratio`). */
  predictionShare: 'mlobs.prediction.share',
  /** Gauge: mean of a numeric prediction output (`mlobs_prediction_mean`). */
  predictionMean: 'mlobs.prediction.mean',
  /** Gauge: model performance from joined labels, per metric (`mlobs_model_performance`). */
  performance: 'mlobs.model.performance',
  /** Counter: findings (`mlobs_findings_total`). */
  findings: 'mlobs.findings',
  /** UpDownCounter: incidents open, by pipeline and severity (`mlobs_incidents_open`). */
  incidentsOpen: 'mlobs.incidents.open',
  /** Counter: windows judged against a reference (`mlobs_windows_judged_total`). */
  windowsJudged: 'mlobs.windows.judged',
  /** Counter: reactions by `ml.reaction.action` and `ml.reaction.status` (`mlobs_reactions_total`). */
  reactions: 'mlobs.reactions',
} as const;

/** The member of an `@opentelemetry/api-logs` Logger used here (structural: no hard dependency). */
export interface LogEmitter {
  emit(record: {
    eventName?: string;
    timestamp?: number;
    severityNumber?: number;
    severityText?: string;
    body?: string;
    attributes?: Attributes;
    /** Context whose span the record belongs to (the incident's, for reactions). */
    context?: Context;
  }): void;
}

/** Where the telemetry goes. */
export interface OtelOutputOptions {
  /**
   * Tracer for incident spans, or a function returning it (for a tracer of the very provider
   * the processor is registered in, which does not exist yet when the processor is built);
   * none means no incident spans.
   */
  tracer?: Tracer | (() => Tracer);
  /** Logger for finding and reaction log records, or a function returning it (called per record); none: no records. */
  logger?: LogEmitter | (() => LogEmitter);
  /**
   * Meter for metrics, or a function returning it (resolved at the first report, so a meter
   * provider registered after the processor was built is still used); none means no metrics.
   */
  meter?: Meter | (() => Meter);
  /** Links per incident span at most (default 32). */
  maxLinks?: number;
}

interface Instruments {
  statistic: ReturnType<Meter['createGauge']>;
  threshold: ReturnType<Meter['createGauge']>;
  missing: ReturnType<Meter['createGauge']>;
  share: ReturnType<Meter['createGauge']>;
  mean: ReturnType<Meter['createGauge']>;
  performance: ReturnType<Meter['createGauge']>;
  open: ReturnType<Meter['createUpDownCounter']>;
  findings: ReturnType<Meter['createCounter']>;
  windows: ReturnType<Meter['createCounter']>;
  reactions: ReturnType<Meter['createCounter']>;
}

/** Incidents whose opening span context is remembered, so later spans join its trace. */
const MAX_REMEMBERED_INCIDENTS = 1000;

function streamAttributes(s: StreamKey): Attributes {
  const a: Attributes = { [ATTR_ML_PIPELINE_NAME]: s.pipeline, [ATTR_ML_COMPONENT_NAME]: s.component };
  if (s.model !== '') a[ATTR_ML_MODEL_NAME] = s.model;
  return a;
}

/** Turns analysis output into OTel spans, log records and metrics. */
export class OtelOutput implements AnalysisListener {
  private readonly incidentSpans = new Map<string, SpanContext>();
  /** Severity each open incident is counted under in `mlobs.incidents.open`. */
  private readonly openSeverity = new Map<string, { pipeline: string; severity: string }>();
  private instruments: Instruments | undefined;
  /** The span of the latest incident change, so the reactions it caused join its trace. */
  private lastIncidentSpan: { id: string; context: SpanContext } | undefined;

  constructor(private readonly opts: OtelOutputOptions) {}

  /** The instruments, created on first use from the (possibly lazily given) meter. */
  private get metrics(): Instruments | undefined {
    if (this.instruments !== undefined || this.opts.meter === undefined) return this.instruments;
    const m = typeof this.opts.meter === 'function' ? this.opts.meter() : this.opts.meter;
    this.instruments = {
      statistic: m.createGauge(METRICS.statistic, {
        description: 'Latest value of a detector statistic per feature and window',
      }),
      threshold: m.createGauge(METRICS.threshold, {
        description: 'Threshold the detector statistic was compared with',
      }),
      missing: m.createGauge(METRICS.missingRate, {
        description: 'Share of null values of a feature in the latest window',
        unit: '1',
      }),
      share: m.createGauge(METRICS.predictionShare, {
        description: 'Share of each predicted class in the latest window (most frequent classes)',
        unit: '1',
      }),
      mean: m.createGauge(METRICS.predictionMean, {
        description: 'Mean of a numeric prediction output in the latest window',
      }),
      performance: m.createGauge(METRICS.performance, {
        description: 'Model performance from joined labels in the latest window, per metric',
      }),
      open: m.createUpDownCounter(METRICS.incidentsOpen, {
        description: 'Incidents currently open, by severity',
        unit: '{incident}',
      }),
      findings: m.createCounter(METRICS.findings, {
        description: 'Findings made by the detectors',
        unit: '{finding}',
      }),
      windows: m.createCounter(METRICS.windowsJudged, {
        description: 'Windows closed and judged against a reference',
        unit: '{window}',
      }),
      reactions: m.createCounter(METRICS.reactions, {
        description: 'Reactions taken on incidents, by action and status',
        unit: '{reaction}',
      }),
    };
    return this.instruments;
  }

  onWindow(r: WindowReport): void {
    const m = this.metrics;
    if (!m) return;
    const base = streamAttributes(r.stream);
    for (const j of r.candidates) {
      const c = j.candidate;
      const a: Attributes = {
        ...base,
        [ATTR_ML_FINDING_DETECTOR]: j.detector,
        [ATTR_ML_FINDING_FEATURE]: c.feature,
        [ATTR_ML_FINDING_STATISTIC]: c.statistic,
      };
      if (Number.isFinite(c.value)) m.statistic.record(c.value, a);
      if (Number.isFinite(c.threshold)) m.threshold.record(c.threshold, a);
    }
    for (const [feature, rate] of r.missingRates)
      m.missing.record(rate, { ...base, [ATTR_ML_FINDING_FEATURE]: feature });
    for (const [output, classes] of r.predictionShares ?? [])
      for (const [cls, share] of classes)
        m.share.record(share, {
          ...base,
          [ATTR_ML_FINDING_FEATURE]: output,
          [ATTR_ML_PREDICTION_CLASS]: cls,
        });
    for (const [output, mean] of r.predictionMeans ?? [])
      m.mean.record(mean, { ...base, [ATTR_ML_FINDING_FEATURE]: output });
    for (const j of r.candidates)
      if (j.detector === 'performance' && Number.isFinite(j.candidate.value))
        m.performance.record(j.candidate.value, {
          ...base,
          [ATTR_ML_FINDING_STATISTIC]: j.candidate.statistic,
        });
    if (r.referenceSource !== undefined) m.windows.add(1, base);
  }

  /**
   * Counts one reaction in `mlobs.reactions` (the reaction policies call it for every
   * `ml.reaction` they emit, so the counter and the records agree).
   */
  onReaction(action: string, status: string): void {
    this.metrics?.reactions.add(1, { [ATTR_ML_REACTION_ACTION]: action, [ATTR_ML_REACTION_STATUS]: status });
  }

  onFinding(f: Finding): void {
    this.metrics?.findings.add(1, {
      ...streamAttributes(f.stream),
      [ATTR_ML_FINDING_DETECTOR]: f.detector,
      [ATTR_ML_FINDING_FEATURE]: f.feature,
      [ATTR_ML_FINDING_SEVERITY]: f.severity,
    });
    const l = this.opts.logger;
    (typeof l === 'function' ? l() : l)?.emit({
      eventName: EVENT_ML_FINDING,
      timestamp: f.windowEndMs,
      severityNumber: severityNumber(f.severity),
      severityText: f.severity.toUpperCase(),
      body: f.message,
      attributes: findingAttributes(f),
    });
  }

  onIncident(change: IncidentChange, i: Incident): void {
    this.countOpen(change, i);
    const l = this.opts.logger;
    (typeof l === 'function' ? l() : l)?.emit({
      eventName: EVENT_ML_INCIDENT,
      timestamp:
        change === 'resolved'
          ? (i.resolvedAtMs ?? i.lastFindingAtMs)
          : change === 'opened'
            ? i.openedAtMs
            : i.lastFindingAtMs,
      severityNumber: change === 'resolved' ? 9 : severityNumber(i.severity),
      severityText: change === 'resolved' ? 'INFO' : i.severity.toUpperCase(),
      body: `incident ${change}: ${i.title}`,
      attributes: { ...incidentAttributes(i), [ATTR_ML_INCIDENT_CHANGE]: change },
    });
    const t = this.opts.tracer;
    if (!t) return;
    const tracer = typeof t === 'function' ? t() : t;
    const parent = this.incidentSpans.get(i.id);
    const links: Link[] = incidentExemplars(i, this.opts.maxLinks ?? 32).map((e) => ({
      context: { traceId: e.traceId, spanId: e.spanId, traceFlags: 1 },
      attributes: { [ATTR_ML_FINDING_ID]: e.findingId },
    }));
    const ctx = parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
    const span = tracer.startSpan(
      EVENT_ML_INCIDENT,
      { root: parent === undefined, startTime: i.openedAtMs, attributes: incidentAttributes(i), links },
      ctx,
    );
    if (i.status === 'open') span.setStatus({ code: SpanStatusCode.ERROR, message: i.title });
    else span.setStatus({ code: SpanStatusCode.OK });
    span.end(Math.max(i.openedAtMs, i.resolvedAtMs ?? i.lastFindingAtMs));
    this.lastIncidentSpan = { id: i.id, context: span.spanContext() };
    if (change === 'opened') {
      this.incidentSpans.set(i.id, span.spanContext());
      if (this.incidentSpans.size > MAX_REMEMBERED_INCIDENTS)
        this.incidentSpans.delete(this.incidentSpans.keys().next().value as string);
    } else if (change === 'resolved') this.incidentSpans.delete(i.id);
  }

  /** Keeps `mlobs.incidents.open` per severity: an incident whose severity changes moves. */
  private countOpen(change: IncidentChange, i: Incident): void {
    const m = this.metrics;
    if (!m) return;
    const was = this.openSeverity.get(i.id);
    if (was) {
      if (change !== 'resolved' && was.severity === i.severity) return;
      m.open.add(-1, { [ATTR_ML_PIPELINE_NAME]: was.pipeline, [ATTR_ML_INCIDENT_SEVERITY]: was.severity });
      this.openSeverity.delete(i.id);
    }
    if (change === 'resolved' || i.status !== 'open') return;
    m.open.add(1, { [ATTR_ML_PIPELINE_NAME]: i.pipeline, [ATTR_ML_INCIDENT_SEVERITY]: i.severity });
    this.openSeverity.set(i.id, { pipeline: i.pipeline, severity: i.severity });
  }

  /**
   * Counts a reaction step ({@link OtelOutput.onReaction}) and emits it as an `ml.reaction`
   * log record, in its incident's trace when that span was just emitted.
   */
  emitReaction(r: Reaction): void {
    this.onReaction(r.action, r.status);
    const l = this.opts.logger;
    const logger = typeof l === 'function' ? l() : l;
    if (!logger) return;
    const span = this.lastIncidentSpan?.id === r.incidentId ? this.lastIncidentSpan.context : undefined;
    logger.emit({
      eventName: EVENT_ML_REACTION,
      timestamp: r.atMs,
      severityNumber: reactionSeverityNumber(r),
      severityText: r.status === 'failed' ? 'ERROR' : 'INFO',
      body: reactionBody(r),
      attributes: reactionAttributes(r),
      ...(span ? { context: trace.setSpanContext(ROOT_CONTEXT, span) } : {}),
    });
  }
}
