/** Factory of the `otlp_http` exporter. */
import type { ExporterFactory } from '../../factory.js';
import {
  createDefaultOtlpHttpExporterConfig,
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
  createExporter: (settings, config, signals) => new OtlpHttpExporter(settings.id, config, signals),
};
