/**
 * Numeric drift: is the current window's distribution of a numeric feature (or the lengths
 * of a text feature, the norms of a vector feature) different from the reference's?
 *
 * Three statistics, each computed from the two quantile sketches only:
 * - `ks`: Kolmogorov–Smirnov distance with its p-value (effective size n·m/(n+m), Stephens'
 *   correction). The sketches give a bracket d ≤ D ≤ dUpper around the distance of the raw
 *   data; the decision uses d, the lower end. Deciding on the midpoint with the threshold
 *   raised by half the rank error (dUpper − d)/2 is the same rule: sketch error can hide a
 *   shift smaller than the rank error but never makes a same-distribution window alarm, and
 *   the p-value computed from d is never smaller than the raw-data p-value.
 * - `psi`: population stability index on the reference's decile bins (snapped to bucket
 *   boundaries, so for sketches of equal accuracy the bin counts are exact, not estimated).
 *   Its own chi-square p-value is reported in `details` but not decided on: with few values
 *   per bin it is too small under no drift.
 * - `wasserstein`: W1 between the sketches divided by the reference's standard deviation
 *   (or IQR/1.349), i.e. "how many reference sds did the mass move". The sketch value can be
 *   off by at most the mean half bucket width of each side (`error`), in either direction,
 *   so the floor is raised by that error: again a miss, never a false alarm.
 *
 * One decision per feature: all three statistics take their significance from the KS test
 * of the same pair (`test: 'ks'`), so they count as one hypothesis in the window's multiple-
 * testing correction. Significance alone flags trivial shifts once windows are large, so each
 * statistic must also clear its own effect-size floor (defaults below, justified there), and,
 * when the reference kept windows, exceed the reference's own window-to-window spread
 * (mean + k·sd); a finding names the statistic(s) that did.
 */
import type { NumericSummary } from '../../summaries/index.js';
import { ksCriticalDistance, ksPValue } from '../stats/kolmogorov.js';
import { binnedKs, binnedPsi, binnedWasserstein, bucketIqr } from '../stats/sketchComparison.js';
import { requireOpenUnit, requirePositive, requireWholeAtLeast } from './configChecks.js';
import type { Candidate, Detector, Reference, WindowData } from './detector.js';
import { effectiveCount, rowRepetition } from './rowRepetition.js';
import {
  calibratedThreshold,
  DEFAULT_CALIBRATION_K,
  fmt,
  fmtP,
  numericView,
  scaledSeverity,
} from './thresholds.js';

/** Statistics the numeric drift detector can compute. */
export type NumericStatistic = 'ks' | 'psi' | 'wasserstein';

/** Configuration of {@link createNumericDriftDetector}; every field has a documented default. */
export interface NumericDriftConfig {
  /** Statistics to compute. Default all three. */
  statistics?: NumericStatistic[];
  /** Raw significance level per test, before the engine's Benjamini–Hochberg. Default 0.01. */
  alpha?: number;
  /**
   * KS floor. Default 0.1: a shift of 0.25 sd of a normal feature moves the CDF by ≈ 0.1
   * (D ≈ 2Φ(δ/2) − 1); smaller shifts are within what retraining tolerates.
   */
  ksFloor?: number;
  /** KS distance from which a finding is critical. Default 0.25 (≈ 0.65 sd shift). */
  ksCritical?: number;
  /**
   * PSI floor. Default 0.1, the industry rule of thumb ("< 0.1 no significant change");
   * for a normal mean shift PSI ≈ δ², so 0.1 ≈ a 0.3 sd shift, in line with the KS floor.
   */
  psiFloor?: number;
  /** PSI from which a finding is critical. Default 0.25 ("major shift"). */
  psiCritical?: number;
  /** PSI bins (reference quantiles). Default 10. */
  psiBins?: number;
  /** Normalized W1 floor in reference sds. Default 0.25, the same 0.25 sd the KS floor stands for. */
  wassersteinFloor?: number;
  /** Normalized W1 from which a finding is critical. Default 0.75. */
  wassersteinCritical?: number;
  /** What W1 is divided by: reference `sd` or `iqr` (IQR/1.349, robust to outliers). Default `sd`. */
  wassersteinScale?: 'sd' | 'iqr';
  /**
   * Fewest values on each side for a comparison. Default 10: from 10 values a KS distance of
   * 0.6 already has p ≈ 5·10⁻⁴, so a wholesale change is decidable; the KS p-value is valid at
   * any size (Stephens' small-sample form, computed from the sketches' lower-bound distance).
   */
  minCount?: number;
  /** k of calibrated thresholds (mean + k·sd over reference windows). Default 3. */
  calibrationK?: number;
}

