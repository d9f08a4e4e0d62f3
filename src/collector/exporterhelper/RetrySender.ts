/**
 * Sends encoded export requests with a bounded queue, a pool of senders, and exponential
 * back-off with jitter on retryable failures (honouring the server's Retry-After / RetryInfo).
 * What it cannot deliver it counts and reports with one warning per interval, never per item.
 * A destination that stops answering is reported at once: the first failed attempt after a
 * success (or since start) warns with the endpoint and the error, so an unreachable backend
 * shows within seconds rather than when retries run out; later attempts are only counted
 * (by the exporter, in `mlobs_exporter_failed_requests_total`) until a send succeeds again.
 * Shutdown stops taking work, drains what is queued, and gives up at a deadline; what is then
 * still queued or being sent is counted as dropped (in memory) or left in storage for the next
 * start (persistent queue). The queue is bounded in requests and in bytes.
 */
import { diag } from '@opentelemetry/api';
import { ConsumerError, type Signal, type Telemetry } from '../component.js';
import type { PartialSuccess } from '../otlp/responses.js';
import { recordItems } from '../service/selfMetrics.js';
import type { RetryPolicy } from './exporterSettings.js';

/** One encoded export request. */
export interface SendItem {
  /** The signal of the body. */
  signal: Signal;
  /** Encoded `Export*ServiceRequest`. */
  readonly body: Uint8Array;
  /** The same bytes as consecutive pieces, for transports that can write them without joining. */
  segments?: readonly Uint8Array[];
  /** Items in it (spans, log records, data points). */
  count: number;
  /** Its row in the persistent queue, once stored. */
  storedId?: number;
  /**
   * Gives the body's buffer back to its pool. The sender calls it once when it is done with
   * the item: delivered, failed for good, refused by a full queue, or dropped at shutdown.
   */
  release?: () => void;
}

/** What one attempt to send produced. */
export type SendResult =
  | { ok: true; partial?: PartialSuccess }
  | { ok: false; retryable: boolean; message: string; retryAfterMs?: number };

/** Sender settings. */
export interface RetrySenderOptions {
  /** Exporter id, for labels and warnings. */
  id: string;
  /** Back-off policy. */
  retry: RetryPolicy;
  /** Queue: size in requests and in bytes, concurrent senders; undefined = send inline. */
  queue?: { size: number; consumers: number; maxBytes?: number };
  /** Makes one attempt; must resolve (not reject) with the outcome. */
  send: (item: SendItem, abort: AbortSignal) => Promise<SendResult>;
  /** How often the drop/failure warning may repeat. */
  warnIntervalMs?: number;
  /** Where requests of a signal go, for the warning about a failing destination. */
  endpoint?: (signal: Signal) => string;
}

/** Where a persistent queue keeps requests (see `SqliteQueueStore`). */
export interface QueueStore {
  /** Stores a request durably; returns its id. */
  put(signal: Signal, count: number, body: Uint8Array): number;
  /** Forgets a request. */
  remove(id: number): void;
  /** Every stored request, oldest first. */
  all(): { id: number; signal: Signal; count: number; body: Buffer }[];
}

/** Queue + retries for one exporter. */
export class RetrySender {
  /** Self-telemetry; the exporter sets it at start. */
  telemetry: Telemetry = { add() {} };
  private readonly queue: SendItem[] = [];
  private active = 0;
  private closed = false;
  private readonly abort = new AbortController();
  private idle: (() => void)[] = [];
  private readonly pending = new Map<string, number>();
  private lastWarn = 0;
  private warnTimer: NodeJS.Timeout | undefined;
  private readonly labels: Record<string, string>;
  private queuedBytes = 0;
  private store: QueueStore | undefined;
  private readonly inFlight = new Set<SendItem>();
  /** Failed attempts since the last success; the first one warns. */
  private failing = 0;

  constructor(private readonly opts: RetrySenderOptions) {
    this.labels = { exporter: opts.id };
  }

  /** Requests waiting in the queue (not counting those being sent). */
  get queued(): number {
    return this.queue.length;
  }

  /** Encoded bytes waiting in the queue. */
  get queuedSize(): number {
    return this.queuedBytes;
  }

  /**
   * Keeps the queue in `store` from now on, and queues what it holds from an earlier run
   * (acknowledged then, not yet delivered) ahead of anything new.
   */
  useStore(store: QueueStore): number {
    this.store = store;
    const rows = store.all();
    for (const row of rows) {
      this.queue.push({ signal: row.signal, count: row.count, body: row.body, storedId: row.id });
      this.queuedBytes += row.body.length;
    }
    if (rows.length > 0) this.pump();
    return rows.length;
  }

