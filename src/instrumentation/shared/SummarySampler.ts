/**
 * Decides, per call, whether a model's inputs and outputs are summarised. One sampler per model,
 * so a chatty per-request model cannot use up the budget of a batch model beside it.
 */
import { ErrorCodes, MlobsError } from '../../errors.js';
import type { SamplingConfig } from './types.js';

/**
 * What one summarised call costs beyond its rows, in rows: summarising a call has a fixed part
 * (sketches built and encoded per feature, events attached) that, measured on the credit-risk
 * model's 7 features, is worth about 200 rows. Charging it keeps a per-request model (1 row a
 * call) from being summarised on every call under a rows-per-second budget.
 */
export const CALL_COST_ROWS = 200;

/** A 1-in-N counter or a rows-per-second token bucket. */
export class SummarySampler {
  private calls = 0;
  private tokens: number;
  private last: number;

  /** `now` is injectable for tests; milliseconds. */
  constructor(
    private readonly config: SamplingConfig,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = 'rowsPerSecond' in config ? config.rowsPerSecond : 0;
    this.last = now();
  }

  /** True when this call, of `rows` rows, should be summarised. */
  take(rows: number): boolean {
    if ('every' in this.config) return this.calls++ % this.config.every === 0;
    const rate = this.config.rowsPerSecond;
    const t = this.now();
    this.tokens = Math.min(rate, this.tokens + ((t - this.last) / 1000) * rate);
    this.last = t;
    if (this.tokens <= 0) return false;
    // Taken even when it drives the bucket below zero: the debt is paid back before the next one.
    this.tokens -= Math.max(0, rows) + CALL_COST_ROWS;
    return true;
  }
}

/**
 * Checks a sampling config; returns an error naming `path`, or undefined when it is valid.
 * Exactly one of `every` (a whole number ≥ 1) and `rowsPerSecond` (> 0) must be set.
 */
export function samplingProblem(value: unknown, path: string): string | undefined {
  if (value === null || typeof value !== 'object')
    return `${path}: must be { every: N } or { rowsPerSecond: R }`;
  const v = value as { every?: unknown; rowsPerSecond?: unknown };
  const keys = Object.keys(v);
  if (keys.length !== 1 || !(keys[0] === 'every' || keys[0] === 'rowsPerSecond'))
    return `${path}: must have exactly one of every, rowsPerSecond; got ${keys.join(', ') || 'no key'}`;
  if ('every' in v && !(Number.isInteger(v.every) && (v.every as number) >= 1))
    return `${path}.every: must be a whole number ≥ 1, got ${String(v.every)}`;
  if (
    'rowsPerSecond' in v &&
    !(typeof v.rowsPerSecond === 'number' && v.rowsPerSecond > 0 && Number.isFinite(v.rowsPerSecond))
  )
    return `${path}.rowsPerSecond: must be a number > 0, got ${String(v.rowsPerSecond)}`;
  return undefined;
}

/**
 * Parses `MLOBS_SAMPLING`: `1` (every call), `1/N` (one call in N) or `R/s` (rows per second).
 * Throws an `MLOBS_ERR_ENV_INVALID` error naming the variable on anything else.
 */
export function parseSampling(text: string, name = 'MLOBS_SAMPLING'): SamplingConfig {
  const t = text.trim();
  const every = /^1\/(\d+)$/.exec(t);
  if (t === '1') return { every: 1 };
  if (every && Number(every[1]) >= 1) return { every: Number(every[1]) };
  const rate = /^(\d+(?:\.\d+)?)\/s$/.exec(t);
  if (rate && Number(rate[1]) > 0) return { rowsPerSecond: Number(rate[1]) };
  throw new MlobsError(
    ErrorCodes.MLOBS_ERR_ENV_INVALID,
    `${name}: expected 1, 1/N (one call in N) or R/s (rows per second), got '${text}'`,
  );
}
