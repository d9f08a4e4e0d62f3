/** The factory of the `memory_limiter` processor. */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { parseDuration } from '../../config/values.js';
import type { ProcessorFactory } from '../../factory.js';
import {
  createDefaultMemoryLimiterConfig,
  type MemoryLimiterConfig,
  resolveMemoryLimits,
  validateMemoryLimiterConfig,
} from './config.js';
import { MemoryLimiterProcessor } from './MemoryLimiterProcessor.js';

/** Builds one `memory_limiter` per pipeline, for any signal. */
export const memoryLimiterProcessorFactory: ProcessorFactory<MemoryLimiterConfig> = {
  type: 'memory_limiter',
  signals: ['traces', 'logs', 'metrics'],
  createDefaultConfig: createDefaultMemoryLimiterConfig,
  validate: validateMemoryLimiterConfig,
  createProcessor(settings, config, signal, next) {
    return new MemoryLimiterProcessor(
      {
        limits: resolveMemoryLimits(config, availableMemoryBytes()),
        checkIntervalMs: parseDuration(config.check_interval).value ?? 1000,
        minGcIntervalSoftMs: parseDuration(config.min_gc_interval_when_soft_limited).value ?? 1000,
        minGcIntervalHardMs: parseDuration(config.min_gc_interval_when_hard_limited).value ?? 0,
      },
      signal,
      next,
      { processor: settings.id, pipeline: settings.pipeline },
    );
  },
};

/** The container's memory limit when there is one (cgroup v2, then v1), else the machine's memory. */
export function availableMemoryBytes(): number {
  const total = totalmem();
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const limit = Number(readFileSync(file, 'utf8').trim());
      // "max" parses to NaN; v1 reports a huge number when unlimited.
      if (Number.isFinite(limit) && limit > 0 && limit < total) return limit;
    } catch {
      // No cgroup file here: not in a container, or another layout.
    }
  }
  return total;
}
