/** The factory of the `prometheus` exporter. */
import { parseDuration, parseEndpoint } from '../../config/values.js';
import type { ExporterFactory } from '../../factory.js';
import {
  createDefaultPrometheusExporterConfig,
  type PrometheusExporterConfig,
  validatePrometheusExporterConfig,
} from './config.js';
import { PrometheusExporter } from './PrometheusExporter.js';

/** Builds `prometheus` exporters: a scrape endpoint for the metrics pipelines that list it. */
export const prometheusExporterFactory: ExporterFactory<PrometheusExporterConfig> = {
  type: 'prometheus',
  signals: ['metrics'],
  createDefaultConfig: createDefaultPrometheusExporterConfig,
  validate: validatePrometheusExporterConfig,
  createExporter: (settings, config) =>
    new PrometheusExporter({
      id: settings.id,
      endpoint: parseEndpoint(config.endpoint).value ?? { host: '127.0.0.1', port: 8889 },
      store: {
        namespace: config.namespace === '' ? undefined : config.namespace,
        constLabels: config.const_labels,
        expirationMs: parseDuration(config.metric_expiration).value ?? 300_000,
        addSuffixes: config.add_metric_suffixes,
        resourceToLabels: config.resource_to_telemetry_conversion.enabled,
        maxSeriesPerMetric: config.max_series_per_metric,
      },
      selfTelemetry: config.self_telemetry,
    }),
};
