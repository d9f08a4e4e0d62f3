/**
 * Decides, per call, whether a model call is recorded (a span with summaries) or only counted.
 * One sampler per model, so a chatty per-request model cannot use up the budget of a batch model
 * beside it. The decision for a call that is not recorded is a countdown and, for the time-based
 * modes, one clock read: nothing else runs on that path.
 */
import { ErrorCodes, MlobsError } from '../../errors.js';
import type { SamplingConfig } from './types.js';

/**
 * What one summarised call costs beyond its rows, in rows, under `rowsPerSecond`: summarising a
 * call has a fixed part (span, sketches built and encoded per feature, events attached) that,
 * measured on the credit-risk model's 7 features, is worth about 200 rows. Charging it keeps a
 * per-request model (1 row a call) from being summarised on every call under a rows budget.
 */
export const CALL_COST_ROWS = 200;

/** Default longest time between two recorded calls under `costShare`, in milliseconds. */
export const DEFAULT_MAX_GAP_MS = 1000;

/** Weight of the newest measurement in the cost averages of `costShare`. */
const EWMA = 0.2;

/** A 1-in-N counter, a rows-per-second token bucket, or a cost budget relative to the model's time. */
export class SummarySampler {
  private countdown = 0;
  private tokens: number;
  private last: number;
  private lastTaken = Number.NEGATIVE_INFINITY;
  private interval = 1;
  private overheadMs = -1;
  private modelMs = -1;
  private readonly mode: 'every' | 'rows' | 'share';
  private readonly maxGapMs: number;

  /** `now` is injectable for tests; milliseconds. */
  constructor(
    private readonly config: SamplingConfig,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.mode = 'every' in config ? 'every' : 'rowsPerSecond' in config ? 'rows' : 'share';
    if ('every' in config) this.interval = config.every;
    this.tokens = 'rowsPerSecond' in config ? config.rowsPerSecond : 0;
    this.maxGapMs = 'costShare' in config ? (config.maxGapMs ?? DEFAULT_MAX_GAP_MS) : 0;
    this.last = now();
  }

  /** True when this call, of `rows` rows, should be recorded and summarised. */
  take(rows: number): boolean {
    if (this.mode === 'every') {
      if (--this.countdown > 0) return false;
      this.countdown = this.interval;
      return true;
    }
    const t = this.now();
    if (this.mode === 'share') {
      if (--this.countdown > 0 && t - this.lastTaken < this.maxGapMs) return false;
      this.countdown = this.interval;
      this.lastTaken = t;
      return true;
    }
    const rate = (this.config as { rowsPerSecond: number }).rowsPerSecond;
    this.tokens = Math.min(rate, this.tokens + ((t - this.last) / 1000) * rate);
    this.last = t;
    if (this.tokens <= 0) return false;
    // Taken even when it drives the bucket below zero: the debt is paid back before the next one.
    this.tokens -= Math.max(0, rows) + CALL_COST_ROWS;
    return true;
  }

  /**
   * What a recorded call cost: `overheadMs` spent by the instrumentation on the caller's thread
   * (span, summaries, export hand-off) and `modelMs` the model's own time. Under `costShare` the
   * averages set how many calls pass between two recorded ones, so that the overhead spread over
   * them stays within the share of the model's time.
   */
  report(overheadMs: number, modelMs: number): void {
    if (this.mode !== 'share' || !(overheadMs >= 0) || !(modelMs >= 0)) return;
    this.overheadMs =
      this.overheadMs < 0 ? overheadMs : this.overheadMs + EWMA * (overheadMs - this.overheadMs);
    this.modelMs = this.modelMs < 0 ? modelMs : this.modelMs + EWMA * (modelMs - this.modelMs);
    const share = (this.config as { costShare: number }).costShare;
    // A model too fast for the clock to see still costs something: never divide by zero.
    const budget = share * Math.max(this.modelMs, 0.001);
    this.interval = Math.max(1, Math.min(1_000_000, Math.ceil(this.overheadMs / budget)));
    // The call being reported took the old interval; the next one starts the new.
    if (this.countdown > this.interval) this.countdown = this.interval;
  }

