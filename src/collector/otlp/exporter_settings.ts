/**
 * The `retry_on_failure` and `sending_queue` settings both OTLP exporters share, spelled
 * as in the OpenTelemetry Collector's exporterhelper, with their defaults and validation.
 */
import { parseDuration } from '../config/values.js';
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

/** `sending_queue`: requests wait here for one of `num_consumers` senders. */
export interface QueueSettings {
  /** Queue at all; without it the pipeline waits for each send. */
  enabled: boolean;
  /** Concurrent senders. */
  num_consumers: number;
  /** Most requests (batches) waiting; more are refused and counted. */
  queue_size: number;
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
  return { enabled: true, num_consumers: 10, queue_size: 1000 };
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
    if (r.error !== undefined) throw new Error(`retry_on_failure::${what}: ${r.error}`);
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
  return problems;
}
