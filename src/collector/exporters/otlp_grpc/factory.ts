/** Factory of the `otlp_grpc` exporter. */
import type { ExporterFactory } from '../../factory.js';
import {
  createDefaultOtlpGrpcExporterConfig,
  type OtlpGrpcExporterConfig,
  validateOtlpGrpcExporterConfig,
} from './config.js';
import { OtlpGrpcExporter } from './OtlpGrpcExporter.js';

/** Builds `otlp_grpc` exporters (traces, logs, metrics). */
export const otlpGrpcExporterFactory: ExporterFactory<OtlpGrpcExporterConfig> = {
  type: 'otlp_grpc',
  signals: ['traces', 'logs', 'metrics'],
  createDefaultConfig: createDefaultOtlpGrpcExporterConfig,
  validate: validateOtlpGrpcExporterConfig,
  createExporter: (settings, config) => new OtlpGrpcExporter(settings.id, config),
};
