/**
 * The `alertmanager` exporter: turns `ml.incident` log records (one per incident state
 * change, from the `ml` processor) into alerts on Alertmanager's v2 API. One alert per
 * incident, identified by its labels (`alertname`, `incident_id`, `severity`, `pipeline`,
 * `model`, and the root cause's component and kind once the diagnosis names one); the
 * title, the root cause's explanation and a link go in annotations.
 *
 * Alertmanager forgets an alert whose `endsAt` passes, so an open incident is posted again
 * every `resend_interval` with `endsAt` four intervals ahead (as Prometheus does): if mlobs
 * stops, its alerts resolve on their own instead of firing forever. A resolved incident is
 * posted once with `endsAt` at its resolution. When an open incident's labels change (its
 * severity rises, a root cause is found) the alert under the old labels is ended at once, so
 * one incident never shows as two firing alerts. Requests go through one ordered queue with
 * retries and back-off; failures are counted and never refuse the logs pipeline
 * (the next re-send repairs a lost one).
 */
import type { LogRecord, LogsData } from '../../../model/otlp.js';
import {
  ATTR_ML_INCIDENT_CHANGE,
  ATTR_ML_INCIDENT_COMPONENTS,
  ATTR_ML_INCIDENT_FEATURES,
  ATTR_ML_INCIDENT_ID,
  ATTR_ML_INCIDENT_OPENED_AT,
  ATTR_ML_INCIDENT_RESOLVED_AT,
  ATTR_ML_INCIDENT_ROOT_CAUSE_COMPONENT,
  ATTR_ML_INCIDENT_ROOT_CAUSE_EXPLANATION,
  ATTR_ML_INCIDENT_ROOT_CAUSE_KIND,
  ATTR_ML_INCIDENT_ROOT_CAUSE_SCORE,
  ATTR_ML_INCIDENT_SEVERITY,
  ATTR_ML_INCIDENT_TITLE,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_PIPELINE_NAME,
  EVENT_ML_INCIDENT,
} from '../../../semconv/index.js';
import type { Component, Host, LogsConsumer, Telemetry } from '../../component.js';
import type { RetryPolicy } from '../../exporterhelper/exporterSettings.js';
import { RetrySender } from '../../exporterhelper/RetrySender.js';
import { FAILED_REQUESTS_COUNTER, noopTelemetry } from '../../service/selfMetrics.js';
import { attributeValues, postJson } from '../httpPost.js';

/** Resolved settings of one alertmanager exporter. */
export interface AlertmanagerExporterSettings {
  /** Component id. */
  id: string;
  /** `<endpoint>/api/v2/alerts`. */
  url: URL;
  /** The `alertname` label. */
  alertname: string;
  /** Re-send interval of open alerts, ms. */
  resendMs: number;
  /** Base of incident links; '' for none. */
  incidentBaseUrl: string;
  /** Labels on every alert. */
  staticLabels: Record<string, string>;
  /** Per-request timeout, ms. */
  timeoutMs: number;
  /** Extra request headers. */
  headers: Record<string, string>;
  /** Back-off. */
  retry: RetryPolicy;
}

/** One alert as `POST /api/v2/alerts` takes it (`postableAlert`). */
export interface PostableAlert {
  /** Identify the alert. */
  labels: Record<string, string>;
  /** Describe it. */
  annotations: Record<string, string>;
  /** RFC 3339. */
  startsAt: string;
  /** RFC 3339; in the past means resolved. */
  endsAt: string;
  /** Link back to the source. */
  generatorURL?: string;
}

/**
 * Self-telemetry counter: requests Alertmanager answered badly or not at all. It exists at 0
 * from the start, so Prometheus' `increase()` sees the first failure too.
 */
export const FAILED_REQUESTS = FAILED_REQUESTS_COUNTER;

