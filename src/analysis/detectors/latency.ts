/**
 * Latency of component runs: did the chosen quantile (p95 by default) of `durationMs` rise?
 * A slow feature store or a model that fell back to CPU shows here before anywhere else.
 *
 * The reference p95 is the mean of the p95 across reference windows (calibration key
 * `latency//p95`, kept by the engine); the band is mean + k·sd of those windows. The test
 * counts current runs surely slower than the reference p95 (sketch buckets entirely above
 * it: a lower bound, so sketch error cannot raise an alarm) against Binomial(m, 1 − q),
 * the count expected if the p95 had not moved. An absolute `maxMs` works without reference.
 */

import { calibrationKey } from '../reference/buildReference.js';
import { binomialUpperTail } from '../stats/beta.js';
import { requireOpenUnit, requireWholeAtLeast } from './configChecks.js';
import type { Candidate, Detector, Reference, WindowData } from './detector.js';
import { calibratedThreshold, DEFAULT_CALIBRATION_K, fmt, severityOf } from './thresholds.js';

/** Configuration of {@link createLatencyDetector}; every field has a documented default. */
export interface LatencyConfig {
  /** Quantile judged. Default 0.95. */
  quantile?: number;
  /** Raw significance level. Default 0.01. */
  alpha?: number;
  /** Smallest ratio current/reference quantile worth a finding. Default 1.25 (25% slower). */
  minRatio?: number;
  /** Ratio from which a finding is critical. Default 2. */
  criticalRatio?: number;
  /** Absolute limit on the quantile in ms, judged with or without a reference. Default none. */
  maxMs?: number | null;
  /** Fewest runs in the window. Default 20. */
  minRuns?: number;
  /** k of the calibrated band. Default 3. */
  calibrationK?: number;
}

/** {@link LatencyConfig} with defaults applied. */
export type ResolvedLatencyConfig = Required<LatencyConfig>;

/** Defaults of {@link LatencyConfig}. */
export const LATENCY_DEFAULTS: Readonly<ResolvedLatencyConfig> = Object.freeze({
  quantile: 0.95,
  alpha: 0.01,
  minRatio: 1.25,
  criticalRatio: 2,
  maxMs: null,
  minRuns: 20,
  calibrationK: DEFAULT_CALIBRATION_K,
});

/** Applies defaults and validates; the error names the detector and the field. */
export function resolveLatencyConfig(config: LatencyConfig = {}, path = 'latency'): ResolvedLatencyConfig {
  const c = { ...LATENCY_DEFAULTS, ...config };
  requireOpenUnit(path, 'quantile', c.quantile);
  requireOpenUnit(path, 'alpha', c.alpha);
  if (!(c.minRatio >= 1)) throw new RangeError(`${path}: minRatio must be ≥ 1, got ${c.minRatio}`);
  if (!(c.criticalRatio >= c.minRatio))
    throw new RangeError(`${path}: criticalRatio must be ≥ minRatio, got ${c.criticalRatio}`);
  if (c.maxMs !== null && !(c.maxMs > 0))
    throw new RangeError(`${path}: maxMs must be > 0 or null, got ${c.maxMs}`);
  requireWholeAtLeast(path, 'minRuns', c.minRuns, 1);
  return c;
}

/** Statistic name of the judged quantile: `p95`, `p99`, `p50`. */
export function quantileName(q: number): string {
  return `p${Number((q * 100).toFixed(1))}`;
}

/** Quantile of run durations against the reference windows' and an optional absolute limit. */
export function createLatencyDetector(config: LatencyConfig = {}): Detector {
  const c = resolveLatencyConfig(config);
  const statistic = quantileName(c.quantile);
  return {
    id: 'latency',
    detect(reference: Reference, current: WindowData): Candidate[] {
      const durations = current.durationMs;
      if (durations === undefined || durations.sketch.count < c.minRuns) return [];
      const m = durations.sketch.count;
      const value = durations.sketch.quantile(c.quantile);
      const buckets = durations.sketch.buckets();
      const surelyAbove = (limit: number): number =>
        buckets.reduce((s, b) => s + (b.lower > limit ? b.count : 0), 0);
      const pAbove = (limit: number): number => binomialUpperTail(surelyAbove(limit), m, 1 - c.quantile);
      const calibration = reference.calibration.get(calibrationKey('latency', '', statistic));
      const band = calibratedThreshold(reference, 'latency', '', statistic, c.calibrationK);
      const baseline =
        band !== undefined && calibration !== undefined && calibration.mean > 0
          ? calibration.mean
          : undefined;
      let anomalous = false;
      let threshold = Number.NaN;
      let pValue: number | undefined;
      let ratio = Number.NaN;
      if (baseline !== undefined && band !== undefined) {
        ratio = value / baseline;
        threshold = Math.max(baseline * c.minRatio, band);
        pValue = pAbove(baseline);
        anomalous = value >= threshold && pValue < c.alpha;
      }
      if (c.maxMs !== null) {
        const pMax = pAbove(c.maxMs);
        if (value > c.maxMs && pMax < c.alpha) anomalous = true;
        if (baseline === undefined) {
          threshold = c.maxMs;
          pValue = pMax;
          ratio = value / c.maxMs;
        } else {
          threshold = Math.min(threshold, c.maxMs);
        }
      }
      return [
        {
          feature: '',
          statistic,
          value,
          threshold,
          ...(pValue !== undefined ? { pValue } : {}),
          effectSize: Number.isFinite(ratio) ? ratio : 0,
          anomalous,
          severity: severityOf(anomalous, ratio, c.criticalRatio),
          referenceCount: calibration?.windows ?? 0,
          currentCount: m,
          message: `${statistic} run duration ${fmt(value)} ms vs threshold ${fmt(threshold)} ms${baseline !== undefined ? ` (reference ${fmt(baseline)} ms)` : ''}`,
          details: { baselineMs: baseline, band, maxMs: c.maxMs },
        },
      ];
    },
  };
}