/** {@link NumericDriftConfig} with defaults applied. */
export type ResolvedNumericDriftConfig = Required<NumericDriftConfig>;

/** Defaults of {@link NumericDriftConfig}. */
export const NUMERIC_DRIFT_DEFAULTS: Readonly<ResolvedNumericDriftConfig> = Object.freeze({
  statistics: ['ks', 'psi', 'wasserstein'] as NumericStatistic[],
  alpha: 0.01,
  ksFloor: 0.1,
  ksCritical: 0.25,
  psiFloor: 0.1,
  psiCritical: 0.25,
  psiBins: 10,
  wassersteinFloor: 0.25,
  wassersteinCritical: 0.75,
  wassersteinScale: 'sd',
  minCount: 10,
  calibrationK: DEFAULT_CALIBRATION_K,
});

/** Applies defaults and validates; the error names the detector and the field. */
export function resolveNumericDriftConfig(
  config: NumericDriftConfig = {},
  path = 'numeric_drift',
): ResolvedNumericDriftConfig {
  const c = { ...NUMERIC_DRIFT_DEFAULTS, ...config };
  requireOpenUnit(path, 'alpha', c.alpha);
  for (const key of [
    'ksFloor',
    'ksCritical',
    'psiFloor',
    'psiCritical',
    'wassersteinFloor',
    'wassersteinCritical',
    'calibrationK',
  ] as const) {
    requirePositive(path, key, c[key]);
  }
  requireWholeAtLeast(path, 'psiBins', c.psiBins, 2);
  requireWholeAtLeast(path, 'minCount', c.minCount, 1);
  if (c.wassersteinScale !== 'sd' && c.wassersteinScale !== 'iqr') {
    throw new RangeError(
      `${path}: wassersteinScale must be 'sd' or 'iqr', got ${String(c.wassersteinScale)}`,
    );
  }
  for (const s of c.statistics) {
    if (s !== 'ks' && s !== 'psi' && s !== 'wasserstein')
      throw new RangeError(`${path}: unknown statistic '${String(s)}'`);
  }
  return { ...c, statistics: [...c.statistics] };
}

/** Spread W1 is divided by; never 0, so a constant reference that starts moving scores high. */
function referenceScale(
  ref: NumericSummary,
  buckets: ReturnType<NumericSummary['sketch']['buckets']>,
  by: 'sd' | 'iqr',
): number {
  const sd = Math.sqrt(Math.max(0, ref.variance));
  const iqr = bucketIqr(buckets) / 1.349;
  const first = by === 'sd' ? sd : iqr;
  const second = by === 'sd' ? iqr : sd;
  if (first > 0) return first;
  if (second > 0) return second;
  return Math.max(Math.abs(ref.mean) * 1e-3, 1e-12);
}

/**
 * Drift candidates of one numeric summary against its reference. Shared with prediction
 * drift, which passes its own detector id so calibration keys stay separate.
 */
