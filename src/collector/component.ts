/**
 * The collector's component model, after the OpenTelemetry Collector's: a receiver hands
 * data to the next consumer, a processor is a consumer that hands to the next, an
 * exporter is the last consumer. The next stage is passed in when a factory builds a
 * component, so the pipeline graph is fixed at start-up and needs no lookups per batch.
 */
import type { Meter } from '@opentelemetry/api';
import type { AnalysisStore } from '../analysis/store/AnalysisStore.js';
import type { LogsData, MetricsData, TracesData } from '../model/otlp.js';
import type { AdmissionController } from './service/AdmissionController.js';

/** The three OTLP signals a pipeline can carry. */
export type Signal = 'traces' | 'logs' | 'metrics';

/** Takes a batch of traces; resolves when the batch is accepted, rejects to refuse it. */
export interface TracesConsumer {
  /** Hands one batch on. The promise rejects with a {@link ConsumerError} to refuse it. */
  consumeTraces(data: TracesData): Promise<void>;
}

/** Takes a batch of logs. */
export interface LogsConsumer {
  /** Hands one batch on; rejects with a {@link ConsumerError} to refuse it. */
  consumeLogs(data: LogsData): Promise<void>;
}

/** Takes a batch of metrics. */
export interface MetricsConsumer {
  /** Hands one batch on; rejects with a {@link ConsumerError} to refuse it. */
  consumeMetrics(data: MetricsData): Promise<void>;
}

/** A consumer of any one signal. */
export type Consumer = TracesConsumer | LogsConsumer | MetricsConsumer;

/** The lifecycle every component has: start once, shut down once (safe without start). */
export interface Component {
  /** Opens sockets, files and timers. Called downstream-first by the service. */
  start(host: Host): Promise<void>;
  /** Drains and releases everything; safe to call without start and more than once. */
  shutdown(): Promise<void>;
}

/** What the service offers a component at start. */
export interface Host {
  /** Reports a fatal error after start (for example a listener that died); the service stops. */
  reportFatalError(err: Error): void;
  /** Self-telemetry counters, labelled per component. */
  telemetry: Telemetry;
  /**
   * The analyses (`ml` processors) of this service, by processor id: they register here when
   * they start, so an extension (the web page) can read their state. Absent in hosts built by
   * tests that need none.
   */
  analyses?: AnalysisRegistry;
  /** The process-wide bound on request bytes being read and decoded, shared by every receiver. */
  admission?: AdmissionController;
  /** A started extension by id (listed in `service::extensions`), or undefined. */
  getExtension?(id: string): Component | undefined;
  /** Where a component's configuration warnings go (default: the OpenTelemetry diag logger). */
  warn?: (line: string) => void;
}

/** The analysis state an `ml` processor exposes to extensions (read-only use). */
export interface AnalysisSource {
  /** The processor's store; undefined while it is not started. */
  readonly stateStore: AnalysisStore | undefined;
}

/** Where a service's `ml` processors announce themselves (see {@link Host.analyses}). */
export class AnalysisRegistry {
  private readonly byId = new Map<string, AnalysisSource>();

  /** Registers (or replaces) the analysis of processor `id`. */
  register(id: string, source: AnalysisSource): void {
    this.byId.set(id, source);
  }

  /** Forgets processor `id` if `source` is still the one registered. */
  unregister(id: string, source: AnalysisSource): void {
    if (this.byId.get(id) === source) this.byId.delete(id);
  }

  /** Processor ids in registration order. */
  ids(): string[] {
    return [...this.byId.keys()];
  }

  /** The analysis of processor `id`, or undefined. */
  get(id: string): AnalysisSource | undefined {
    return this.byId.get(id);
  }
}

/** Self-telemetry sink: counters keyed by name and labels (rendered at /metrics and on /healthz). */
export interface Telemetry {
  /** Adds `value` to the counter `name` for these labels. */
  add(name: string, value: number, labels: Record<string, string>): void;
  /**
   * Every metric of the collector's one MeterProvider as OTLP, read now; with `scopes`, only
   * those instrumentation scopes (the `prometheus` exporter serves the self-telemetry scope).
   */
  collect?(scopes?: readonly string[]): Promise<MetricsData>;
  /** A meter of that provider, for a component that records through the metrics API (absent in minimal test hosts). */
  meter?(scope: string): Meter;
  /** Registers a gauge read at scrape time (absent in minimal test hosts). */
  gauge?(name: string, help: string, read: () => number, labels?: Record<string, string>): void;
}

/**
 * An error a consumer throws to refuse data. `permanent` errors mean the data is bad and
 * must not be retried (OTLP 400 / INVALID_ARGUMENT); others are retryable (429/503 /
 * UNAVAILABLE), optionally with a suggested delay.
 */
export class ConsumerError extends Error {
  /** True when retrying the same data cannot succeed. */
  readonly permanent: boolean;
  /** Suggested delay before a retry, in milliseconds, for retryable errors. */
  readonly retryAfterMs: number | undefined;
  /** How many items (spans, log records, data points) of the batch were refused. */
  readonly rejected: number | undefined;

  constructor(
    message: string,
    options: { permanent: boolean; retryAfterMs?: number; rejected?: number; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConsumerError';
    this.permanent = options.permanent;
    this.retryAfterMs = options.retryAfterMs;
    this.rejected = options.rejected;
  }
}
