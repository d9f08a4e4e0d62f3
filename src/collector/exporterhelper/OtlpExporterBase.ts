/**
 * What the OTLP/HTTP and OTLP/gRPC exporters share: encode each batch to protobuf (or JSON),
 * split into requests within `sending_queue::batch::max_size`, hand them to the {@link RetrySender}, and run every send with tracing suppressed
 * so the exporter never traces its own requests. Subclasses supply one attempt (`attempt`)
 * and their transport's lifecycle.
 */
import { context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { ErrorCodes, MlobsError } from '../../errors.js';
import type { LogsData, MetricsData, TracesData } from '../../model/otlp.js';
import { type Component, ConsumerError, type Host, type Signal, type Telemetry } from '../component.js';
import { isStorageExtension } from '../extensions/sqlite_storage/SqliteStorageExtension.js';
import { SIGNAL_CODECS } from '../otlp/signals.js';
import { FAILED_REQUESTS_COUNTER, noopTelemetry, recordItems } from '../service/selfMetrics.js';
import { BufferPool } from './BufferPool.js';
import { type EncodedPart, type EncodedParts, encodeWithinLimit } from './encodeWithinLimit.js';
import {
  maxQueueBytes,
  maxRequestBytes,
  type QueueSettings,
  type RetrySettings,
  retryPolicy,
} from './exporterSettings.js';
import { RetrySender, type SendItem, type SendResult } from './RetrySender.js';

/**
 * Buffers for protobuf request bodies, shared by every OTLP exporter in the process (so one
 * that starts late, or one of several, finds them warm), each given back once its sender is
 * done with the request. 64 MiB idle at most (four requests at the default 16 MiB limit), let go
 * after 10 s of quiet; `mlobs_buffer_pool_idle_bytes` shows what it holds.
 */
const REQUEST_BODIES = new BufferPool(64 * 1024 * 1024, 64 * 1024, 'exporter_request_bodies');

/** Base of the OTLP exporters. */
export abstract class OtlpExporterBase implements Component {
  /** The queue and retry loop. */
  protected readonly sender: RetrySender;
  private started = false;
  private stopped: Promise<void> | undefined;
  private readonly maxBytes: number;
  private oversizeWarned = 0;
  private readonly storage: string | null;
  private telemetry: Telemetry = noopTelemetry;

  constructor(
    /** Component id. */
    protected readonly id: string,
    settings: { retry_on_failure: RetrySettings; sending_queue: QueueSettings },
    /** Bound on draining at shutdown, in milliseconds. */
    protected readonly shutdownMs: number,
    private readonly json = false,
  ) {
    const q = settings.sending_queue;
    this.maxBytes = maxRequestBytes(q);
    this.storage = q.enabled ? (q.storage ?? null) : null;
    this.sender = new RetrySender({
      id,
      retry: retryPolicy(settings.retry_on_failure),
      queue: q.enabled
        ? { size: q.queue_size, consumers: q.num_consumers, maxBytes: maxQueueBytes(q) }
        : undefined,
      send: async (item, abort) => {
        const r = await context.with(suppressTracing(context.active()), () => this.attempt(item, abort));
        if (!r.ok) this.telemetry.add(FAILED_REQUESTS_COUNTER, 1, { exporter: id });
        return r;
      },
      endpoint: (signal) => this.endpointOf(signal),
    });
  }

  /** One attempt to send an encoded request; must resolve with the outcome, never reject. */
  protected abstract attempt(item: SendItem, abort: AbortSignal): Promise<SendResult>;

  /** Bytes of encoded requests waiting in the sending queue. */
  get queuedBytes(): number {
    return this.sender.queuedSize;
  }

  /** Where requests of a signal go (for messages). */
  protected abstract endpointOf(signal: Signal): string;

  /** Opens the transport. */
  protected abstract open(): Promise<void>;

  /** Closes the transport after the queue drained. */
  protected abstract close(): Promise<void>;

  /**
   * Starts the transport, wires self-telemetry (queue size in requests and bytes) and, with
   * `sending_queue::storage`, resumes the requests an earlier run acknowledged and did not send.
   */
  async start(host: Host): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.telemetry = host.telemetry;
    this.sender.telemetry = host.telemetry;
    const labels = { exporter: this.id };
    host.telemetry.gauge?.(
      'mlobs_exporter_queue_size',
      'Export requests waiting in the sending queue.',
      () => this.sender.queued,
      labels,
    );
    host.telemetry.gauge?.(
      'mlobs_exporter_queue_size_bytes',
      'Encoded bytes waiting in the sending queue.',
      () => this.sender.queuedSize,
      labels,
    );
    // The series exists from the start, so a rate() over it is 0 rather than absent while all is well.
    this.telemetry.add(FAILED_REQUESTS_COUNTER, 0, { exporter: this.id });
    await this.open();
    if (this.storage !== null) {
      const ext = host.getExtension?.(this.storage);
      if (!isStorageExtension(ext))
        throw new MlobsError(
          ErrorCodes.MLOBS_ERR_CONFIG_INVALID,
          `exporters::${this.id}::sending_queue::storage: "${this.storage}" is not a started storage extension`,
        );
      const resumed = this.sender.useStore(ext.queueStore(this.id));
      if (resumed > 0) diag.info(`${this.id}: resuming ${resumed} queued request(s) from storage`);
    }
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

  private async submit(signal: Signal, data: TracesData | LogsData | MetricsData): Promise<void> {
    const codec = SIGNAL_CODECS[signal];
    const count = codec.count(data as never);
    if (count === 0) return;
    const encode = (d: unknown) =>
      this.json ? Buffer.from(codec.encodeJson(d as never)) : codec.encodeProto(d as never);
    const streamed = this.json ? undefined : codec.encodeProtoWithinLimit;
    let encoded: EncodedParts;
    try {
      encoded = streamed
        ? streamed(data as never, this.maxBytes, REQUEST_BODIES)
        : encodeWithinLimit(signal, data, count, this.maxBytes, encode);
    } catch (err) {
      // Only malformed data gets here (an id that is not hex): retrying cannot help.
      recordItems(this.sender.telemetry, 'exporter', 'send_failed', signal, count, { exporter: this.id });
      const message = `${this.id}: cannot encode the batch: ${(err as Error).message}`;
      throw new ConsumerError(message, { permanent: true, rejected: count });
    }
    const { parts, oversized, largest } = encoded;
    if (parts.length === 1 && oversized === 0) return this.sender.submit(sendItem(signal, parts[0]));
    // One after another: without a queue this keeps one request in flight, as for an unsplit batch.
    const failed: ConsumerError[] = [];
    let rejected = 0;
    for (const p of parts) {
      try {
        await this.sender.submit(sendItem(signal, p));
      } catch (err) {
        failed.push(err as ConsumerError);
        rejected += p.count;
      }
    }
    if (oversized > 0) {
      recordItems(this.sender.telemetry, 'exporter', 'send_failed', signal, oversized, { exporter: this.id });
      if (this.oversizeWarned++ === 0)
        diag.warn(
          `${this.id}: dropped ${oversized} item(s) larger than sending_queue::batch::max_size on their own (${largest} > ${this.maxBytes} bytes); later drops are only counted`,
        );
      failed.push(
        new ConsumerError(
          `${this.id}: ${oversized} item(s) encode to more than ${this.maxBytes} bytes each (largest ${largest})`,
          { permanent: true },
        ),
      );
      rejected += oversized;
    }
    if (failed.length === 0) return;
    // Parts already queued are not undone: a retry of the whole batch may repeat them.
    throw new ConsumerError(failed.map((e) => e.message).join('; '), {
      permanent: failed.every((e) => e.permanent),
      retryAfterMs: failed.find((e) => e.retryAfterMs !== undefined)?.retryAfterMs,
      rejected,
    });
  }
}

/** The sender's view of an encoded part; `body` is read (and segments joined) only if asked for. */
function sendItem(signal: Signal, p: EncodedPart): SendItem {
  return {
    signal,
    count: p.count,
    segments: p.segments,
    release: p.release,
    get body() {
      return p.body;
    },
  };
}
