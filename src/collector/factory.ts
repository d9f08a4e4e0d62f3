/**
 * Factories build components from their config, with the next consumer passed in.
 * One folder per component type (`receivers/otlp/`, `processors/batch/`, …) holds its
 * `config.ts` (the config type, defaults and `validate`), `factory.ts` and the
 * implementation.
 *
 * Config decoding is generic (see `config/decode.ts`): the user's YAML is laid over
 * `createDefaultConfig()`, a key the defaults do not have is an error, and then the
 * factory's `validate` checks values. So every allowed key must appear in the defaults
 * (an optional key is `null` in the defaults, so that the key exists).
 */
import type { Component, LogsConsumer, MetricsConsumer, Signal, TracesConsumer } from './component.js';

/** One problem found in a config, with its path (`receivers::otlp::protocols::http::endpoint`). */
export interface ConfigProblem {
  /** Where: component id and keys joined with `::`, as the OpenTelemetry Collector prints them. */
  path: string;
  /** What is wrong, in words a user can act on. */
  message: string;
}

/** What a factory is told when it builds a component. */
export interface CreateSettings {
  /** The component id as written in the config: `type` or `type/name`. */
  id: string;
  /** The pipeline the component instance is built for (`traces`, `traces/ml`, …). */
  pipeline: string;
}

/** A receiver: a component that produces data into the consumer it was built with. */
export type Receiver = Component;

/** A processor: a component that is also a consumer of the signal it was built for. */
export type Processor = Component & Partial<TracesConsumer & LogsConsumer & MetricsConsumer>;

/** An exporter: the last consumer of a pipeline. */
export type Exporter = Component & Partial<TracesConsumer & LogsConsumer & MetricsConsumer>;

/** Shared by every factory. */
export interface FactoryBase<C> {
  /** The component type, the part before `/` in an id (`otlp`, `batch`, `file`). */
  readonly type: string;
  /** Signals this factory can build a component for. */
  readonly signals: readonly Signal[];
  /** A fresh default config; it names every key the config accepts. */
  createDefaultConfig(): C;
  /** Checks a decoded config; paths are relative to the component (`protocols::http`). */
  validate(config: C): ConfigProblem[];
  /**
   * Why `config` cannot serve `signal` in a pipeline (a per-signal setting it lacks), or
   * undefined when it can. Checked for each pipeline that lists the component.
   */
  checkSignal?(config: C, signal: Signal): string | undefined;
}

/**
 * An extension: a component outside the pipelines (the web page, storage for sending queues),
 * as in the OpenTelemetry Collector. Others find it through `host.getExtension(id)`.
 */
export type Extension = Component;

/** What an extension factory is told: extensions belong to no pipeline. */
export interface ExtensionSettings {
  /** The extension id as written in the config: `type` or `type/name`. */
  id: string;
}

/**
 * Builds extensions; one instance per configured id listed in `service::extensions`. The
 * service starts them, in that order, before every pipeline component and stops them after.
 */
export interface ExtensionFactory<C = unknown> {
  /** The extension type, the part before `/` in an id (`mlobs_ui`, `sqlite_storage`). */
  readonly type: string;
  /** A fresh default config; it names every key the config accepts. */
  createDefaultConfig(): C;
  /** Checks a decoded config; paths are relative to the extension (`auth::bearer_token`). */
  validate(config: C): ConfigProblem[];
  /** Builds the extension. */
  createExtension(settings: ExtensionSettings, config: C): Extension;
}

/** Builds receivers. A receiver used by several pipelines is built once and fans out. */
export interface ReceiverFactory<C = unknown> extends FactoryBase<C> {
  /** Builds a receiver handing each signal to its consumer; absent signals are not received. */
  createReceiver(
    settings: CreateSettings,
    config: C,
    next: { traces?: TracesConsumer; logs?: LogsConsumer; metrics?: MetricsConsumer },
  ): Receiver;
}

/** Builds processors, one instance per pipeline, as the OpenTelemetry Collector does. */
export interface ProcessorFactory<C = unknown> extends FactoryBase<C> {
  /** Builds a processor for `signal` that hands its output to `next`. */
  createProcessor(
    settings: CreateSettings,
    config: C,
    signal: Signal,
    next: TracesConsumer & LogsConsumer & MetricsConsumer,
  ): Processor;
}

/** Builds exporters. An exporter used by several pipelines is built once. */
export interface ExporterFactory<C = unknown> extends FactoryBase<C> {
  /** Builds an exporter for the given signals. */
  createExporter(settings: CreateSettings, config: C, signals: readonly Signal[]): Exporter;
}
