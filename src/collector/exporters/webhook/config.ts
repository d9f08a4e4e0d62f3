/**
 * Config of the `webhook` exporter: the URLs to post to, the shared `secret` that signs
 * every delivery (HMAC-SHA256, see `WebhookExporter`), which log events to send, and the
 * timeout, retry and queue blocks the OTLP exporters use.
 */

import { EVENT_ML_FINDING, EVENT_ML_INCIDENT, EVENT_ML_REACTION } from '../../../semconv/index.js';
import { show } from '../../config/values.js';
import {
  defaultQueueSettings,
  defaultRetrySettings,
  type RetrySettings,
  validateSendingSettings,
  validateTimeoutAndHeaders,
} from '../../exporterhelper/exporterSettings.js';
import type { ConfigProblem } from '../../factory.js';

/** Log events the webhook can deliver. */
export const WEBHOOK_EVENTS: readonly string[] = [EVENT_ML_INCIDENT, EVENT_ML_FINDING, EVENT_ML_REACTION];

/** The `exporters::webhook` config as written in YAML. */
export interface WebhookExporterConfig {
  /** Where each event is POSTed (every URL gets every event). */
  urls: string[];
  /** Key of the `X-Mlobs-Signature` HMAC; use `${env:VAR}`. Empty: deliveries are unsigned. */
  secret: string;
  /** Which `eventName`s to deliver. */
  events: string[];
  /** Per-request timeout. */
  timeout: string;
  /** Extra request headers. */
  headers: Record<string, string>;
  /** Back-off on retryable failures (5xx, 408, 429, network errors). */
  retry_on_failure: RetrySettings;
  /** Deliveries waiting per URL at most (`queue_size`); more are dropped and counted. */
  sending_queue: { queue_size: number; num_consumers: number };
}

/** Defaults: every event, a 5 s timeout, retries for up to 5 minutes, 1000 waiting deliveries per URL. */
export function createDefaultWebhookExporterConfig(): WebhookExporterConfig {
  return {
    urls: [],
    secret: '',
    events: [...WEBHOOK_EVENTS],
    timeout: '5s',
    headers: {},
    retry_on_failure: { ...defaultRetrySettings(), initial_interval: '1s' },
    sending_queue: { queue_size: 1000, num_consumers: 2 },
  };
}

/** Every problem with a webhook exporter config. */
export function validateWebhookExporterConfig(c: WebhookExporterConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (c.urls.length === 0) problems.push({ path: 'urls', message: 'needs at least one URL to post to' });
  c.urls.forEach((u, i) => {
    let ok = false;
    try {
      const url = new URL(String(u));
      ok = url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) problems.push({ path: `urls::${i}`, message: `must be an http(s) URL, got ${show(u)}` });
  });
  if (typeof c.secret !== 'string') problems.push({ path: 'secret', message: 'must be a string' });
  c.events.forEach((e, i) => {
    if (!WEBHOOK_EVENTS.includes(e))
      problems.push({
        path: `events::${i}`,
        message: `must be one of ${WEBHOOK_EVENTS.join(', ')}, got ${show(e)}`,
      });
  });
  problems.push(...validateTimeoutAndHeaders(c.timeout, c.headers));
  problems.push(
    ...validateSendingSettings(c.retry_on_failure, {
      ...defaultQueueSettings(),
      queue_size: c.sending_queue.queue_size,
      num_consumers: c.sending_queue.num_consumers,
    }),
  );
  return problems;
}