  /** Queues (or, without a queue, sends) one request. Rejects with a ConsumerError when refused. */
  async submit(item: SendItem): Promise<void> {
    if (this.closed) {
      done(item);
      throw new ConsumerError(`${this.opts.id} is shut down`, { permanent: false });
    }
    const q = this.opts.queue;
    if (!q) {
      const err = await this.deliver(item).finally(() => done(item));
      if (err) throw err;
      return;
    }
    const bytes = sizeOf(item);
    const maxBytes = q.maxBytes ?? Number.POSITIVE_INFINITY;
    if (this.queue.length >= q.size || (this.queue.length > 0 && this.queuedBytes + bytes > maxBytes)) {
      done(item);
      this.telemetry.add(
        `mlobs_exporter_enqueue_failed_${itemName(item.signal)}_total`,
        item.count,
        this.labels,
      );
      this.warn(`dropped (sending queue full)`, item.count, itemName(item.signal));
      throw new ConsumerError(
        `${this.opts.id}: sending queue is full (${this.queue.length} requests, ${this.queuedBytes} bytes)`,
        { permanent: false, retryAfterMs: this.opts.retry.initialMs },
      );
    }
    let queued = item;
    if (this.store) {
      // On disk before the caller (and so the client) is told the data is accepted.
      const body = Buffer.from(joined(item));
      try {
        queued = {
          signal: item.signal,
          count: item.count,
          body,
          storedId: this.store.put(item.signal, item.count, body),
        };
      } catch (err) {
        throw new ConsumerError(`${this.opts.id}: cannot store the request: ${(err as Error).message}`, {
          permanent: false,
          retryAfterMs: this.opts.retry.initialMs,
          cause: err,
        });
      } finally {
        done(item);
      }
    }
    this.queue.push(queued);
    this.queuedBytes += bytes;
    this.pump();
  }

