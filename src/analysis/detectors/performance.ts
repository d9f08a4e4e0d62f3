/**
 * Real model performance once delayed labels are joined: accuracy, macro precision, recall
 * and F1, and AUC (Mann–Whitney, binary) for classification; MAE and RMSE for regression.
 *
 * Each metric is compared with the reference's value (`Reference.performance[metric]`)
 * minus a tolerance, or with an absolute floor from config when the reference has none,
 * and with the calibrated band of the reference windows when kept. A metric alarms only
 * when its whole one-sided confidence bound is on the wrong side of the threshold: with 12
 * labels an accuracy of 0.7 has a 99% upper bound near 0.95 and says nothing. Accuracy
 * uses Wilson's bound and an exact binomial p-value; the others a normal bound with the
 * standard errors of `performanceMetrics.ts` (jackknife, Hanley–McNeil, delta method).
 */
import { binomialCdf } from '../stats/beta.js';
import { normalCdf, normalQuantile, normalSurvival } from '../stats/normal.js';
import {
  classificationMetrics,
  type Estimate,
  mannWhitneyAuc,
  regressionMetrics,
} from '../stats/performanceMetrics.js';
import { wilsonInterval } from '../stats/proportions.js';
import { requireOpenUnit, requirePositive, requireWholeAtLeast } from './configChecks.js';
import type { Candidate, Detector, JoinedOutcomes, Reference, WindowData } from './detector.js';
import { calibratedThreshold, DEFAULT_CALIBRATION_K, fmt, severityOf } from './thresholds.js';

/** Metrics where higher is better. */
export type QualityMetric = 'accuracy' | 'macro_precision' | 'macro_recall' | 'macro_f1' | 'auc';
/** Metrics where lower is better. */
export type ErrorMetric = 'mae' | 'rmse';

/** Configuration of {@link createPerformanceDetector}; every field has a documented default. */
export interface PerformanceConfig {
  /** Raw significance level; the confidence bound is one-sided at 1 − alpha. Default 0.01. */
  alpha?: number;
  /** Tolerated absolute drop of a quality metric below the reference. Default 0.05. */
  maxDrop?: number;
  /** Drop from which a finding is critical. Default 0.15. */
  criticalDrop?: number;
  /** Tolerated relative rise of an error metric above the reference. Default 0.1 (10%). */
  maxIncrease?: number;
  /** Relative rise from which a finding is critical. Default 0.5. */
  criticalIncrease?: number;
  /** Absolute floors of quality metrics, used when the reference has no value. Default none. */
  minimums?: Partial<Record<QualityMetric, number>>;
  /** Absolute ceilings of error metrics, used when the reference has no value. Default none. */
  maximums?: Partial<Record<ErrorMetric, number>>;
  /** Positive class for AUC. Default: `1`, `true` or `positive` when present, else the last class in sort order. */
  positiveClass?: string | null;
  /** Fewest joined labels in the window. Default 30. */
  minLabels?: number;
  /** k of calibrated bands. Default 3. */
  calibrationK?: number;
}

/** {@link PerformanceConfig} with defaults applied. */
export type ResolvedPerformanceConfig = Required<PerformanceConfig>;

/** Defaults of {@link PerformanceConfig}. */
export const PERFORMANCE_DEFAULTS: Readonly<ResolvedPerformanceConfig> = Object.freeze({
  alpha: 0.01,
  maxDrop: 0.05,
  criticalDrop: 0.15,
  maxIncrease: 0.1,
  criticalIncrease: 0.5,
  minimums: {},
  maximums: {},
  positiveClass: null,
  minLabels: 30,
  calibrationK: DEFAULT_CALIBRATION_K,
});

/** Applies defaults and validates; the error names the detector and the field. */
export function resolvePerformanceConfig(
  config: PerformanceConfig = {},
  path = 'performance',
): ResolvedPerformanceConfig {
  const c = { ...PERFORMANCE_DEFAULTS, ...config };
  requireOpenUnit(path, 'alpha', c.alpha);
  for (const key of ['maxDrop', 'criticalDrop', 'maxIncrease', 'criticalIncrease'] as const) {
    requirePositive(path, key, c[key]);
  }
  for (const [name, v] of Object.entries(c.minimums)) {
    if (!(typeof v === 'number' && v >= 0 && v <= 1))
      throw new RangeError(`${path}: minimums::${name} must be in [0, 1], got ${v}`);
  }
  for (const [name, v] of Object.entries(c.maximums)) {
    if (!(typeof v === 'number' && v > 0))
      throw new RangeError(`${path}: maximums::${name} must be > 0, got ${v}`);
  }
  requireWholeAtLeast(path, 'minLabels', c.minLabels, 2);
  return c;
}

function positiveOf(labels: readonly string[], configured: string | null): string | undefined {
  const classes = [...new Set(labels)].sort();
  if (classes.length !== 2) return undefined;
  if (configured !== null) return classes.includes(configured) ? configured : undefined;
  return ['1', 'true', 'positive'].find((c) => classes.includes(c)) ?? classes[1];
}