export function numericDriftCandidates(
  detectorId: string,
  feature: string,
  reference: NumericSummary,
  current: NumericSummary,
  refData: Reference,
  config: ResolvedNumericDriftConfig,
  view = 'value',
  repetition = 1,
): Candidate[] {
  const n = reference.sketch.count;
  const m = current.sketch.count;
  if (n < config.minCount || m < config.minCount) return [];
  const refBuckets = reference.sketch.buckets();
  const curBuckets = current.sketch.buckets();
  const ks = binnedKs(refBuckets, curBuckets);
  // Repeated rows: the current side counts as its effective size (see rowRepetition.ts).
  const mEff = effectiveCount(ks.m, repetition);
  const ksP = ksPValue(ks.d, ks.n, mEff);
  const base = { feature, referenceCount: n, currentCount: m, compared: { reference, current } };
  const label = view === 'value' ? feature : `${feature} (${view})`;
  const shared = {
    view,
    referenceMean: reference.mean,
    currentMean: current.mean,
    ...(mEff < ks.m ? { effectiveCurrentCount: mEff } : {}),
  };
  const head = `${label}: mean ${fmt(reference.mean)} → ${fmt(current.mean)}`;
  const sizes = `(n ${n} vs ${m})`;
  // Calibration bands are rescaled to this comparison's sizes (thresholds.ts, noiseFactor).
  const calibrated = (statistic: NumericStatistic): number | undefined =>
    calibratedThreshold(refData, detectorId, feature, statistic, config.calibrationK, 'above', {
      n: ks.n,
      m: mEff,
      order: statistic === 'psi' ? 'divergence' : 'distance',
    });
  const out: Candidate[] = [];
  for (const statistic of config.statistics) {
    if (statistic === 'ks') {
      const cal = calibrated('ks');
      const critical = ksCriticalDistance(config.alpha, ks.n, mEff);
      const threshold = Math.max(config.ksFloor, critical, cal ?? 0);
      const anomalous = ks.d >= config.ksFloor && ksP < config.alpha && (cal === undefined || ks.d > cal);
      out.push({
        ...base,
        statistic,
        value: ks.d,
        threshold,
        pValue: ksP,
        test: 'ks',
        effectSize: ks.d,
        anomalous,
        severity: scaledSeverity(anomalous, ks.d, threshold, config.ksFloor, config.ksCritical),
        message: `${head}, KS ${fmt(ks.d)} ${ks.d >= threshold ? '>' : '≤'} ${fmt(threshold)} ${sizes}, ${fmtP(ksP)}`,
        details: {
          ...shared,
          dUpper: ks.dUpper,
          rankError: ks.rankError,
          criticalDistance: critical,
          calibrated: cal,
        },
      });
    } else if (statistic === 'psi') {
      const psi = binnedPsi(refBuckets, curBuckets, config.psiBins);
      const cal = calibrated('psi');
      const threshold = Math.max(config.psiFloor, cal ?? 0);
      const anomalous =
        psi.psi >= config.psiFloor && ksP < config.alpha && (cal === undefined || psi.psi > cal);
      out.push({
        ...base,
        statistic,
        value: psi.psi,
        threshold,
        pValue: ksP,
        test: 'ks',
        effectSize: psi.psi,
        anomalous,
        severity: scaledSeverity(anomalous, psi.psi, threshold, config.psiFloor, config.psiCritical),
        message: `${head}, PSI ${fmt(psi.psi)} ${psi.psi >= threshold ? '>' : '≤'} ${fmt(threshold)} over ${psi.bins} bins ${sizes}, KS ${fmtP(ksP)}`,
        details: {
          ...shared,
          bins: psi.bins,
          edges: psi.edges,
          referenceShares: psi.reference,
          currentShares: psi.current,
          psiPValue: psi.pValue,
          calibrated: cal,
        },
      });
    } else {
      const w = binnedWasserstein(refBuckets, curBuckets);
      const scale = referenceScale(reference, refBuckets, config.wassersteinScale);
      const value = w.distance / scale;
      const error = w.error / scale;
      const cal = calibrated('wasserstein');
      const threshold = Math.max(config.wassersteinFloor + error, cal ?? 0);
      // W1 has no cheap null distribution; the KS test of the same pair supplies significance.
      const anomalous =
        value >= config.wassersteinFloor + error && ksP < config.alpha && (cal === undefined || value > cal);
      out.push({
        ...base,
        statistic,
        value,
        threshold,
        pValue: ksP,
        test: 'ks',
        effectSize: value,
        anomalous,
        severity: scaledSeverity(
          anomalous,
          value,
          threshold,
          config.wassersteinFloor,
          config.wassersteinCritical,
        ),
        message: `${head}, Wasserstein ${fmt(value)} reference ${config.wassersteinScale}s (±${fmt(error)}) ${value >= threshold ? '>' : '≤'} ${fmt(threshold)} ${sizes}, KS ${fmtP(ksP)}`,
        details: { ...shared, distance: w.distance, scale, sketchError: error, calibrated: cal },
      });
    }
  }
  return out;
}

/** Numeric drift of every numeric (and text-length, vector-norm) feature present on both sides. */
export function createNumericDriftDetector(config: NumericDriftConfig = {}): Detector {
  const resolved = resolveNumericDriftConfig(config);
  return {
    id: 'numeric_drift',
    detect(reference: Reference, current: WindowData): Candidate[] {
      const out: Candidate[] = [];
      for (const [feature, summary] of current.features) {
        const ref = reference.features.get(feature);
        if (ref === undefined || ref.kind !== summary.kind) continue;
        const a = numericView(ref);
        const b = numericView(summary);
        if (a === undefined || b === undefined) continue;
        out.push(
          ...numericDriftCandidates(
            'numeric_drift',
            feature,
            a.summary,
            b.summary,
            reference,
            resolved,
            a.view,
            rowRepetition(reference, current).share,
          ),
        );
      }
      return out;
    },
  };
}
