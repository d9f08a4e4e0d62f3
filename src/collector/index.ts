/**
 * Public API of `mlobs/collector`: load and validate a config the way the OpenTelemetry
 * Collector does, start the service, and the types needed to write a component.
 */
import { ErrorCodes, MlobsError } from '../errors.js';
import { defaultComponents } from './components.js';
import type { Env } from './config/expand.js';
import { formatProblems, loadConfigFile } from './config/loadConfig.js';
import type { CollectorConfig, ComponentRegistry } from './config/types.js';
import {
  isValidatedConfig,
  type ValidationResult,
  validateConfig as validateTree,
} from './config/validateConfig.js';
import type { Endpoint } from './config/values.js';
import { Service, type ServiceOptions } from './service/Service.js';

export { ErrorCodes, MlobsError } from '../errors.js';
export type {
  Component,
  Consumer,
  Host,
  LogsConsumer,
  MetricsConsumer,
  Signal,
  Telemetry,
  TracesConsumer,
} from './component.js';
export { ConsumerError } from './component.js';
export { createRegistry, defaultComponents } from './components.js';
export { formatProblems } from './config/loadConfig.js';
export type { CollectorConfig, ComponentRegistry, PipelineConfig, ServiceConfig } from './config/types.js';
export type { ValidationResult } from './config/validateConfig.js';
export { type Endpoint, parseByteSize, parseDuration, parseEndpoint } from './config/values.js';
export { defaultConfig } from './defaults.js';
export type { PostableAlert } from './exporters/alertmanager/AlertmanagerExporter.js';
export {
  signWebhook,
  verifyWebhookSignature,
  WEBHOOK_HEADERS,
} from './exporters/webhook/WebhookExporter.js';
export type {
  ConfigProblem,
  CreateSettings,
  ExporterFactory,
  ProcessorFactory,
  ReceiverFactory,
} from './factory.js';
export { type Family, negotiate, renderFamilies } from './prometheus/exposition.js';
export { SeriesStore, type SeriesStoreOptions } from './prometheus/SeriesStore.js';
export { Service, type ServiceOptions } from './service/Service.js';
export { counterName, countItems, recordItems } from './service/selfMetrics.js';

/** Options shared by {@link loadConfig}, {@link validateConfig} and {@link startCollector}. */
export interface CollectorOptions extends ServiceOptions {
  /** Factories to build from (default: every built-in component). */
  components?: ComponentRegistry;
  /** Variables for `${env:…}` (default: `process.env`). */
  env?: Env;
}

/** Reads, expands and validates a YAML config file; every problem is returned, nothing is thrown. */
export function loadConfig(file: string, options: CollectorOptions = {}): ValidationResult {
  return loadConfigFile(file, options.env ?? process.env, options.components ?? defaultComponents());
}

/** Validates a config tree (already parsed and expanded, e.g. {@link defaultConfig}()). */
export function validateConfig(tree: unknown, options: CollectorOptions = {}): ValidationResult {
  return validateTree(tree, options.components ?? defaultComponents());
}

/** A running collector. */
export interface RunningCollector {
  /** The service (telemetry counters, shutdown). */
  service: Service;
  /** Where `/metrics`, `/healthz` and `/readyz` ended up (the real port when 0 was asked). */
  telemetryEndpoint: Endpoint;
  /** Drains and stops everything, once; bounded by `service.shutdown_timeout`. */
  shutdown(): Promise<void>;
}

/**
 * Validates (unless already validated) and starts a collector. Throws an
 * `MLOBS_ERR_CONFIG_INVALID` error listing every problem before anything starts.
 */
export async function startCollector(
  config: CollectorConfig | unknown,
  options: CollectorOptions = {},
): Promise<RunningCollector> {
  const components = options.components ?? defaultComponents();
  let validated: CollectorConfig;
  if (isValidatedConfig(config)) {
    validated = config;
  } else {
    const result = validateTree(config, components);
    if (result.config === undefined) {
      throw new MlobsError(
        ErrorCodes.MLOBS_ERR_CONFIG_INVALID,
        `invalid collector config:\n${formatProblems(result.problems)}`,
        {
          details: result.problems,
        },
      );
    }
    validated = result.config;
  }
  const service = new Service(validated, components, options);
  const telemetryEndpoint = await service.start();
  return { service, telemetryEndpoint, shutdown: () => service.shutdown() };
}
