/**
 * The shape of a collector config after validation: every component config decoded over
 * its defaults and checked, every pipeline resolved to component ids that exist and
 * support its signal. Produced by `validateConfig`, deep-frozen, read by the service.
 */
import type { Signal } from '../component.js';
import type { ExporterFactory, ExtensionFactory, ProcessorFactory, ReceiverFactory } from '../factory.js';
import type { Endpoint } from './values.js';

/** The three component kinds a pipeline can list. */
export type ComponentKind = 'receivers' | 'processors' | 'exporters';

/** Every component section of a config: the pipeline kinds plus `extensions`. */
export type SectionKind = ComponentKind | 'extensions';

/** One configured component, keyed in its section by `id`. */
export interface ComponentConfig {
  /** `type` or `type/name`, as written in the config. */
  readonly id: string;
  /** The factory type (the part before `/`). */
  readonly type: string;
  /** The decoded config: user values over `createDefaultConfig()`. */
  readonly config: unknown;
}

/** One pipeline: `traces`, `logs/audit`, … with its component ids in order. */
export interface PipelineConfig {
  /** `signal` or `signal/name`. */
  readonly id: string;
  /** The signal it carries. */
  readonly signal: Signal;
  /** Receiver ids feeding this pipeline (at least one). */
  readonly receivers: readonly string[];
  /** Processor ids in the order data flows through them. */
  readonly processors: readonly string[];
  /** Exporter ids the last stage fans out to (at least one). */
  readonly exporters: readonly string[];
}

/** The `service` section. */
export interface ServiceConfig {
  /** Pipelines in the order they were written. */
  readonly pipelines: readonly PipelineConfig[];
  /**
   * Extension ids to run (`service::extensions`), started in this order before every pipeline
   * component and stopped after them.
   */
  readonly extensions: readonly string[];
  /** Where `/metrics`, `/healthz` and `/readyz` are served. */
  readonly telemetry: { readonly endpoint: Endpoint; readonly bearerToken?: string };
  /** How long shutdown may take before the collector gives up draining, in ms. */
  readonly shutdownTimeoutMs: number;
  /** Process-wide admission control over every receiver's request bytes (`service::admission`). */
  readonly admission: { readonly requestLimitBytes: number; readonly waitingLimitBytes: number };
}

/** A validated, frozen collector config. */
export interface CollectorConfig {
  /** Receivers by id. */
  readonly receivers: Readonly<Record<string, ComponentConfig>>;
  /** Processors by id. */
  readonly processors: Readonly<Record<string, ComponentConfig>>;
  /** Exporters by id. */
  readonly exporters: Readonly<Record<string, ComponentConfig>>;
  /** Extensions by id (configured ones; only those in `service.extensions` run). */
  readonly extensions: Readonly<Record<string, ComponentConfig>>;
  /** Pipelines and service settings. */
  readonly service: ServiceConfig;
}

/** The factories a collector can build, by kind and type (see `components.ts`). */
export interface ComponentRegistry {
  /** Receiver factories by type. */
  // biome-ignore lint/suspicious/noExplicitAny: each factory has its own config type; the registry holds them all
  readonly receivers: ReadonlyMap<string, ReceiverFactory<any>>;
  /** Processor factories by type. */
  // biome-ignore lint/suspicious/noExplicitAny: each factory has its own config type; the registry holds them all
  readonly processors: ReadonlyMap<string, ProcessorFactory<any>>;
  /** Exporter factories by type. */
  // biome-ignore lint/suspicious/noExplicitAny: each factory has its own config type; the registry holds them all
  readonly exporters: ReadonlyMap<string, ExporterFactory<any>>;
  /** Extension factories by type. */
  // biome-ignore lint/suspicious/noExplicitAny: each factory has its own config type; the registry holds them all
  readonly extensions: ReadonlyMap<string, ExtensionFactory<any>>;
}
