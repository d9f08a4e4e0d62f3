/**
 * Error rate of component runs: the share of runs whose span status was ERROR, against the
 * reference windows' rate (calibration key `error_rate//error_rate`, kept by the engine)
 * and an optional absolute limit. The test is exact: P(at least this many errors) under
 * Binomial(runs, reference rate), so a window of 12 runs with 1 error does not alarm on a
 * 0.5% baseline the way a normal approximation would.
 */

import { calibrationKey } from '../reference/buildReference.js';
import { binomialUpperTail } from '../stats/beta.js';
import { requireOpenUnit, requireShare, requireWholeAtLeast } from './configChecks.js';
import type { Candidate, Detector, Reference, WindowData } from './detector.js';
import { calibratedThreshold, DEFAULT_CALIBRATION_K, fmt, severityOf } from './thresholds.js';

/** Configuration of {@link createErrorRateDetector}; every field has a documented default. */
export interface ErrorRateConfig {
  /** Raw significance level. Default 0.01. */
  alpha?: number;
  /** Smallest rise of the error rate (absolute) worth a finding. Default 0.02. */
  minDifference?: number;
  /** Rise from which a finding is critical. Default 0.2. */
  criticalDifference?: number;
  /** Absolute limit on the error rate, judged with or without a reference. Default none. */
  maxRate?: number | null;
  /** Fewest runs in the window. Default 20. */
  minRuns?: number;
  /** k of the calibrated band. Default 3. */
  calibrationK?: number;
}

/** {@link ErrorRateConfig} with defaults applied. */
export type ResolvedErrorRateConfig = Required<ErrorRateConfig>;

/** Defaults of {@link ErrorRateConfig}. */
export const ERROR_RATE_DEFAULTS: Readonly<ResolvedErrorRateConfig> = Object.freeze({
  alpha: 0.01,
  minDifference: 0.02,
  criticalDifference: 0.2,
  maxRate: null,
  minRuns: 20,
  calibrationK: DEFAULT_CALIBRATION_K,
});

/** Applies defaults and validates; the error names the detector and the field. */
export function resolveErrorRateConfig(
  config: ErrorRateConfig = {},
  path = 'error_rate',
): ResolvedErrorRateConfig {
  const c = { ...ERROR_RATE_DEFAULTS, ...config };
  requireOpenUnit(path, 'alpha', c.alpha);
  for (const key of ['minDifference', 'criticalDifference'] as const) {
    requireShare(path, key, c[key]);
  }
  if (c.maxRate !== null && !(c.maxRate > 0 && c.maxRate < 1))
    throw new RangeError(`${path}: maxRate must be in (0, 1) or null, got ${c.maxRate}`);
  requireWholeAtLeast(path, 'minRuns', c.minRuns, 1);
  return c;
}

/** Share of failed runs against the reference windows' share and an optional limit. */
export function createErrorRateDetector(config: ErrorRateConfig = {}): Detector {
  const c = resolveErrorRateConfig(config);
  return {
    id: 'error_rate',
    detect(reference: Reference, current: WindowData): Candidate[] {
      const runs = current.runs;
      if (runs < c.minRuns) return [];
      const errors = Math.min(current.errorRuns, runs);
      const rate = errors / runs;
      const calibration = reference.calibration.get(calibrationKey('error_rate', '', 'error_rate'));
      const band = calibratedThreshold(reference, 'error_rate', '', 'error_rate', c.calibrationK);
      let anomalous = false;
      let threshold = Number.NaN;
      let pValue: number | undefined;
      let effect = 0;
      if (calibration !== undefined && band !== undefined) {
        const base = Math.min(1, Math.max(0, calibration.mean));
        effect = rate - base;
        threshold = Math.max(base + c.minDifference, band);
        pValue = binomialUpperTail(errors, runs, base);
        anomalous = rate >= threshold && pValue < c.alpha;
      }
      if (c.maxRate !== null) {
        const pMax = binomialUpperTail(errors, runs, c.maxRate);
        if (rate > c.maxRate && pMax < c.alpha) anomalous = true;
        if (band === undefined) {
          threshold = c.maxRate;
          pValue = pMax;
          effect = rate - c.maxRate;
        } else {
          threshold = Math.min(threshold, c.maxRate);
        }
      }
      return [
        {
          feature: '',
          statistic: 'error_rate',
          value: rate,
          threshold,
          ...(pValue !== undefined ? { pValue } : {}),
          effectSize: effect,
          anomalous,
          severity: severityOf(anomalous, effect, c.criticalDifference),
          referenceCount: calibration?.windows ?? 0,
          currentCount: runs,
          message: `${errors} of ${runs} runs failed (${fmt(rate * 100)}%) vs threshold ${fmt(threshold * 100)}%`,
          details: { errors, baseline: calibration?.mean, band, maxRate: c.maxRate },
        },
      ];
    },
  };
}