  /** Stops accepting, drains the queue until `deadlineMs` from now, then aborts and counts what is left. */
  async shutdown(deadlineMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.queue.length > 0 || this.active > 0) {
      let timer: NodeJS.Timeout | undefined;
      const drained = new Promise<void>((resolve) => this.idle.push(resolve));
      await Promise.race([drained, new Promise<void>((r) => (timer = setTimeout(r, deadlineMs)))]);
      clearTimeout(timer);
    }
    this.abort.abort();
    const left = this.queue.splice(0);
    this.queuedBytes = 0;
    for (const item of left) {
      done(item);
      if (item.storedId !== undefined) {
        this.warn(
          'kept in storage for the next start (queue not drained in time)',
          item.count,
          itemName(item.signal),
        );
        continue;
      }
      recordItems(this.telemetry, 'exporter', 'send_failed', item.signal, item.count, this.labels);
      this.warn('dropped at shutdown (queue not drained in time)', item.count, itemName(item.signal));
    }
    // Sends cut short by the abort settle at once; one that ignores the abort is counted now.
    if (this.active > 0) {
      let timer: NodeJS.Timeout | undefined;
      const settled = new Promise<void>((resolve) => this.idle.push(resolve));
      await Promise.race([settled, new Promise<void>((r) => (timer = setTimeout(r, 1000)))]);
      clearTimeout(timer);
    }
    for (const item of this.inFlight) this.dropInFlight(item);
    this.flushWarnings();
  }

  /** Counts a request that was being sent when shutdown gave up (or keeps it, when stored). */
  private dropInFlight(item: SendItem): void {
    if (!this.inFlight.delete(item)) return;
    if (item.storedId !== undefined) {
      this.warn(
        'kept in storage for the next start (being sent at shutdown)',
        item.count,
        itemName(item.signal),
      );
      return;
    }
    recordItems(this.telemetry, 'exporter', 'send_failed', item.signal, item.count, this.labels);
    this.warn('dropped at shutdown (being sent)', item.count, itemName(item.signal));
  }

  private pump(): void {
    const consumers = this.opts.queue?.consumers ?? 1;
    while (this.active < consumers && this.queue.length > 0) {
      const item = this.queue.shift()!;
      this.queuedBytes -= sizeOf(item);
      this.active++;
      this.inFlight.add(item);
      this.deliver(item).then((err) => {
        done(item);
        if (err && this.abort.signal.aborted) this.dropInFlight(item);
        else {
          this.inFlight.delete(item);
          // Delivered, refused for good or out of retries: counted already; off the disk.
          if (item.storedId !== undefined) this.forget(item.storedId);
        }
        this.active--;
        if (this.queue.length > 0) this.pump();
        else if (this.active === 0) for (const resolve of this.idle.splice(0)) resolve();
      });
    }
  }

  private forget(id: number): void {
    try {
      this.store?.remove(id);
    } catch (err) {
      // Worst case the request is sent again after a restart: at-least-once, never lost.
      diag.warn(
        `mlobs exporter ${this.opts.id}: cannot remove a delivered request from storage: ${String(err)}`,
      );
    }
  }

  /** Sends with retries; resolves undefined when delivered, or the error that ended it. */
  private async deliver(item: SendItem): Promise<ConsumerError | undefined> {
    const p = this.opts.retry;
    const started = Date.now();
    let interval = p.initialMs;
    const what = itemName(item.signal);
    while (true) {
      let result: SendResult;
      try {
        result = await this.opts.send(item, this.abort.signal);
      } catch (err) {
        result = { ok: false, retryable: true, message: String(err) };
      }
      if (result.ok) {
        if (this.failing > 0) {
          diag.info(`mlobs exporter ${this.opts.id}: delivering again after ${this.failing} failed attempts`);
          this.failing = 0;
        }
        const rejected = Math.min(result.partial?.rejected ?? 0, item.count);
        recordItems(this.telemetry, 'exporter', 'sent', item.signal, item.count - rejected, this.labels);
        if (result.partial) {
          recordItems(this.telemetry, 'exporter', 'send_failed', item.signal, rejected, this.labels);
          this.warn(`rejected by the server (partial success: ${result.partial.message})`, rejected, what);
        }
        return undefined;
      }
      if (this.failing++ === 0 && !this.abort.signal.aborted) this.warnFailing(item.signal, result);
      const waitMs = Math.max(jitter(interval, p.randomization), result.retryAfterMs ?? 0);
      const outOfTime = p.maxElapsedMs > 0 && Date.now() - started + waitMs > p.maxElapsedMs;
      if (this.abort.signal.aborted && this.inFlight.has(item))
        return new ConsumerError(`${this.opts.id} is shut down`, { permanent: false });
      if (!result.retryable || !p.enabled || outOfTime || this.abort.signal.aborted) {
        recordItems(this.telemetry, 'exporter', 'send_failed', item.signal, item.count, this.labels);
        const why = !result.retryable
          ? 'not retryable'
          : !p.enabled
            ? 'retries disabled'
            : 'retries exhausted';
        this.warn(`failed (${why}: ${result.message})`, item.count, what);
        return new ConsumerError(`${this.opts.id}: export failed: ${result.message}`, {
          permanent: !result.retryable,
          rejected: item.count,
          retryAfterMs: result.retryable ? waitMs : undefined,
        });
      }
      await sleep(waitMs, this.abort.signal);
      interval = Math.min(interval * p.multiplier, p.maxMs);
    }
  }

  /** The one warning of an outage: where, what failed, and what happens next. */
  private warnFailing(signal: Signal, result: Extract<SendResult, { ok: false }>): void {
    const p = this.opts.retry;
    const where = this.opts.endpoint?.(signal);
    const next = !result.retryable
      ? 'not retryable, dropped'
      : !p.enabled
        ? 'retries disabled, dropped'
        : `retrying for up to ${p.maxElapsedMs > 0 ? `${Math.round(p.maxElapsedMs / 1000)} s` : 'ever'}`;
    diag.warn(
      `mlobs exporter ${this.opts.id}: sending ${itemName(signal)}${where ? ` to ${where}` : ''} failed: ${result.message} (${next}); further failures are counted in mlobs_exporter_failed_requests_total until a send succeeds`,
    );
  }

  /** Adds to a per-reason count; prints all counts at most once per interval. */
  private warn(reason: string, count: number, what: string): void {
    const key = `${what} ${reason}`;
    this.pending.set(key, (this.pending.get(key) ?? 0) + count);
    const interval = this.opts.warnIntervalMs ?? 10_000;
    const since = Date.now() - this.lastWarn;
    if (since >= interval) this.flushWarnings();
    else if (!this.warnTimer) {
      // Counts that arrive inside the interval are reported when it ends, not lost.
      this.warnTimer = setTimeout(() => this.flushWarnings(), interval - since);
      this.warnTimer.unref();
    }
  }

  private flushWarnings(): void {
    clearTimeout(this.warnTimer);
    this.warnTimer = undefined;
    if (this.pending.size === 0) return;
    this.lastWarn = Date.now();
    const parts = [...this.pending].map(([key, n]) => `${n} ${key}`);
    this.pending.clear();
    diag.warn(`mlobs exporter ${this.opts.id}: ${parts.join('; ')}`);
  }
}

/** Encoded size of a request, without joining its pieces. */
function sizeOf(item: SendItem): number {
  if (item.segments) {
    let n = 0;
    for (const s of item.segments) n += s.length;
    return n;
  }
  return item.body.length;
}

/** The request's bytes in one piece. */
function joined(item: SendItem): Uint8Array {
  return item.segments && item.segments.length > 1 ? Buffer.concat(item.segments) : item.body;
}

/** Releases an item's body once. */
function done(item: SendItem): void {
  const release = item.release;
  item.release = undefined;
  release?.();
}

function itemName(signal: Signal): string {
  return signal === 'traces' ? 'spans' : signal === 'logs' ? 'log_records' : 'metric_points';
}

function jitter(ms: number, f: number): number {
  return ms * (1 - f + Math.random() * 2 * f);
}

/** Waits `ms`; resolves false early (and at once) when aborted. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
