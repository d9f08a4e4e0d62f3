/**
 * Shared decision helpers of the detectors: calibrated thresholds from the reference's own
 * window-to-window spread, severity from an effect size, and counts of a feature summary.
 */
import type { Severity } from '../../model/finding.js';
import type { FeatureSummary, NumericSummary } from '../../summaries/index.js';
import { calibrationKey } from '../reference/buildReference.js';
import type { Calibration, Reference } from './detector.js';

/** Default k of calibrated thresholds: anomalous above mean + 3·sd of the reference windows. */
export const DEFAULT_CALIBRATION_K = 3;

/**
 * How a statistic's null spread grows with sampling noise ε = 1/n + 1/m: a `distance`
 * (KS, Jensen–Shannon distance, normalized Wasserstein) with √ε, a `divergence` (PSI, a
 * chi-square per row) with ε, a `level` (a rate whose mean is the reference's own) only in
 * its spread, with √ε.
 */
export type NoiseOrder = 'distance' | 'divergence' | 'level';

/** The sizes a statistic is judged at, to rescale a calibration made at other sizes. */
export interface JudgedSizes {
  /** Reference-side count. */
  n: number;
  /** Current-side count (its effective size when rows repeat). */
  m: number;
  /** How the statistic's spread scales with the sampling noise. */
  order: NoiseOrder;
}

/**
 * Factor f ≤ 1 by which the sampling noise of a comparison at `sizes` is below the noise of
 * the calibration comparisons (reference segments against the rest). Segments of a small
 * reference are smaller than a large window, so their statistics wobble more than the
 * window's can under no change; their spread then over-states the window's and hides real
 * shifts (a 2 000-row reference has 200-row segments against 1 000-row windows). Scaled
 * down, never up: when the window is the smaller side, its own test's p-value already
 * carries its larger noise and the unscaled band only adds the reference's own wobble.
 */
export function noiseFactor(c: Calibration, sizes: JudgedSizes | undefined): number {
  if (sizes === undefined || c.noise === undefined || !(c.noise > 0)) return 1;
  if (!(sizes.n > 0 && sizes.m > 0)) return 1;
  return Math.min(1, (1 / sizes.n + 1 / sizes.m) / c.noise);
}

/**
 * Calibrated threshold for a statistic, or undefined when the reference kept no windows for
 * it. Two windows are the least that give a spread; with fewer the statistic is judged on
 * its floor and significance alone. With `sizes`, the band is rescaled from the calibration
 * windows' sampling noise to the judged window's (see {@link noiseFactor}).
 */
export function calibratedThreshold(
  reference: Reference,
  detector: string,
  feature: string,
  statistic: string,
  k: number,
  direction: 'above' | 'below' = 'above',
  sizes?: JudgedSizes,
): number | undefined {
  const c = reference.calibration.get(calibrationKey(detector, feature, statistic));
  if (c === undefined || c.windows < 2 || !Number.isFinite(c.mean) || !Number.isFinite(c.sd))
    return undefined;
  const f = noiseFactor(c, sizes);
  const sign = direction === 'above' ? 1 : -1;
  if (f >= 1 || sizes === undefined) return c.mean + sign * k * c.sd;
  if (sizes.order === 'level') return c.mean + sign * k * c.sd * Math.sqrt(f);
  const scale = sizes.order === 'divergence' ? f : Math.sqrt(f);
  return (c.mean + sign * k * c.sd) * scale;
}

/** `critical` at or beyond the critical effect, `warning` otherwise; `info` when not anomalous. */
export function severityOf(anomalous: boolean, effect: number, critical: number): Severity {
  if (!anomalous) return 'info';
  return effect >= critical ? 'critical' : 'warning';
}

/**
 * Severity scaled from the threshold the finding was actually judged against: `critical` once
 * the value reaches `threshold · critical / floor`. A calibrated threshold above the floor thus
 * raises the critical point with it, so a finding is never critical merely for passing a
 * threshold that calibration had already moved past the fixed critical value.
 */
export function scaledSeverity(
  anomalous: boolean,
  value: number,
  threshold: number,
  floor: number,
  critical: number,
): Severity {
  if (!anomalous) return 'info';
  const ratio = floor > 0 && critical > floor ? critical / floor : 1;
  return value >= Math.max(threshold, floor) * ratio ? 'critical' : 'warning';
}

/** A p-value for people: "p < 1e-300" where floating point runs out, else 3 significant digits. */
export function fmtP(p: number): string {
  return p < 1e-300 ? 'p < 1e-300' : `p = ${fmt(p)}`;
}

/** Every value the summary saw, including nulls, invalid and infinite values. */
export function totalCount(s: FeatureSummary): number {
  return s.count + s.nullCount + s.invalidCount + (s.kind === 'numeric' ? s.infiniteCount : 0);
}

/**
 * The numeric view of a summary that drift can be measured on: the values of a numeric
 * feature, the lengths of a text feature, the L2 norms of a vector feature.
 */
export function numericView(
  s: FeatureSummary,
): { summary: NumericSummary; view: 'value' | 'length' | 'norm' } | undefined {
  if (s.kind === 'numeric') return { summary: s, view: 'value' };
  if (s.kind === 'text') return { summary: s.length, view: 'length' };
  if (s.kind === 'vector') return { summary: s.norm, view: 'norm' };
  return undefined;
}

/** Rounds for messages: 3 significant digits, no exponent noise for ordinary values. */
export function fmt(x: number): string {
  if (!Number.isFinite(x) || x === 0) return String(x);
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? String(Number(x.toPrecision(3))) : x.toExponential(2);
}

/**
 * Weight of the data-quality detectors' hypotheses (schema, missing_rate) in the window's
 * weighted correction, relative to the drift detectors' 1. Their breaks (a unit change, half
 * the values null, a stuck feature) come with p-values of 10⁻⁶ and below, which a quarter of
 * the budget still passes; the drift detectors' subtle shifts get the rest.
 */
export const DATA_QUALITY_WEIGHT = 0.25;
