/**
 * The `batch` processor: merges small batches and splits large ones so exporters send
 * fewer, bounded requests. Like the OpenTelemetry Collector's, it accepts data as soon
 * as it is buffered; sends run one at a time, and a caller that triggers a send waits
 * for it (backpressure) but is not failed by it: a failed send is counted as dropped
 * and logged once, since the caller's data was already accepted.
 */
import { diag } from '@opentelemetry/api';
import type { LogsData, MetricsData, TracesData } from '../../../model/otlp.js';
import {
  type Component,
  ConsumerError,
  type Host,
  type LogsConsumer,
  type MetricsConsumer,
  type Signal,
  type Telemetry,
  type TracesConsumer,
} from '../../component.js';
import { countItems, noopTelemetry, recordItems } from '../../service/selfMetrics.js';
import { type AnyData, mergeBatches, splitBatch } from './splitBatch.js';

/** Resolved settings (durations in ms). */
export interface BatchSettings {
  /** Items that trigger a send. */
  sendBatchSize: number;
  /** Largest batch sent; 0 = no limit. */
  sendBatchMaxSize: number;
  /** Max wait for a partial batch, ms; 0 = send at once. */
  timeoutMs: number;
}

type Next = TracesConsumer & LogsConsumer & MetricsConsumer;

/** Why a batch was sent, as the `trigger` label of `mlobs_processor_batch_sends_total`. */
type Trigger = 'size' | 'timeout' | 'shutdown';

/** Buffers one signal of one pipeline. */
export class BatchProcessor implements Component, TracesConsumer, LogsConsumer, MetricsConsumer {
  private pending: AnyData[] = [];
  private pendingItems = 0;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  private telemetry: Telemetry = noopTelemetry;
  private stopped = false;
  private warned = false;

  constructor(
    private readonly settings: BatchSettings,
    private readonly signal: Signal,
    private readonly next: Next,
    private readonly labels: { processor: string; pipeline: string },
  ) {}

  /** Keeps the host's telemetry; timers start with the first data. */
  async start(host: Host): Promise<void> {
    this.telemetry = host.telemetry;
  }

  /** Sends everything still buffered and waits for in-flight sends. */
  async shutdown(): Promise<void> {
    if (this.stopped) return this.sending;
    this.stopped = true;
    this.clearTimer();
    this.enqueueSends('shutdown', true);
    await this.sending;
  }

  /** Buffers traces. */
  consumeTraces(data: TracesData): Promise<void> {
    return this.add(data);
  }

  /** Buffers logs. */
  consumeLogs(data: LogsData): Promise<void> {
    return this.add(data);
  }

  /** Buffers metrics. */
  consumeMetrics(data: MetricsData): Promise<void> {
    return this.add(data);
  }

  private async add(data: AnyData): Promise<void> {
    if (this.stopped) {
      throw new ConsumerError('batch processor is shut down', {
        permanent: false,
        rejected: countItems(this.signal, data),
      });
    }
    const n = countItems(this.signal, data);
    if (n === 0) return;
    this.pending.push(data);
    this.pendingItems += n;
    if (this.settings.timeoutMs === 0) {
      this.enqueueSends('size', true);
      return this.sending;
    }
    const full = this.pendingItems >= this.settings.sendBatchSize;
    if (full) this.enqueueSends('size', false);
    if (this.pendingItems === 0) this.clearTimer();
    else this.timer ??= setTimeout(() => this.onTimeout(), this.settings.timeoutMs);
    if (full) return this.sending;
  }

  private onTimeout(): void {
    this.timer = undefined;
    this.enqueueSends('timeout', true);
  }

  /** Cuts batches off the buffer now (so order is kept) and chains their sends. */
  private enqueueSends(trigger: Trigger, all: boolean): void {
    const { sendBatchSize, sendBatchMaxSize } = this.settings;
    if (this.pendingItems === 0) return;
    let rest = mergeBatches(this.signal, this.pending);
    let restItems = this.pendingItems;
    const batches: AnyData[] = [];
    while (restItems > 0 && (all || restItems >= sendBatchSize)) {
      const take = sendBatchMaxSize > 0 ? Math.min(sendBatchMaxSize, restItems) : restItems;
      const [head, tail] = take === restItems ? [rest, undefined] : splitBatch(this.signal, rest, take);
      batches.push(head);
      restItems -= take;
      if (tail) rest = tail;
    }
    this.pending = restItems > 0 ? [rest] : [];
    this.pendingItems = restItems;
    for (const batch of batches) this.sending = this.sending.then(() => this.send(batch, trigger));
  }

  private async send(batch: AnyData, trigger: Trigger): Promise<void> {
    this.telemetry.add('mlobs_processor_batch_sends_total', 1, { ...this.labels, trigger });
    try {
      if (this.signal === 'traces') await this.next.consumeTraces(batch as TracesData);
      else if (this.signal === 'logs') await this.next.consumeLogs(batch as LogsData);
      else await this.next.consumeMetrics(batch as MetricsData);
    } catch (err) {
      const n = countItems(this.signal, batch);
      recordItems(this.telemetry, 'processor', 'dropped', this.signal, n, this.labels);
      if (!this.warned) {
        this.warned = true;
        diag.warn(
          `processors::${this.labels.processor} (${this.labels.pipeline}): dropped ${n} items: ${(err as Error).message}`,
        );
      }
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
