/**
 * The registry of every component the mlobs collector can build, by kind and type. A new
 * component is added by importing its factory here and listing it in
 * {@link defaultComponents}.
 */
import { ErrorCodes, MlobsError } from '../errors.js';
import type { ComponentRegistry } from './config/types.js';
import { alertmanagerExporterFactory } from './exporters/alertmanager/factory.js';
import { debugExporterFactory } from './exporters/debug/factory.js';
import { fileExporterFactory } from './exporters/file/factory.js';
import { otlpGrpcExporterFactory } from './exporters/otlp_grpc/factory.js';
import { otlpHttpExporterFactory } from './exporters/otlp_http/factory.js';
import { prometheusExporterFactory } from './exporters/prometheus/factory.js';
import { webhookExporterFactory } from './exporters/webhook/factory.js';
import { mlobsUiExtensionFactory } from './extensions/mlobs_ui/factory.js';
import { sqliteStorageExtensionFactory } from './extensions/sqlite_storage/factory.js';
import type { ExporterFactory, ExtensionFactory, ProcessorFactory, ReceiverFactory } from './factory.js';
import { batchProcessorFactory } from './processors/batch/factory.js';
import { memoryLimiterProcessorFactory } from './processors/memory_limiter/factory.js';
import { mlProcessorFactory } from './processors/ml/factory.js';
import { otlpReceiverFactory } from './receivers/otlp/factory.js';

/** Factories to register, by kind. */
export interface ComponentLists {
  // biome-ignore lint/suspicious/noExplicitAny: each factory has its own config type
  receivers?: readonly ReceiverFactory<any>[];
  // biome-ignore lint/suspicious/noExplicitAny: each factory has its own config type
  processors?: readonly ProcessorFactory<any>[];
  // biome-ignore lint/suspicious/noExplicitAny: each factory has its own config type
  exporters?: readonly ExporterFactory<any>[];
  // biome-ignore lint/suspicious/noExplicitAny: each factory has its own config type
  extensions?: readonly ExtensionFactory<any>[];
}

/** Builds a registry from factory lists; two factories of one kind with the same type are a programming error. */
export function createRegistry(lists: ComponentLists): ComponentRegistry {
  return {
    receivers: byType('receivers', lists.receivers ?? []),
    processors: byType('processors', lists.processors ?? []),
    exporters: byType('exporters', lists.exporters ?? []),
    extensions: byType('extensions', lists.extensions ?? []),
  };
}

/** Every built-in component, plus any `extra` ones (extra types override nothing: duplicates throw). */
export function defaultComponents(extra: ComponentLists = {}): ComponentRegistry {
  return createRegistry({
    receivers: [otlpReceiverFactory, ...(extra.receivers ?? [])],
    processors: [
      batchProcessorFactory,
      memoryLimiterProcessorFactory,
      mlProcessorFactory,
      ...(extra.processors ?? []),
    ],
    exporters: [
      debugExporterFactory,
      fileExporterFactory,
      otlpHttpExporterFactory,
      otlpGrpcExporterFactory,
      prometheusExporterFactory,
      alertmanagerExporterFactory,
      webhookExporterFactory,
      ...(extra.exporters ?? []),
    ],
    extensions: [mlobsUiExtensionFactory, sqliteStorageExtensionFactory, ...(extra.extensions ?? [])],
  });
}

function byType<F extends { readonly type: string }>(
  kind: string,
  factories: readonly F[],
): ReadonlyMap<string, F> {
  const map = new Map<string, F>();
  for (const f of factories) {
    if (map.has(f.type))
      throw new MlobsError(
        ErrorCodes.MLOBS_ERR_COMPONENT_REGISTRY,
        `${kind}: two factories have the type "${f.type}"`,
      );
    map.set(f.type, f);
  }
  return map;
}
