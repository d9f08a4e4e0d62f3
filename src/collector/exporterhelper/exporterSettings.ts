/**
 * The `retry_on_failure` and `sending_queue` settings both OTLP exporters share, spelled
 * as in the OpenTelemetry Collector's exporterhelper, with their defaults and validation.
 */
import { ErrorCodes, MlobsError } from '../../errors.js';
import { parseByteSize, parseDuration, show } from '../config/values.js';
import type { ConfigProblem } from '../factory.js';

/** `retry_on_failure`: exponential back-off with jitter on retryable failures. */
export interface RetrySettings {
  /** Retry at all. */
  enabled: boolean;
  /** First wait (`5s`). */
  initial_interval: string;
  /** Longest single wait (`30s`). */
  max_interval: string;
  /** Give up once this much time has passed since the first attempt (`300s`; `0` = never). */
  max_elapsed_time: string;
  /** Growth of the wait per attempt. */
  multiplier: number;
  /** Jitter: each wait is drawn from interval × [1 − f, 1 + f]. */
  randomization_factor: number;
}

/**
 * `sending_queue::batch`, the Collector's exporterhelper spelling of a batch bound: with
 * `sizer: bytes`, `max_size` caps the encoded (uncompressed) size of one export request and
 * a larger batch is split into several requests; a single item larger than that is refused
 * and counted. Only the splitting is done here (merging small batches is the `batch`
 * processor's job), so `bytes` is the one sizer, and it applies whether or not the queue is
 * enabled. The 16 MiB default stays under the 20 MiB body limit of mlobs' and most OTLP
 * receivers; an OpenTelemetry Collector gRPC receiver takes 4 MiB unless told otherwise.
 */
export interface BatchSizeSettings {
  /** How `max_size` is measured; only `bytes` (encoded request size). */
  sizer: string;
  /** Largest request, as bytes or a size such as `16MiB`. */
  max_size: string | number;
}

/** `sending_queue`: requests wait here for one of `num_consumers` senders. */
export interface QueueSettings {
  /** Queue at all; without it the pipeline waits for each send. */
  enabled: boolean;
  /** Concurrent senders. */
  num_consumers: number;
  /** Most requests (batches) waiting; more are refused and counted. */
  queue_size: number;
  /** Most encoded bytes waiting (a size such as `256MiB`); more are refused and counted. */
  queue_size_bytes: string | number;
  /**
   * Id of a storage extension (`sqlite_storage`) to keep the queue in, as the Collector's
   * `file_storage`: requests are on disk before the batch is acknowledged and survive a crash.
   * Null keeps the queue in memory.
   */
  storage: string | null;
  /** Request size bound; larger batches are split. */
  batch: BatchSizeSettings;
}

/** Defaults of `retry_on_failure`, as in the Collector. */
export function defaultRetrySettings(): RetrySettings {
  return {
    enabled: true,
    initial_interval: '5s',
    max_interval: '30s',
    max_elapsed_time: '300s',
    multiplier: 1.5,
    randomization_factor: 0.5,
  };
}

/** Defaults of `sending_queue`, as in the Collector. */
export function defaultQueueSettings(): QueueSettings {
  return {
    enabled: true,
    num_consumers: 10,
    queue_size: 1000,
    queue_size_bytes: '256MiB',
    storage: null,
    batch: { sizer: 'bytes', max_size: '16MiB' },
  };
}

/** Retry settings in milliseconds, ready for the sender. */
export interface RetryPolicy {
  /** Whether to retry. */
  enabled: boolean;
  /** First wait. */
  initialMs: number;
  /** Longest wait. */
  maxMs: number;
  /** Total budget; 0 = unbounded. */
  maxElapsedMs: number;
  /** Growth per attempt. */
  multiplier: number;
  /** Jitter fraction. */
  randomization: number;
}