  /** Calls between two recorded ones at the moment (1 records every call). */
  currentInterval(): number {
    return this.interval;
  }
}

/**
 * Checks a sampling config; returns an error naming `path`, or undefined when it is valid.
 * Exactly one of `every` (a whole number ≥ 1), `rowsPerSecond` (> 0) and `costShare` (in (0, 1],
 * with an optional `maxGapMs` > 0) must be set.
 */
export function samplingProblem(value: unknown, path: string): string | undefined {
  if (value === null || typeof value !== 'object')
    return `${path}: must be { every: N }, { rowsPerSecond: R } or { costShare: S }`;
  const v = value as { every?: unknown; rowsPerSecond?: unknown; costShare?: unknown; maxGapMs?: unknown };
  const keys = Object.keys(v).filter((k) => k !== 'maxGapMs');
  if (keys.length !== 1 || !['every', 'rowsPerSecond', 'costShare'].includes(keys[0]))
    return `${path}: must have exactly one of every, rowsPerSecond, costShare; got ${keys.join(', ') || 'no key'}`;
  if ('maxGapMs' in v && keys[0] !== 'costShare') return `${path}.maxGapMs: only applies with costShare`;
  if ('every' in v && !(Number.isInteger(v.every) && (v.every as number) >= 1))
    return `${path}.every: must be a whole number ≥ 1, got ${String(v.every)}`;
  if ('rowsPerSecond' in v && !positive(v.rowsPerSecond))
    return `${path}.rowsPerSecond: must be a number > 0, got ${String(v.rowsPerSecond)}`;
  if ('costShare' in v && !(positive(v.costShare) && (v.costShare as number) <= 1))
    return `${path}.costShare: must be a number in (0, 1], got ${String(v.costShare)}`;
  if ('maxGapMs' in v && !positive(v.maxGapMs))
    return `${path}.maxGapMs: must be a number > 0, got ${String(v.maxGapMs)}`;
  return undefined;
}

function positive(x: unknown): boolean {
  return typeof x === 'number' && x > 0 && Number.isFinite(x);
}

/**
 * Parses `MLOBS_SAMPLING`: `1` (every call), `1/N` (one call in N), `R/s` (rows per second) or
 * `P%` (recording costs at most P% of the model's time; `P%,Gms` sets the longest gap between
 * recorded calls, default 1000 ms). Throws an `MLOBS_ERR_ENV_INVALID` error naming the variable
 * on anything else.
 */
export function parseSampling(text: string, name = 'MLOBS_SAMPLING'): SamplingConfig {
  const t = text.trim();
  const every = /^1\/(\d+)$/.exec(t);
  if (t === '1') return { every: 1 };
  if (every && Number(every[1]) >= 1) return { every: Number(every[1]) };
  const rate = /^(\d+(?:\.\d+)?)\/s$/.exec(t);
  if (rate && Number(rate[1]) > 0) return { rowsPerSecond: Number(rate[1]) };
  const share = /^(\d+(?:\.\d+)?)%(?:,(\d+(?:\.\d+)?)ms)?$/.exec(t);
  if (
    share &&
    Number(share[1]) > 0 &&
    Number(share[1]) <= 100 &&
    (share[2] === undefined || Number(share[2]) > 0)
  ) {
    const config: SamplingConfig = { costShare: Number(share[1]) / 100 };
    if (share[2] !== undefined) config.maxGapMs = Number(share[2]);
    return config;
  }
  throw new MlobsError(
    ErrorCodes.MLOBS_ERR_ENV_INVALID,
    `${name}: expected 1, 1/N (one call in N), R/s (rows per second) or P% (share of the model's time, optionally P%,Gms), got '${text}'`,
  );
}
