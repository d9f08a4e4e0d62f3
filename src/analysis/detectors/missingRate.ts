/**
 * Missing-value rate: did a feature start arriving as null more often than in the
 * reference? A broken join, an upstream outage or a renamed column all look like this,
 * and none of them makes the pipeline fail.
 *
 * Significance: a pooled two-proportion z-test of the current null rate against the
 * reference's, exact (conditional binomial) when few nulls are expected. Effect: an
 * absolute difference floor, so a 1.0% → 1.2% change on 100 000 rows (significant) is not
 * reported, while 1% → 5% is.
 */
import { rareEventProportionTest } from '../stats/proportions.js';
import { requireOpenUnit, requireShare, requireWholeAtLeast } from './configChecks.js';
import type { Candidate, Detector, Reference, WindowData } from './detector.js';
import { effectiveCount, rowRepetition } from './rowRepetition.js';
import {
  calibratedThreshold,
  DATA_QUALITY_WEIGHT,
  DEFAULT_CALIBRATION_K,
  fmt,
  fmtP,
  scaledSeverity,
  totalCount,
} from './thresholds.js';

/** Configuration of {@link createMissingRateDetector}; every field has a documented default. */
export interface MissingRateConfig {
  /** Raw significance level. Default 0.01. */
  alpha?: number;
  /** Smallest null-rate increase (absolute) worth a finding. Default 0.02 (two percentage points). */
  minDifference?: number;
  /**
   * The floor for features the schema says are not nullable. Default 0.005: a feature that
   * never had nulls gaining them usually means a broken join, which even half a percent shows.
   */
  nonNullableMinDifference?: number;
  /** Increase from which a finding is critical. Default 0.2. */
  criticalDifference?: number;
  /** `increase` (default) judges only rises; `both` also flags falls (e.g. silent imputation upstream). */
  direction?: 'increase' | 'both';
  /** Fewest values (null or not) on each side. Default 10 (the rise is tested exactly when few nulls are expected). */
  minCount?: number;
  /** k of calibrated thresholds on the null rate. Default 3. */
  calibrationK?: number;
}

/** {@link MissingRateConfig} with defaults applied. */
export type ResolvedMissingRateConfig = Required<MissingRateConfig>;

/** Defaults of {@link MissingRateConfig}. */
export const MISSING_RATE_DEFAULTS: Readonly<ResolvedMissingRateConfig> = Object.freeze({
  alpha: 0.01,
  minDifference: 0.02,
  nonNullableMinDifference: 0.005,
  criticalDifference: 0.2,
  direction: 'increase',
  minCount: 10,
  calibrationK: DEFAULT_CALIBRATION_K,
});

/** Applies defaults and validates; the error names the detector and the field. */
export function resolveMissingRateConfig(
  config: MissingRateConfig = {},
  path = 'missing_rate',
): ResolvedMissingRateConfig {
  const c = { ...MISSING_RATE_DEFAULTS, ...config };
  requireOpenUnit(path, 'alpha', c.alpha);
  for (const key of ['minDifference', 'nonNullableMinDifference', 'criticalDifference'] as const) {
    requireShare(path, key, c[key]);
  }
  if (!(c.calibrationK > 0)) throw new RangeError(`${path}: calibrationK must be > 0, got ${c.calibrationK}`);
  if (c.direction !== 'increase' && c.direction !== 'both') {
    throw new RangeError(`${path}: direction must be 'increase' or 'both', got ${String(c.direction)}`);
  }
  requireWholeAtLeast(path, 'minCount', c.minCount, 1);
  return c;
}

/** Null rate of every feature present on both sides against the reference's. */
export function createMissingRateDetector(config: MissingRateConfig = {}): Detector {
  const c = resolveMissingRateConfig(config);
  return {
    id: 'missing_rate',
    weight: DATA_QUALITY_WEIGHT,
    detect(reference: Reference, current: WindowData): Candidate[] {
      const out: Candidate[] = [];
      const rows = rowRepetition(reference, current);
      for (const [feature, summary] of current.features) {
        const ref = reference.features.get(feature);
        if (ref === undefined) continue;
        const repetition = rows.share;
        const n = totalCount(ref);
        const m = totalCount(summary);
        if (n < c.minCount || m < c.minCount) continue;
        const refRate = ref.nullCount / n;
        const rate = summary.nullCount / m;
        // With few expected nulls the z-test alarms on one null in 20 rows; this test then
        // switches to the exact conditional tail.
        // Repeated rows repeat their nulls: the current side counts as its effective size.
        const test = rareEventProportionTest(
          ref.nullCount,
          n,
          Math.round(effectiveCount(summary.nullCount, repetition)),
          Math.max(1, Math.round(effectiveCount(m, repetition))),
          c.direction === 'both' ? 'two-sided' : 'greater',
        );
        const pValue = test.pValue;
        const floor =
          reference.schema.get(feature)?.nullable === false ? c.nonNullableMinDifference : c.minDifference;
        const cal = calibratedThreshold(
          reference,
          'missing_rate',
          feature,
          'null_rate',
          c.calibrationK,
          'above',
          {
            n,
            m: effectiveCount(m, repetition),
            order: 'level',
          },
        );
        const effect = c.direction === 'both' ? Math.abs(test.difference) : test.difference;
        const threshold = Math.max(refRate + floor, cal ?? 0);
        // The calibrated band bounds rises; a fall (direction 'both') is judged on floor and p alone.
        const clearsCalibration = cal === undefined || test.difference < 0 || rate > cal;
        const anomalous = effect >= floor && pValue < c.alpha && clearsCalibration;
        out.push({
          feature,
          statistic: 'null_rate',
          value: rate,
          threshold,
          // No null on either side: the exact conditional test cannot reject whatever the level
          // (its smallest attainable p-value is 1), so it is no hypothesis (Tarone 1990).
          ...(ref.nullCount + summary.nullCount > 0 ? { pValue } : {}),
          effectSize: effect,
          anomalous,
          severity: scaledSeverity(anomalous, effect, threshold - refRate, floor, c.criticalDifference),
          referenceCount: n,
          currentCount: m,
          message: `${feature}: null ${fmt(refRate * 100)}% → ${fmt(rate * 100)}%, ${fmtP(pValue)} (n ${n} vs ${m})`,
          details: {
            referenceRate: refRate,
            difference: test.difference,
            z: test.z,
            calibrated: cal,
            ...(repetition < 1 ? { effectiveCurrentCount: effectiveCount(m, repetition) } : {}),
          },
          compared: { reference: ref, current: summary },
        });
      }
      return out;
    },
  };
}