/** Converts validated settings to a policy (throws on values validation would have refused). */
export function retryPolicy(s: RetrySettings): RetryPolicy {
  const ms = (v: string, what: string) => {
    const r = parseDuration(v);
    if (r.error !== undefined)
      throw new MlobsError(ErrorCodes.MLOBS_ERR_CONFIG_INVALID, `retry_on_failure::${what}: ${r.error}`);
    return r.value;
  };
  return {
    enabled: s.enabled,
    initialMs: ms(s.initial_interval, 'initial_interval'),
    maxMs: ms(s.max_interval, 'max_interval'),
    maxElapsedMs: ms(s.max_elapsed_time, 'max_elapsed_time'),
    multiplier: s.multiplier,
    randomization: s.randomization_factor,
  };
}

/** The request size bound in bytes (validated settings; an unparsable value falls back to 16 MiB). */
export function maxRequestBytes(q: QueueSettings): number {
  return parseByteSize(q.batch.max_size).value ?? 16 * 1024 * 1024;
}

/** The queue's byte bound (validated settings; an unparsable value falls back to 256 MiB). */
export function maxQueueBytes(q: QueueSettings): number {
  return parseByteSize(q.queue_size_bytes).value ?? 256 * 1024 * 1024;
}

/** Validates the per-request `timeout` and `headers` both OTLP exporters take; paths are relative to the exporter. */
export function validateTimeoutAndHeaders(
  timeout: string,
  headers: Record<string, unknown> | undefined,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const t = parseDuration(timeout);
  if (t.error !== undefined) problems.push({ path: 'timeout', message: t.error });
  else if (t.value <= 0) problems.push({ path: 'timeout', message: 'must be more than 0' });
  for (const [k, v] of Object.entries(headers ?? {}))
    if (typeof v !== 'string') problems.push({ path: `headers::${k}`, message: 'must be a string' });
  return problems;
}

/** Validates both blocks; paths are relative to the exporter. */
export function validateSendingSettings(retry: RetrySettings, queue: QueueSettings): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const bool = (v: unknown, path: string) => {
    if (typeof v !== 'boolean') problems.push({ path, message: `must be true or false, got ${String(v)}` });
  };
  bool(retry.enabled, 'retry_on_failure::enabled');
  bool(queue.enabled, 'sending_queue::enabled');
  for (const key of ['initial_interval', 'max_interval', 'max_elapsed_time'] as const) {
    const r = parseDuration(retry[key]);
    if (r.error !== undefined) problems.push({ path: `retry_on_failure::${key}`, message: r.error });
    else if (r.value < 0 || (r.value === 0 && key !== 'max_elapsed_time'))
      problems.push({ path: `retry_on_failure::${key}`, message: 'must be more than 0' });
  }
  if (typeof retry.multiplier !== 'number' || !(retry.multiplier >= 1))
    problems.push({ path: 'retry_on_failure::multiplier', message: 'must be a number of at least 1' });
  if (
    typeof retry.randomization_factor !== 'number' ||
    !(retry.randomization_factor >= 0 && retry.randomization_factor < 1)
  )
    problems.push({
      path: 'retry_on_failure::randomization_factor',
      message: 'must be a number from 0 to below 1',
    });
  for (const key of ['num_consumers', 'queue_size'] as const)
    if (!Number.isInteger(queue[key]) || queue[key] < 1)
      problems.push({
        path: `sending_queue::${key}`,
        message: `must be a whole number of at least 1, got ${String(queue[key])}`,
      });
  if (queue.batch.sizer !== 'bytes')
    problems.push({
      path: 'sending_queue::batch::sizer',
      message: `must be "bytes" (batch by item count with the batch processor's send_batch_max_size), got ${show(queue.batch.sizer)}`,
    });
  const qb = parseByteSize(queue.queue_size_bytes);
  if (qb.error !== undefined) problems.push({ path: 'sending_queue::queue_size_bytes', message: qb.error });
  else if (qb.value < 1024)
    problems.push({ path: 'sending_queue::queue_size_bytes', message: 'must be at least 1KiB' });
  if (queue.storage !== null && !queue.enabled)
    problems.push({ path: 'sending_queue::storage', message: 'needs sending_queue::enabled: true' });
  const max = parseByteSize(queue.batch.max_size);
  if (max.error !== undefined) problems.push({ path: 'sending_queue::batch::max_size', message: max.error });
  else if (max.value < 1024)
    problems.push({ path: 'sending_queue::batch::max_size', message: 'must be at least 1KiB' });
  return problems;
}