interface Judged {
  metric: string;
  estimate: Estimate;
  higherIsBetter: boolean;
  /** Exact bounds and p-value for accuracy; normal ones otherwise. */
  accuracy?: { correct: number; n: number };
}

function judge(j: Judged, reference: Reference, c: ResolvedPerformanceConfig, n: number): Candidate {
  const { metric, estimate, higherIsBetter } = j;
  const z = normalQuantile(1 - c.alpha);
  const refValue = reference.performance?.[metric];
  const absolute = higherIsBetter ? c.minimums[metric as QualityMetric] : c.maximums[metric as ErrorMetric];
  const band = calibratedThreshold(
    reference,
    'performance',
    '',
    metric,
    c.calibrationK,
    higherIsBetter ? 'below' : 'above',
  );
  let threshold: number | undefined;
  if (refValue !== undefined && Number.isFinite(refValue))
    threshold = higherIsBetter ? refValue - c.maxDrop : refValue * (1 + c.maxIncrease);
  else if (absolute !== undefined) threshold = absolute;
  if (band !== undefined)
    threshold =
      threshold === undefined ? band : higherIsBetter ? Math.min(threshold, band) : Math.max(threshold, band);
  const v = estimate.value;
  let anomalous = false;
  let pValue: number | undefined;
  let bound = Number.NaN;
  if (threshold !== undefined && Number.isFinite(v)) {
    if (j.accuracy) {
      bound = wilsonInterval(j.accuracy.correct, j.accuracy.n, z).upper;
      pValue = binomialCdf(j.accuracy.correct, j.accuracy.n, Math.min(1, Math.max(0, threshold)));
    } else if (estimate.se > 0) {
      bound = higherIsBetter ? v + z * estimate.se : v - z * estimate.se;
      const t = (v - threshold) / estimate.se;
      pValue = higherIsBetter ? normalCdf(t) : normalSurvival(t);
    }
    anomalous = Number.isFinite(bound) && (higherIsBetter ? bound < threshold : bound > threshold);
  }
  const base = refValue ?? absolute;
  const effect = base === undefined ? 0 : higherIsBetter ? base - v : base > 0 ? v / base - 1 : 0;
  return {
    feature: '',
    statistic: metric,
    value: v,
    threshold: threshold ?? Number.NaN,
    ...(pValue !== undefined ? { pValue } : {}),
    effectSize: effect,
    anomalous,
    severity: severityOf(anomalous, effect, higherIsBetter ? c.criticalDrop : c.criticalIncrease),
    referenceCount: reference.performance?.count ?? 0,
    currentCount: n,
    message: `${metric} ${fmt(v)} on ${n} labels (${higherIsBetter ? 'upper' : 'lower'} bound ${fmt(bound)}) vs threshold ${threshold === undefined ? 'none' : fmt(threshold)}`,
    details: { reference: refValue, bound, se: estimate.se, band },
  };
}

function classification(o: JoinedOutcomes, reference: Reference, c: ResolvedPerformanceConfig): Candidate[] {
  const metrics = classificationMetrics(o.predictedClasses, o.labelClasses);
  if (metrics.n < c.minLabels) return [];
  const judged: Judged[] = [
    {
      metric: 'accuracy',
      estimate: metrics.accuracy,
      higherIsBetter: true,
      accuracy: { correct: metrics.correct, n: metrics.n },
    },
    { metric: 'macro_precision', estimate: metrics.macroPrecision, higherIsBetter: true },
    { metric: 'macro_recall', estimate: metrics.macroRecall, higherIsBetter: true },
    { metric: 'macro_f1', estimate: metrics.macroF1, higherIsBetter: true },
  ];
  const positive = positiveOf(o.labelClasses, c.positiveClass);
  if (positive !== undefined && o.scores.length === o.labelClasses.length) {
    const auc = mannWhitneyAuc(
      o.scores,
      o.labelClasses.map((l) => l === positive),
    );
    if (Number.isFinite(auc.value)) judged.push({ metric: 'auc', estimate: auc, higherIsBetter: true });
  }
  return judged.map((j) => judge(j, reference, c, metrics.n));
}

function regression(o: JoinedOutcomes, reference: Reference, c: ResolvedPerformanceConfig): Candidate[] {
  const metrics = regressionMetrics(o.scores, o.labelValues);
  if (metrics.n < c.minLabels) return [];
  return [
    judge({ metric: 'mae', estimate: metrics.mae, higherIsBetter: false }, reference, c, metrics.n),
    judge({ metric: 'rmse', estimate: metrics.rmse, higherIsBetter: false }, reference, c, metrics.n),
  ];
}

/** Performance on label-joined outcomes of the window against the reference's. */
export function createPerformanceDetector(config: PerformanceConfig = {}): Detector {
  const c = resolvePerformanceConfig(config);
  return {
    id: 'performance',
    detect(reference: Reference, current: WindowData): Candidate[] {
      const o = current.outcomes;
      if (o === undefined) return [];
      return o.task === 'classification' ? classification(o, reference, c) : regression(o, reference, c);
    },
  };
}
