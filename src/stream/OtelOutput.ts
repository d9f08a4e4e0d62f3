/**
 * An {@link AnalysisListener} that reports through the OpenTelemetry API: incidents as
 * `ml.incident` spans (via a Tracer), findings as `ml.finding` log records (via an
 * `@opentelemetry/api-logs` Logger, if given) and numbers as metrics (via a Meter). The
 * core only returns data; this is where it becomes telemetry.
 */
import {
  type Attributes,
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
import type { Finding, Incident, StreamKey } from '../model/finding.js';
import {
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_FINDING_DETECTOR,
  ATTR_ML_FINDING_FEATURE,
  ATTR_ML_FINDING_ID,
  ATTR_ML_FINDING_SEVERITY,
  ATTR_ML_FINDING_STATISTIC,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_PIPELINE_NAME,
  EVENT_ML_FINDING,
  EVENT_ML_INCIDENT,
} from '../semconv/index.js';

/** The member of an `@opentelemetry/api-logs` Logger used here (structural: no hard dependency). */
export interface LogEmitter {
  emit(record: {
    eventName?: string;
    timestamp?: number;
    severityNumber?: number;
    severityText?: string;
    body?: string;
    attributes?: Attributes;
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
  /** Logger for finding log records, or a function returning it (called per record); none: no records. */
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
  open: ReturnType<Meter['createUpDownCounter']>;
  findings: ReturnType<Meter['createCounter']>;
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
  private instruments: Instruments | undefined;

  constructor(private readonly opts: OtelOutputOptions) {}

  /** The instruments, created on first use from the (possibly lazily given) meter. */
  private get metrics(): Instruments | undefined {
    if (this.instruments !== undefined || this.opts.meter === undefined) return this.instruments;
    const m = typeof this.opts.meter === 'function' ? this.opts.meter() : this.opts.meter;
    this.instruments = {
      statistic: m.createGauge('mlobs.detector.statistic', {
        description: 'Latest value of a detector statistic per feature and window',
      }),
      threshold: m.createGauge('mlobs.detector.threshold', {
        description: 'Threshold the detector statistic was compared with',
      }),
      missing: m.createGauge('mlobs.feature.missing_rate', {
        description: 'Share of null values of a feature in the latest window',
        unit: '1',
      }),
      open: m.createUpDownCounter('mlobs.incidents.open', { description: 'Incidents currently open' }),
      findings: m.createCounter('mlobs.findings', { description: 'Findings made by the detectors' }),
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
    if (change === 'opened') this.metrics?.open.add(1, { [ATTR_ML_PIPELINE_NAME]: i.pipeline });
    if (change === 'resolved') this.metrics?.open.add(-1, { [ATTR_ML_PIPELINE_NAME]: i.pipeline });
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
    if (change === 'opened') {
      this.incidentSpans.set(i.id, span.spanContext());
      if (this.incidentSpans.size > MAX_REMEMBERED_INCIDENTS)
        this.incidentSpans.delete(this.incidentSpans.keys().next().value as string);
    } else if (change === 'resolved') this.incidentSpans.delete(i.id);
  }
}
