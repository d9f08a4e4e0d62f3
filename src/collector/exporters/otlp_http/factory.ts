/** Factory of the `otlp_http` exporter. */
import type { ExporterFactory } from '../../factory.js';
import {
  createDefaultOtlpHttpExporterConfig,
  hasEndpointFor,
  type OtlpHttpExporterConfig,
  validateOtlpHttpExporterConfig,
} from './config.js';
import { OtlpHttpExporter } from './OtlpHttpExporter.js';

/** Builds `otlp_http` exporters (traces, logs, metrics). */
export const otlpHttpExporterFactory: ExporterFactory<OtlpHttpExporterConfig> = {
  type: 'otlp_http',
  signals: ['traces', 'logs', 'metrics'],
  createDefaultConfig: createDefaultOtlpHttpExporterConfig,
  validate: validateOtlpHttpExporterConfig,
  checkSignal: (config, signal) =>
    hasEndpointFor(config, signal)
      ? undefined
      : `has no endpoint for ${signal} (set endpoint or ${signal}_endpoint)`,
  createExporter: (settings, config, signals) => new OtlpHttpExporter(settings.id, config, signals),
};
