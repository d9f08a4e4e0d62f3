/** The factory of the `debug` exporter. */
import type { ExporterFactory } from '../../factory.js';
import { createDefaultDebugConfig, type DebugConfig, validateDebugConfig } from './config.js';
import { DebugExporter } from './DebugExporter.js';

/** Builds a `debug` exporter writing to stdout, for any signal. */
export const debugExporterFactory: ExporterFactory<DebugConfig> = {
  type: 'debug',
  signals: ['traces', 'logs', 'metrics'],
  createDefaultConfig: createDefaultDebugConfig,
  validate: validateDebugConfig,
  createExporter: (settings, config) => new DebugExporter(settings.id, config.verbosity),
};
