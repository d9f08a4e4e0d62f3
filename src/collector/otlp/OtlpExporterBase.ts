/**
 * What the OTLP/HTTP and OTLP/gRPC exporters share: encode each batch once to protobuf
 * (or JSON), hand it to the {@link RetrySender}, and run every send with tracing suppressed
 * so the exporter never traces its own requests. Subclasses supply one attempt (`attempt`)
 * and their transport's lifecycle.
 */
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { LogsData, MetricsData, TracesData } from '../../model/otlp.js';
import { type Component, ConsumerError, type Host, type Signal } from '../component.js';
import { recordItems } from '../service/selfMetrics.js';
import { type QueueSettings, type RetrySettings, retryPolicy } from './exporter_settings.js';
import { RetrySender, type SendItem, type SendResult } from './RetrySender.js';
import { SIGNAL_CODECS } from './signals.js';

/** Base of the OTLP exporters. */
export abstract class OtlpExporterBase implements Component {
  /** The queue and retry loop. */
  protected readonly sender: RetrySender;
  private started = false;
  private stopped: Promise<void> | undefined;

  constructor(
    /** Component id. */
    protected readonly id: string,
    settings: { retry_on_failure: RetrySettings; sending_queue: QueueSettings },
    /** Bound on draining at shutdown, in milliseconds. */
    protected readonly shutdownMs: number,
    private readonly json = false,
  ) {
    const q = settings.sending_queue;
    this.sender = new RetrySender({
      id,
      retry: retryPolicy(settings.retry_on_failure),
      queue: q.enabled ? { size: q.queue_size, consumers: q.num_consumers } : undefined,
      send: (item, abort) => context.with(suppressTracing(context.active()), () => this.attempt(item, abort)),
    });
  }

  /** One attempt to send an encoded request; must resolve with the outcome, never reject. */
  protected abstract attempt(item: SendItem, abort: AbortSignal): Promise<SendResult>;

  /** Opens the transport. */
  protected abstract open(): Promise<void>;

  /** Closes the transport after the queue drained. */
  protected abstract close(): Promise<void>;

  /** Starts the transport and wires self-telemetry. */
  async start(host: Host): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.sender.telemetry = host.telemetry;
    await this.open();
  }

  /** Drains the queue within the bound, then closes the transport; once only. */
  shutdown(): Promise<void> {
    this.stopped ??= (async () => {
      await this.sender.shutdown(this.shutdownMs);
      if (this.started) await this.close();
    })();
    return this.stopped;
  }

  /** Exports spans. */
  consumeTraces(data: TracesData): Promise<void> {
    return this.submit('traces', data);
  }

  /** Exports log records. */
  consumeLogs(data: LogsData): Promise<void> {
    return this.submit('logs', data);
  }

  /** Exports metric points. */
  consumeMetrics(data: MetricsData): Promise<void> {
    return this.submit('metrics', data);
  }

  private submit(signal: Signal, data: TracesData | LogsData | MetricsData): Promise<void> {
    const codec = SIGNAL_CODECS[signal];
    const count = codec.count(data as never);
    if (count === 0) return Promise.resolve();
    let body: Uint8Array;
    try {
      body = this.json ? Buffer.from(codec.encodeJson(data as never)) : codec.encodeProto(data as never);
    } catch (err) {
      // Only malformed data gets here (an id that is not hex): retrying cannot help.
      recordItems(this.sender.telemetry, 'exporter', 'send_failed', signal, count, { exporter: this.id });
      const message = `${this.id}: cannot encode the batch: ${(err as Error).message}`;
      return Promise.reject(new ConsumerError(message, { permanent: true, rejected: count }));
    }
    return this.sender.submit({ signal, body, count });
  }
}
