/**
 * Config of the `alertmanager` exporter: where Alertmanager is (`endpoint`, its base URL;
 * alerts go to `<endpoint>/api/v2/alerts`), how often open incidents are re-sent, the link
 * base for incidents, extra labels, and the retry block the OTLP exporters use.
 */
import { parseDuration, show } from '../../config/values.js';
import {
  defaultQueueSettings,
  defaultRetrySettings,
  type RetrySettings,
  validateSendingSettings,
  validateTimeoutAndHeaders,
} from '../../exporterhelper/exporterSettings.js';
import type { ConfigProblem } from '../../factory.js';

/** The `exporters::alertmanager` config as written in YAML. */
export interface AlertmanagerExporterConfig {
  /** Alertmanager's base URL (`http://127.0.0.1:9093`). */
  endpoint: string;
  /** The `alertname` label of every alert. */
  alertname: string;
  /** Open incidents are posted again this often, so Alertmanager keeps them firing (`1m`). */
  resend_interval: string;
  /**
   * Base URL of a page per incident; the alert links to `<incident_base_url>/incidents/<id>`
   * (as `generatorURL` and the `link` annotation). Empty: no link.
   */
  incident_base_url: string;
  /** Labels added to every alert (team, environment). */
  static_labels: Record<string, string>;
  /** Per-request timeout. */
  timeout: string;
  /** Extra request headers (an Authorization header for a proxied Alertmanager). */
  headers: Record<string, string>;
  /** Back-off on retryable failures (5xx, 429, network errors). */
  retry_on_failure: RetrySettings;
}

/** Defaults; a local Alertmanager, re-sent every minute. */
export function createDefaultAlertmanagerExporterConfig(): AlertmanagerExporterConfig {
  return {
    endpoint: 'http://127.0.0.1:9093',
    alertname: 'MlobsIncident',
    resend_interval: '1m',
    incident_base_url: '',
    static_labels: {},
    timeout: '10s',
    headers: {},
    retry_on_failure: { ...defaultRetrySettings(), initial_interval: '1s', max_elapsed_time: '2m' },
  };
}

const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function urlProblem(path: string, value: unknown, allowEmpty: boolean): ConfigProblem | undefined {
  if (allowEmpty && value === '') return undefined;
  try {
    const u = new URL(String(value));
    if (u.protocol === 'http:' || u.protocol === 'https:') return undefined;
  } catch {
    // reported below
  }
  return { path, message: `must be an http(s) URL such as "http://127.0.0.1:9093", got ${show(value)}` };
}

/** Every problem with an alertmanager exporter config. */
export function validateAlertmanagerExporterConfig(c: AlertmanagerExporterConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const ep = urlProblem('endpoint', c.endpoint, false);
  if (ep) problems.push(ep);
  const link = urlProblem('incident_base_url', c.incident_base_url, true);
  if (link) problems.push(link);
  if (typeof c.alertname !== 'string' || c.alertname === '')
    problems.push({ path: 'alertname', message: 'must be a non-empty string' });
  const every = parseDuration(c.resend_interval);
  if (every.error !== undefined) problems.push({ path: 'resend_interval', message: every.error });
  else if (every.value < 100) problems.push({ path: 'resend_interval', message: 'must be at least 100ms' });
  for (const [k, v] of Object.entries(c.static_labels)) {
    if (!LABEL.test(k)) problems.push({ path: `static_labels::${k}`, message: 'is not a valid label name' });
    if (typeof v !== 'string')
      problems.push({ path: `static_labels::${k}`, message: `must be a string, got ${show(v)}` });
  }
  problems.push(...validateTimeoutAndHeaders(c.timeout, c.headers));
  problems.push(
    ...validateSendingSettings(c.retry_on_failure, defaultQueueSettings()).filter((p) =>
      p.path.startsWith('retry_on_failure'),
    ),
  );
  return problems;
}
