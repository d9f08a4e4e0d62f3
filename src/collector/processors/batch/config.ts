/**
 * Config of the `batch` processor, with the OpenTelemetry Collector's defaults:
 * batches of 8192 items, no maximum, flushed after 200ms.
 */

import { parseDuration } from '../../config/values.js';
import type { ConfigProblem } from '../../factory.js';

/** The `processors::batch` config as written in YAML. */
export interface BatchConfig {
  /** Items (spans, log records, metric points) that trigger a send; must be > 0. */
  send_batch_size: number;
  /** Largest batch sent; larger ones are split. 0 means no limit. */
  send_batch_max_size: number;
  /** How long a partial batch may wait before it is sent anyway (a duration; 0 sends at once). */
  timeout: string;
}

/** A fresh default config. */
export function createDefaultBatchConfig(): BatchConfig {
  return { send_batch_size: 8192, send_batch_max_size: 0, timeout: '200ms' };
}

/** Every problem with a batch config; paths are relative to the component. */
export function validateBatchConfig(config: BatchConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const size = config.send_batch_size;
  const max = config.send_batch_max_size;
  if (!Number.isInteger(size) || size <= 0) {
    problems.push({ path: 'send_batch_size', message: `must be > 0 (a whole number), got ${size}` });
  }
  if (!Number.isInteger(max) || max < 0) {
    problems.push({
      path: 'send_batch_max_size',
      message: `must be 0 (no limit) or a positive whole number, got ${max}`,
    });
  } else if (max > 0 && Number.isInteger(size) && max < size) {
    problems.push({
      path: 'send_batch_max_size',
      message: `must be >= send_batch_size (${size}) or 0, got ${max}`,
    });
  }
  const timeout = parseDuration(config.timeout);
  if (timeout.error !== undefined) problems.push({ path: 'timeout', message: timeout.error });
  else if (timeout.value < 0) problems.push({ path: 'timeout', message: 'must not be negative' });
  return problems;
}
