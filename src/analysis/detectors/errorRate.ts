/**
 * Error rate of component runs: the share of runs whose span status was ERROR, against the
 * reference windows' rate (calibration key `error_rate//error_rate`, kept by the engine)
 * and an optional absolute limit. The test is exact: P(at least this many errors) under
 * Binomial(runs, reference rate), so a window of 12 runs with 1 error does not alarm on a
 * 0.5% baseline the way a normal approximation would.
 *
 * Below `minRuns` runs (a batch stage that runs once or a few times a window) the window is
 * judged against every reference run instead (`Reference.runs`): with E failures in R
 * reference runs the failure rate is known only as Beta(E + a, R − E + b), a and b being a
 * prior of `priorRuns` runs at `priorErrorRate`, so the failures x among the m runs of this
 * window and the previous `consecutiveWindows − 1` windows with runs are judged by their exact
 * beta-binomial tail P(X ≥ x). Zero failures in 20 reference runs and 1 of 2 runs failing now
 * is evidence; the same again in the next window makes it strong. A failed run counts whatever
 * it recorded: a run that threw before writing a row is a failure of its own component.
 */

import { calibrationKey } from '../reference/buildReference.js';
import { betaBinomialUpperTails, binomialUpperTail } from '../stats/beta.js';
import { MAX_PREVIOUS_RUN_WINDOWS } from '../windows/StreamWindows.js';
import { requireOpenUnit, requirePositive, requireShare, requireWholeAtLeast } from './configChecks.js';
import type { Candidate, Detector, Reference, WindowData } from './detector.js';
import { evidenceWindows } from './runEvidence.js';
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
  /** Fewest runs in the window for the per-window test; fewer runs take the few-run path. Default 20. */
  minRuns?: number;
  /** k of the calibrated band. Default 3. */
  calibrationK?: number;
  /**
   * Windows judged together on the few-run path (this one and the previous ones with runs).
   * Default 3: a stage failing half its single runs fails twice in three windows far more
   * often than twice in a row.
   */
  consecutiveWindows?: number;
  /** Failure rate the few-run path's prior is centred on. Default 0.01. */
  priorErrorRate?: number;
  /** Weight of that prior, in runs. Default 5. */
  priorRuns?: number;
  /** Fewest reference runs the few-run path needs. Default 3. */
  minReferenceRuns?: number;
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
  consecutiveWindows: 3,
  priorErrorRate: 0.01,
  priorRuns: 5,
  minReferenceRuns: 3,
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
  requirePositive(path, 'calibrationK', c.calibrationK);
  requireWholeAtLeast(path, 'consecutiveWindows', c.consecutiveWindows, 1);
  if (c.consecutiveWindows > MAX_PREVIOUS_RUN_WINDOWS + 1)
    throw new RangeError(
      `${path}: consecutiveWindows must be ≤ ${MAX_PREVIOUS_RUN_WINDOWS + 1}, got ${c.consecutiveWindows}`,
    );
  requireOpenUnit(path, 'priorErrorRate', c.priorErrorRate);
  requirePositive(path, 'priorRuns', c.priorRuns);
  requireWholeAtLeast(path, 'minReferenceRuns', c.minReferenceRuns, 1);
  return c;
}

/** Share of failed runs against the reference windows' share and an optional limit. */
export function createErrorRateDetector(config: ErrorRateConfig = {}): Detector {
  const c = resolveErrorRateConfig(config);
  return {
    id: 'error_rate',
    detect(reference: Reference, current: WindowData): Candidate[] {
      const runs = current.runs;
      if (runs === 0) return [];
      if (runs < c.minRuns) return fewRuns(c, reference, current);
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
          severity: severityOf(
            anomalous,
            rate - threshold,
            Math.max(0, c.criticalDifference - c.minDifference),
          ),
          referenceCount: calibration?.windows ?? 0,
          currentCount: runs,
          message: `${errors} of ${runs} runs failed (${fmt(rate * 100)}%) vs threshold ${fmt(threshold * 100)}%`,
          details: { errors, baseline: calibration?.mean, band, maxRate: c.maxRate },
        },
      ];
    },
  };
}

/** Statistic of the few-run path: the share of failed runs over the windows judged together. */
export const FAILED_RUNS = 'failed_runs';

/** The few-run path: failures now (and in the previous windows) against every reference run. */
function fewRuns(c: ResolvedErrorRateConfig, reference: Reference, current: WindowData): Candidate[] {
  const profile = reference.runs;
  if (profile === undefined || profile.runs < c.minReferenceRuns) return [];
  const a = Math.min(profile.errorRuns, profile.runs) + c.priorErrorRate * c.priorRuns;
  const b = profile.runs - Math.min(profile.errorRuns, profile.runs) + (1 - c.priorErrorRate) * c.priorRuns;
  const baseline = a / (a + b);
  const windows = evidenceWindows(current, c.consecutiveWindows, c.minRuns);
  let runs = 0;
  let failed = 0;
  for (const w of windows) {
    runs += w.runs;
    failed += w.errorRuns;
  }
  const failedNow = Math.min(current.errorRuns, current.runs);
  const tails = betaBinomialUpperTails(runs, a, b);
  const pValue = tails[failed] ?? 0;
  const share = failed / runs;
  const effect = share - baseline;
  // The fewest failures among these runs that the test and the floor would call anomalous.
  let fewest = Number.NaN;
  for (let k = 1; k <= runs; k++) {
    if (k / runs - baseline >= c.minDifference && tails[k]! < c.alpha) {
      fewest = k;
      break;
    }
  }
  const threshold = fewest / runs;
  const anomalous = failedNow >= 1 && pValue < c.alpha && effect >= c.minDifference;
  return [
    {
      feature: '',
      statistic: FAILED_RUNS,
      value: share,
      threshold,
      pValue,
      effectSize: effect,
      anomalous,
      severity: severityOf(anomalous, share - threshold, Math.max(0, c.criticalDifference - c.minDifference)),
      referenceCount: profile.runs,
      currentCount: current.runs,
      message:
        `${failedNow} of ${current.runs} run${current.runs === 1 ? '' : 's'} failed; ${failed} of ${runs} over ` +
        `${windows.length} window${windows.length === 1 ? '' : 's'} vs ${profile.errorRuns} of ${profile.runs} ` +
        `reference runs`,
      details: {
        path: 'few_runs',
        errors: failedNow,
        failedRuns: failed,
        evidenceRuns: runs,
        evidenceWindows: windows.length,
        referenceRuns: profile.runs,
        referenceErrors: profile.errorRuns,
        baseline,
      },
    },
  ];
}
