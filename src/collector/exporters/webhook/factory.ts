/** The factory of the `webhook` exporter. */
import { parseDuration } from '../../config/values.js';
import { retryPolicy } from '../../exporterhelper/exporterSettings.js';
import type { ExporterFactory } from '../../factory.js';
import {
  createDefaultWebhookExporterConfig,
  validateWebhookExporterConfig,
  type WebhookExporterConfig,
} from './config.js';
import { WebhookExporter } from './WebhookExporter.js';

/** Builds `webhook` exporters: `ml.incident`, `ml.finding` and `ml.reaction` records as signed JSON posts. */
export const webhookExporterFactory: ExporterFactory<WebhookExporterConfig> = {
  type: 'webhook',
  signals: ['logs'],
  createDefaultConfig: createDefaultWebhookExporterConfig,
  validate: validateWebhookExporterConfig,
  createExporter: (settings, c) =>
    new WebhookExporter({
      id: settings.id,
      urls: c.urls.map((u) => new URL(u)),
      secret: c.secret,
      events: new Set(c.events),
      timeoutMs: parseDuration(c.timeout).value ?? 5000,
      headers: c.headers,
      retry: retryPolicy(c.retry_on_failure),
      queue: { size: c.sending_queue.queue_size, consumers: c.sending_queue.num_consumers },
    }),
};
