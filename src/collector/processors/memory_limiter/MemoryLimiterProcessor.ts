/**
 * The `memory_limiter` processor: measures memory on an interval (never per batch, so
 * the hot path stays a boolean check) and, while usage is above the soft limit, refuses
 * data with a retryable {@link ConsumerError} so receivers answer 429/503 with
 * Retry-After (or UNAVAILABLE) and clients back off instead of the process running out
 * of memory.
 *
 * What it measures is what the Collector measures, the heap in use: V8's used heap plus
 * external memory (array buffers, including the idle buffers of the request pools), not RSS,
 * which Node does not give back to the OS after a spike (measured on RSS, a 1-minute spike
 * kept everything refused for 55–110 s). Above the soft limit it first lets go of the pools'
 * idle buffers and forces a garbage collection (at most once per
 * `min_gc_interval_when_soft_limited`, every check above the hard limit), so garbage left by a
 * spike stops counting within one check instead of waiting for allocation to trigger a GC.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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
import { BufferPool } from '../../exporterhelper/BufferPool.js';
import { countItems, noopTelemetry, recordItems } from '../../service/selfMetrics.js';
import type { MemoryLimits } from './config.js';

/** Settings of one limiter; `readMemory` and `gc` are injectable for tests. */
export interface MemoryLimiterSettings {
  /** Byte limits. */
  limits: MemoryLimits;
  /** Interval between measurements, ms. */
  checkIntervalMs: number;
  /** Least time between forced collections while above the soft limit, ms (default 1 s). */
  minGcIntervalSoftMs?: number;
  /** Least time between forced collections while above the hard limit, ms (default 0). */
  minGcIntervalHardMs?: number;
  /** Returns bytes in use (default: {@link heapInUse}). */
  readMemory?: () => number;
  /** Forces a full collection (default: V8's, obtained without needing --expose-gc). */
  gc?: () => void;
}

/** V8's used heap plus external memory (array buffers, pooled buffers): what the limiter measures. */
export function heapInUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

let v8Gc: (() => void) | undefined | null = null;

/**
 * V8's full garbage collection: `global.gc` when Node runs with --expose-gc, otherwise exposed
 * for this one use through V8's flag (a fresh context then has a `gc` function).
 */
export function forceGc(): (() => void) | undefined {
  if (v8Gc !== null) return v8Gc;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) {
    v8Gc = exposed;
    return v8Gc;
  }
  try {
    setFlagsFromString('--expose-gc');
    v8Gc = runInNewContext('gc') as () => void;
  } catch {
    v8Gc = undefined;
  }
  return v8Gc;
}

type Next = TracesConsumer & LogsConsumer & MetricsConsumer;

/** Refuses data while memory is above the soft limit. */
export class MemoryLimiterProcessor implements Component, TracesConsumer, LogsConsumer, MetricsConsumer {
  private refusing = false;
  private lastGcAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private telemetry: Telemetry = noopTelemetry;
  private readonly readMemory: () => number;
  private readonly gc: (() => void) | undefined;

  constructor(
    private readonly settings: MemoryLimiterSettings,
    private readonly signal: Signal,
    private readonly next: Next,
    private readonly labels: { processor: string; pipeline: string },
  ) {
    this.readMemory = settings.readMemory ?? heapInUse;
    this.gc = settings.gc ?? forceGc();
  }

  /** Measures once, then on every `check_interval`. */
  async start(host: Host): Promise<void> {
    this.telemetry = host.telemetry;
    this.check();
    this.timer ??= setInterval(() => this.check(), this.settings.checkIntervalMs);
    // Monitoring alone must not keep the process alive.
    this.timer.unref();
  }

  /** Stops measuring; data still flows through afterwards so draining is never refused. */
  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.refusing = false;
  }

  /** True while data is being refused (for tests and status pages). */
  get isRefusing(): boolean {
    return this.refusing;
  }

  /** Measures memory now and updates the refusing state. */
  check(): void {
    let used: number;
    try {
      used = this.readMemory();
    } catch (err) {
      diag.warn(`processors::${this.labels.processor}: cannot read memory usage: ${(err as Error).message}`);
      return;
    }
    const { hardBytes, softBytes } = this.settings.limits;
    if (used > softBytes) {
      // Idle pool buffers are memory, but the first thing to give up under pressure.
      BufferPool.trimAll();
      const since = Date.now() - this.lastGcAt;
      const minInterval =
        used > hardBytes
          ? (this.settings.minGcIntervalHardMs ?? 0)
          : (this.settings.minGcIntervalSoftMs ?? 1000);
      if (this.gc && since >= minInterval) {
        this.gc();
        this.lastGcAt = Date.now();
      }
      used = this.readMemory();
    }
    const refuse = used > softBytes;
    if (refuse !== this.refusing) {
      const mib = (b: number) => Math.round(b / (1024 * 1024));
      diag.warn(
        refuse
          ? `processors::${this.labels.processor}: memory ${mib(used)} MiB is above the soft limit ${mib(softBytes)} MiB; refusing data`
          : `processors::${this.labels.processor}: memory ${mib(used)} MiB is back below the soft limit; accepting data`,
      );
    }
    this.refusing = refuse;
  }

  /** Passes traces on unless above the soft limit. */
  consumeTraces(data: TracesData): Promise<void> {
    return this.refuseIfNeeded(data) ?? this.next.consumeTraces(data);
  }

  /** Passes logs on unless above the soft limit. */
  consumeLogs(data: LogsData): Promise<void> {
    return this.refuseIfNeeded(data) ?? this.next.consumeLogs(data);
  }

  /** Passes metrics on unless above the soft limit. */
  consumeMetrics(data: MetricsData): Promise<void> {
    return this.refuseIfNeeded(data) ?? this.next.consumeMetrics(data);
  }

  private refuseIfNeeded(data: TracesData | LogsData | MetricsData): Promise<never> | undefined {
    if (!this.refusing) return undefined;
    const n = countItems(this.signal, data);
    recordItems(this.telemetry, 'processor', 'refused', this.signal, n, this.labels);
    return Promise.reject(
      new ConsumerError('data refused due to high memory usage', {
        permanent: false,
        retryAfterMs: this.settings.checkIntervalMs,
        rejected: n,
      }),
    );
  }
}