/** Alerts for the incidents in the logs pipeline. */
export class AlertmanagerExporter implements Component, LogsConsumer {
  /** Open incidents' alerts, by incident id. */
  private readonly open = new Map<string, PostableAlert>();
  private readonly sender: RetrySender;
  private telemetry: Telemetry = noopTelemetry;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly s: AlertmanagerExporterSettings) {
    this.sender = new RetrySender({
      id: s.id,
      retry: s.retry,
      // One consumer: alerts reach Alertmanager in the order their incidents changed.
      queue: { size: 1000, consumers: 1 },
      endpoint: () => s.url.href,
      send: async (item, abort) => {
        const r = await postJson(s.url, item.body, s.headers, s.timeoutMs, abort);
        // The reason (status or network error) is in the sender's warning; the counter stays one series.
        if (!r.ok) this.telemetry.add(FAILED_REQUESTS, 1, { exporter: s.id });
        return r;
      },
    });
  }

  /** Incidents whose alert is firing (tests and the HTTP API read it). */
  get firing(): readonly PostableAlert[] {
    return [...this.open.values()];
  }

  /** Starts the re-send timer. */
  async start(host: Host): Promise<void> {
    this.telemetry = host.telemetry;
    this.sender.telemetry = host.telemetry;
    this.telemetry.add(FAILED_REQUESTS, 0, { exporter: this.s.id });
    this.timer = setInterval(() => this.resend(), this.s.resendMs);
    this.timer.unref();
  }

  /** Stops re-sending and drains what is queued (open alerts then expire on their own `endsAt`). */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.sender.shutdown(this.s.timeoutMs);
  }

  /** Posts the alerts of the `ml.incident` records in the batch; other records are ignored. */
  async consumeLogs(data: LogsData): Promise<void> {
    const batch: PostableAlert[] = [];
    for (const rl of data.resourceLogs)
      for (const sl of rl.scopeLogs)
        for (const r of sl.logRecords) if (r.eventName === EVENT_ML_INCIDENT) batch.push(...this.update(r));
    if (batch.length > 0) this.post(batch);
  }

  /** The alerts one state change produces: the incident's, plus the old one ended if labels moved. */
  private update(r: LogRecord): PostableAlert[] {
    const a = attributeValues(r.attributes);
    const id = str(a[ATTR_ML_INCIDENT_ID]);
    if (id === '') return [];
    const now = Date.now();
    const labels: Record<string, string> = {
      ...this.s.staticLabels,
      alertname: this.s.alertname,
      incident_id: id,
    };
    const put = (k: string, v: unknown) => {
      if (str(v) !== '') labels[k] = str(v);
    };
    put('severity', a[ATTR_ML_INCIDENT_SEVERITY]);
    put('pipeline', a[ATTR_ML_PIPELINE_NAME]);
    put('model', a[ATTR_ML_MODEL_NAME]);
    put('root_cause_component', a[ATTR_ML_INCIDENT_ROOT_CAUSE_COMPONENT]);
    put('root_cause_kind', a[ATTR_ML_INCIDENT_ROOT_CAUSE_KIND]);
    const title = str(a[ATTR_ML_INCIDENT_TITLE]);
    const annotations: Record<string, string> = { title, summary: title };
    const explanation = str(a[ATTR_ML_INCIDENT_ROOT_CAUSE_EXPLANATION]);
    annotations.explanation = explanation !== '' ? explanation : str(r.body?.stringValue);
    if (labels.root_cause_component) {
      const score = a[ATTR_ML_INCIDENT_ROOT_CAUSE_SCORE];
      annotations.root_cause = `${labels.root_cause_component} (${labels.root_cause_kind ?? 'unknown kind'}${
        typeof score === 'number' ? `, score ${score.toFixed(2)}` : ''
      })`;
    }
    const list = (v: unknown) => (Array.isArray(v) ? v.map(str).join(', ') : '');
    if (list(a[ATTR_ML_INCIDENT_FEATURES]) !== '') annotations.features = list(a[ATTR_ML_INCIDENT_FEATURES]);
    if (list(a[ATTR_ML_INCIDENT_COMPONENTS]) !== '')
      annotations.components = list(a[ATTR_ML_INCIDENT_COMPONENTS]);
    const link = this.link(id);
    if (link) annotations.link = link;
    const startsAt = str(a[ATTR_ML_INCIDENT_OPENED_AT]) || new Date(now).toISOString();
    const out: PostableAlert[] = [];
    const before = this.open.get(id);
    if (before && !sameLabels(before.labels, labels))
      out.push({ ...before, endsAt: new Date(now).toISOString() });
    if (str(a[ATTR_ML_INCIDENT_CHANGE]) === 'resolved') {
      this.open.delete(id);
      const at = Date.parse(str(a[ATTR_ML_INCIDENT_RESOLVED_AT]));
      // Alertmanager only shows an alert resolved once endsAt has passed.
      const endsAt = new Date(Number.isFinite(at) ? Math.min(at, now) : now).toISOString();
      out.push(this.alert(labels, annotations, startsAt, endsAt, link));
    } else {
      const alert = this.alert(labels, annotations, startsAt, this.validUntil(now), link);
      this.open.set(id, alert);
      out.push(alert);
    }
    return out;
  }

  private alert(
    labels: Record<string, string>,
    annotations: Record<string, string>,
    startsAt: string,
    endsAt: string,
    link: string | undefined,
  ): PostableAlert {
    return link
      ? { labels, annotations, startsAt, endsAt, generatorURL: link }
      : { labels, annotations, startsAt, endsAt };
  }

  private link(id: string): string | undefined {
    if (this.s.incidentBaseUrl === '') return undefined;
    return `${this.s.incidentBaseUrl.replace(/\/+$/, '')}/incidents/${encodeURIComponent(id)}`;
  }

  private validUntil(now: number): string {
    return new Date(now + 4 * this.s.resendMs).toISOString();
  }

  /** Posts every open alert again with a fresh `endsAt`. */
  private resend(): void {
    if (this.open.size === 0) return;
    const until = this.validUntil(Date.now());
    for (const a of this.open.values()) a.endsAt = until;
    this.post([...this.open.values()]);
  }

  private post(alerts: PostableAlert[]): void {
    if (this.stopped) return;
    const body = Buffer.from(JSON.stringify(alerts), 'utf8');
    // Refusal (queue full) is counted by the sender; the next re-send carries the open ones again.
    this.sender.submit({ signal: 'logs', body, count: alerts.length }).catch(() => undefined);
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
