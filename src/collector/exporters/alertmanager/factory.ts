/** The factory of the `alertmanager` exporter. */
import { parseDuration } from '../../config/values.js';
import { retryPolicy } from '../../exporterhelper/exporterSettings.js';
import type { ExporterFactory } from '../../factory.js';
import { AlertmanagerExporter } from './AlertmanagerExporter.js';
import {
  type AlertmanagerExporterConfig,
  createDefaultAlertmanagerExporterConfig,
  validateAlertmanagerExporterConfig,
} from './config.js';

/** Builds `alertmanager` exporters: `ml.incident` log records in, Alertmanager v2 alerts out. */
export const alertmanagerExporterFactory: ExporterFactory<AlertmanagerExporterConfig> = {
  type: 'alertmanager',
  signals: ['logs'],
  createDefaultConfig: createDefaultAlertmanagerExporterConfig,
  validate: validateAlertmanagerExporterConfig,
  createExporter: (settings, c) =>
    new AlertmanagerExporter({
      id: settings.id,
      url: new URL('api/v2/alerts', c.endpoint.endsWith('/') ? c.endpoint : `${c.endpoint}/`),
      alertname: c.alertname,
      resendMs: parseDuration(c.resend_interval).value ?? 60_000,
      incidentBaseUrl: c.incident_base_url,
      staticLabels: c.static_labels,
      timeoutMs: parseDuration(c.timeout).value ?? 10_000,
      headers: c.headers,
      retry: retryPolicy(c.retry_on_failure),
    }),
};
