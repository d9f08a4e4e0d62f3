/**
 * Config of the `memory_limiter` processor, as the OpenTelemetry Collector spells it:
 * a hard limit in MiB or as a percentage of the memory available, and a spike allowance
 * below it; data is refused above `limit - spike` (the soft limit).
 */

import { parseDuration } from '../../config/values.js';
import type { ConfigProblem } from '../../factory.js';

/** The `processors::memory_limiter` config as written in YAML. */
export interface MemoryLimiterConfig {
  /** How often memory is measured (a duration > 0). */
  check_interval: string;
  /** Hard limit in MiB; set this or `limit_percentage`. */
  limit_mib: number;
  /** Headroom below the hard limit in MiB; 0 means 20% of the limit. */
  spike_limit_mib: number;
  /** Hard limit as a percentage (1–100) of the memory available to the process. */
  limit_percentage: number;
  /** Headroom as a percentage; 0 means 20% of the limit. */
  spike_limit_percentage: number;
  /** Least time between forced garbage collections while above the soft limit (1 s; the Collector's 10 s would keep a drained process refusing that long, since V8, unlike Go, does not collect an idle heap). */
  min_gc_interval_when_soft_limited: string;
  /** Least time between forced garbage collections while above the hard limit. */
  min_gc_interval_when_hard_limited: string;
}

/** Limits in bytes. */
export interface MemoryLimits {
  /** Above this, garbage collection is forced when `global.gc` is exposed. */
  hardBytes: number;
  /** Above this, data is refused. */
  softBytes: number;
}

const MIB = 1024 * 1024;

/** A fresh default config; a limit must still be set. */
export function createDefaultMemoryLimiterConfig(): MemoryLimiterConfig {
  return {
    check_interval: '1s',
    limit_mib: 0,
    spike_limit_mib: 0,
    limit_percentage: 0,
    spike_limit_percentage: 0,
    min_gc_interval_when_soft_limited: '1s',
    min_gc_interval_when_hard_limited: '0s',
  };
}

/** Every problem with a memory_limiter config; paths are relative to the component. */
export function validateMemoryLimiterConfig(config: MemoryLimiterConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const interval = parseDuration(config.check_interval);
  if (interval.error !== undefined) problems.push({ path: 'check_interval', message: interval.error });
  else if (interval.value <= 0) problems.push({ path: 'check_interval', message: 'must be > 0' });
  for (const key of ['min_gc_interval_when_soft_limited', 'min_gc_interval_when_hard_limited'] as const) {
    const d = parseDuration(config[key]);
    if (d.error !== undefined) problems.push({ path: key, message: d.error });
    else if (d.value < 0) problems.push({ path: key, message: 'must be >= 0' });
  }
  for (const key of ['limit_mib', 'spike_limit_mib', 'limit_percentage', 'spike_limit_percentage'] as const) {
    const v = config[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      problems.push({ path: key, message: `must be a whole number >= 0, got ${String(v)}` });
    }
  }
  if (problems.length > 0) return problems;
  const byMib = config.limit_mib > 0;
  const byPct = config.limit_percentage > 0;
  if (!byMib && !byPct) {
    problems.push({ path: 'limit_mib', message: 'set limit_mib or limit_percentage to a value > 0' });
  } else if (byMib && byPct) {
    problems.push({ path: 'limit_percentage', message: 'set limit_mib or limit_percentage, not both' });
  } else if (byMib) {
    if (config.spike_limit_mib >= config.limit_mib) {
      problems.push({
        path: 'spike_limit_mib',
        message: `must be < limit_mib (${config.limit_mib}), got ${config.spike_limit_mib}`,
      });
    }
    if (config.spike_limit_percentage > 0) {
      problems.push({
        path: 'spike_limit_percentage',
        message: 'only applies with limit_percentage; use spike_limit_mib',
      });
    }
  } else {
    if (config.limit_percentage > 100) {
      problems.push({
        path: 'limit_percentage',
        message: `must be at most 100, got ${config.limit_percentage}`,
      });
    }
    if (config.spike_limit_percentage >= config.limit_percentage) {
      problems.push({
        path: 'spike_limit_percentage',
        message: `must be < limit_percentage (${config.limit_percentage}), got ${config.spike_limit_percentage}`,
      });
    }
    if (config.spike_limit_mib > 0) {
      problems.push({
        path: 'spike_limit_mib',
        message: 'only applies with limit_mib; use spike_limit_percentage',
      });
    }
  }
  return problems;
}

/** Turns a validated config into byte limits; `availableBytes` is the cgroup limit or total memory. */
export function resolveMemoryLimits(config: MemoryLimiterConfig, availableBytes: number): MemoryLimits {
  if (config.limit_mib > 0) {
    const hard = config.limit_mib * MIB;
    const spike = config.spike_limit_mib > 0 ? config.spike_limit_mib * MIB : hard * 0.2;
    return { hardBytes: hard, softBytes: hard - spike };
  }
  const hard = (availableBytes * config.limit_percentage) / 100;
  const spike =
    config.spike_limit_percentage > 0 ? (availableBytes * config.spike_limit_percentage) / 100 : hard * 0.2;
  return { hardBytes: hard, softBytes: hard - spike };
}
