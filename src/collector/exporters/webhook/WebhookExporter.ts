/**
 * The `webhook` exporter: every `ml.incident`, `ml.finding` and `ml.reaction` log record in
 * the logs pipeline becomes one JSON POST to each configured URL:
 *
 * ```json
 * {"id":"<delivery id>","type":"ml.incident","time":"2026-12-03T10:02:00.000Z",
 *  "body":"incident opened: ...","severity":"WARNING","attributes":{"ml.incident.id":"..."},
 *  "resource":{"service.name":"mlobs"},"trace_id":"...","span_id":"..."}
 * ```
 *
 * Signing, as Stripe and GitHub do it: with a `secret`, each attempt carries
 * `X-Mlobs-Timestamp: <unix seconds>` and `X-Mlobs-Signature: sha256=<hex>`, the hex
 * HMAC-SHA256 of `<timestamp>.<raw body>` under the secret. A receiver recomputes it over
 * the bytes it received, compares in constant time, and refuses a timestamp more than a few
 * minutes old (a replayed delivery); {@link verifyWebhookSignature} does exactly that. The
 * delivery id (`X-Mlobs-Delivery`, also `id` in the body) stays the same across retries, so
 * a receiver can drop duplicates.
 *
 * Each URL has its own bounded queue and retries (back-off, `Retry-After`), so a slow
 * receiver delays only itself; deliveries that do not fit are dropped and counted, and the
 * logs pipeline is never refused because of a webhook.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { LogRecord, LogsData } from '../../../model/otlp.js';
import type { Component, Host, LogsConsumer, Telemetry } from '../../component.js';
import type { RetryPolicy } from '../../exporterhelper/exporterSettings.js';
import { RetrySender } from '../../exporterhelper/RetrySender.js';
import { FAILED_REQUESTS_COUNTER, noopTelemetry } from '../../service/selfMetrics.js';
import { attributeValues, postJson } from '../httpPost.js';

/** Resolved settings of one webhook exporter. */
export interface WebhookExporterSettings {
  /** Component id. */
  id: string;
  /** Receivers. */
  urls: URL[];
  /** HMAC key; '' for unsigned deliveries. */
  secret: string;
  /** Event names delivered. */
  events: ReadonlySet<string>;
  /** Per-request timeout, ms. */
  timeoutMs: number;
  /** Extra headers. */
  headers: Record<string, string>;
  /** Back-off. */
  retry: RetryPolicy;
  /** Per-URL queue. */
  queue: { size: number; consumers: number };
}

/** Header names of a delivery. */
export const WEBHOOK_HEADERS = {
  signature: 'X-Mlobs-Signature',
  timestamp: 'X-Mlobs-Timestamp',
  event: 'X-Mlobs-Event',
  delivery: 'X-Mlobs-Delivery',
} as const;

/**
 * Self-telemetry counter: delivery attempts that failed, per URL (the reason is in the sender's
 * warning). Each URL's series exists at 0 from the start, so `increase()` sees the first failure.
 */
export const FAILED_DELIVERIES = FAILED_REQUESTS_COUNTER;

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export function signWebhook(secret: string, timestamp: number, body: Uint8Array | string): string {
  const h = createHmac('sha256', secret);
  h.update(`${timestamp}.`);
  h.update(body);
  return `sha256=${h.digest('hex')}`;
}

/**
 * Whether a delivery is authentic and fresh: the signature matches the raw body and the
 * timestamp, compared in constant time, and the timestamp is within `toleranceS` of now.
 */
export function verifyWebhookSignature(
  secret: string,
  body: Uint8Array | string,
  timestampHeader: string | undefined,
  signatureHeader: string | undefined,
  options: { toleranceS?: number; nowS?: number } = {},
): boolean {
  if (timestampHeader === undefined || signatureHeader === undefined || !/^\d+$/.test(timestampHeader))
    return false;
  const ts = Number(timestampHeader);
  const now = options.nowS ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (options.toleranceS ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const got = Buffer.from(signatureHeader);
  return expected.length === got.length && timingSafeEqual(expected, got);
}

interface Delivery {
  id: string;
  event: string;
}

/** Posts selected log events to webhooks. */
export class WebhookExporter implements Component, LogsConsumer {
  private readonly senders: RetrySender[];
  private readonly deliveries = new WeakMap<Uint8Array, Delivery>();
  private telemetry: Telemetry = noopTelemetry;
  private stopped = false;

  constructor(private readonly s: WebhookExporterSettings) {
    this.senders = s.urls.map(
      (url) =>
        new RetrySender({
          id: `${s.id} (${url.origin}${url.pathname})`,
          retry: s.retry,
          queue: s.queue,
          endpoint: () => url.href,
          send: async (item, abort) => {
            const d = this.deliveries.get(item.body) as Delivery;
            // Signed per attempt, so a retry's timestamp is fresh for the receiver's tolerance.
            const ts = Math.floor(Date.now() / 1000);
            const headers: Record<string, string> = {
              ...s.headers,
              [WEBHOOK_HEADERS.event]: d.event,
              [WEBHOOK_HEADERS.delivery]: d.id,
              [WEBHOOK_HEADERS.timestamp]: String(ts),
            };
            if (s.secret !== '') headers[WEBHOOK_HEADERS.signature] = signWebhook(s.secret, ts, item.body);
            const r = await postJson(url, item.body, headers, s.timeoutMs, abort);
            if (!r.ok) this.telemetry.add(FAILED_DELIVERIES, 1, { exporter: s.id, url: urlLabel(url) });
            return r;
          },
        }),
    );
  }

  /** Takes telemetry; nothing to open (each request uses its own connection). */
  async start(host: Host): Promise<void> {
    this.telemetry = host.telemetry;
    for (const sender of this.senders) sender.telemetry = host.telemetry;
    for (const url of this.s.urls)
      this.telemetry.add(FAILED_DELIVERIES, 0, { exporter: this.s.id, url: urlLabel(url) });
  }

  /** Drains every queue within the timeout (what is left is counted as failed). */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.senders.map((x) => x.shutdown(this.s.timeoutMs)));
  }

  /** Queues one delivery per selected record and URL; never refuses the batch. */
  async consumeLogs(data: LogsData): Promise<void> {
    if (this.stopped) return;
    for (const rl of data.resourceLogs) {
      const resource = attributeValues(rl.resource.attributes);
      for (const sl of rl.scopeLogs)
        for (const r of sl.logRecords) {
          if (!this.s.events.has(r.eventName)) continue;
          const id = randomUUID();
          const body = Buffer.from(JSON.stringify(payload(id, r, resource)), 'utf8');
          this.deliveries.set(body, { id, event: r.eventName });
          // A full queue is counted (enqueue_failed) and warned about by the sender.
          for (const sender of this.senders)
            sender.submit({ signal: 'logs', body, count: 1 }).catch(() => undefined);
        }
    }
  }
}

/** A URL without its query (which may carry a token) for labels. */
function urlLabel(url: URL): string {
  return url.origin + url.pathname;
}

function payload(id: string, r: LogRecord, resource: Record<string, unknown>): Record<string, unknown> {
  const ms = Number(r.timeUnixNano / 1_000_000n);
  const body = r.body?.stringValue;
  const out: Record<string, unknown> = {
    id,
    type: r.eventName,
    time: new Date(ms).toISOString(),
    severity: r.severityText,
    body: body ?? null,
    attributes: attributeValues(r.attributes),
    resource,
  };
  if (r.traceId !== '') out.trace_id = r.traceId;
  if (r.spanId !== '') out.span_id = r.spanId;
  return out;
}
