/**
 * Staleness (mltrace's stale dependencies): a model trained too long ago, or an input whose
 * last upstream write is older than it should be — a feature table whose refresh job has
 * stopped keeps serving yesterday's values and nothing fails. Ages are measured at the end
 * of the window, from `ml.model.trained_at` and from the latest upstream write of each
 * input reference seen through span links. No p-value: an age is a fact, not a sample.
 *
 * An input's limit is learned from its writer when the writer has written it at least three
 * times: the longest recent gap between writes (its usual period) plus a slack of one window
 * or `periodTolerance` of the period, whichever is longer. So an hourly feature table whose
 * refresh stops is reported within about two windows of its hour running out, not after the
 * day-long `maxInputAgeMs`, which stays the limit for inputs whose writer is not seen often
 * enough. The finding names the input and when it was last written, from which the diagnosis
 * finds the writer.
 */
import type { Candidate, Detector, Reference, WindowData } from './detector.js';
import { severityOf } from './thresholds.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Configuration of {@link createStalenessDetector}; every field has a documented default. */
export interface StalenessConfig {
  /** Oldest acceptable model, ms since training. Default 30 days (a monthly retraining cadence). */
  maxModelAgeMs?: number;
  /** Oldest acceptable input, ms since its last upstream write. Default 24 hours (a daily batch). */
  maxInputAgeMs?: number;
  /** Age over the maximum, as a multiple of it, from which a finding is critical. Default 2. */
  criticalFactor?: number;
  /** Judge inputs against their writer's learned period when known. Default true. */
  learnInputPeriod?: boolean;
  /** Slack over the learned period as a share of it (at least one window). Default 0.1. */
  periodTolerance?: number;
}

/** {@link StalenessConfig} with defaults applied. */
export type ResolvedStalenessConfig = Required<StalenessConfig>;

/** Defaults of {@link StalenessConfig}. */
export const STALENESS_DEFAULTS: Readonly<ResolvedStalenessConfig> = Object.freeze({
  maxModelAgeMs: 30 * DAY_MS,
  maxInputAgeMs: DAY_MS,
  criticalFactor: 2,
  learnInputPeriod: true,
  periodTolerance: 0.1,
});

/** Applies defaults and validates; the error names the detector and the field. */
export function resolveStalenessConfig(
  config: StalenessConfig = {},
  path = 'staleness',
): ResolvedStalenessConfig {
  const c = { ...STALENESS_DEFAULTS, ...config };
  for (const key of ['maxModelAgeMs', 'maxInputAgeMs'] as const) {
    if (!(c[key] > 0)) throw new RangeError(`${path}: ${key} must be > 0, got ${c[key]}`);
  }
  if (!(c.criticalFactor >= 1))
    throw new RangeError(`${path}: criticalFactor must be ≥ 1, got ${c.criticalFactor}`);
  if (typeof c.learnInputPeriod !== 'boolean')
    throw new RangeError(`${path}: learnInputPeriod must be true or false, got ${c.learnInputPeriod}`);
  if (!(Number.isFinite(c.periodTolerance) && c.periodTolerance >= 0))
    throw new RangeError(`${path}: periodTolerance must be a number ≥ 0, got ${c.periodTolerance}`);
  return c;
}

function humanAge(ms: number): string {
  if (ms >= 2 * DAY_MS) return `${(ms / DAY_MS).toFixed(1)} days`;
  if (ms >= 2 * HOUR_MS) return `${(ms / HOUR_MS).toFixed(1)} hours`;
  return `${Math.round(ms / 60_000)} minutes`;
}

function ageCandidate(
  feature: string,
  statistic: string,
  what: string,
  age: number,
  max: number,
  factor: number,
): Candidate {
  const ratio = age / max;
  const anomalous = age > max;
  return {
    feature,
    statistic,
    value: age,
    threshold: max,
    effectSize: ratio,
    anomalous,
    severity: severityOf(anomalous, ratio, factor),
    referenceCount: 0,
    currentCount: 1,
    message: `${what} is ${humanAge(Math.max(0, age))} old (limit ${humanAge(max)})`,
    details: { ageMs: age, maxAgeMs: max },
  };
}

/** Model age and input staleness at the end of the window. */
export function createStalenessDetector(config: StalenessConfig = {}): Detector {
  const c = resolveStalenessConfig(config);
  return {
    id: 'staleness',
    detect(_reference: Reference, current: WindowData): Candidate[] {
      const out: Candidate[] = [];
      const now = current.endMs;
      if (current.modelTrainedAtMs !== undefined && Number.isFinite(current.modelTrainedAtMs)) {
        const model = current.stream.model || 'model';
        out.push(
          ageCandidate(
            '',
            'model_age',
            `${model} (trained_at)`,
            now - current.modelTrainedAtMs,
            c.maxModelAgeMs,
            c.criticalFactor,
          ),
        );
      }
      const windowMs = Math.max(0, current.endMs - current.startMs);
      for (const [input, written] of current.inputLastWrittenMs) {
        if (!Number.isFinite(written)) continue;
        const period = c.learnInputPeriod ? current.inputWritePeriodMs?.get(input) : undefined;
        const learned = period !== undefined && Number.isFinite(period) && period > 0;
        const max = learned ? period + Math.max(windowMs, c.periodTolerance * period) : c.maxInputAgeMs;
        const candidate = ageCandidate(
          input,
          'input_age',
          `input ${input}`,
          now - written,
          max,
          c.criticalFactor,
        );
        candidate.details = {
          ...candidate.details,
          input,
          lastWrittenMs: written,
          lastWrittenAt: new Date(written).toISOString(),
          ...(learned ? { writePeriodMs: period } : {}),
          limitFrom: learned ? 'writer_period' : 'max_input_age',
        };
        candidate.message += learned
          ? `; written every ${humanAge(period)}, last at ${new Date(written).toISOString()}`
          : `; last written at ${new Date(written).toISOString()}`;
        out.push(candidate);
      }
      return out;
    },
  };
}
