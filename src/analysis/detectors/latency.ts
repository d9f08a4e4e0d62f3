/**
 * Latency of component runs: did the chosen quantile (p95 by default) of `durationMs` rise?
 * A slow feature store or a model that fell back to CPU shows here before anywhere else.
 *
 * The reference p95 is the mean of the p95 across reference windows (calibration key
 * `latency//p95`, kept by the engine); the band is mean + k·sd of those windows. The test
 * counts current runs surely slower than the reference p95 (sketch buckets entirely above
 * it: a lower bound, so sketch error cannot raise an alarm) against Binomial(m, 1 − q),
 * the count expected if the p95 had not moved. An absolute `maxMs` works without reference.
 *
 * Below `minRuns` runs (a batch stage that runs once or a few times a window) a per-window
 * quantile means nothing, so the window's runs are judged against every reference run
 * instead (`Reference.runs`). Log-durations of the R reference runs give a predictive law for
 * one more run (Student t with R − 1 degrees of freedom: a small reference widens it), and a
 * run counts as slow when it is surely above both `minRatio` × the slowest reference run (the
 * effect floor) and the level that law leaves a tail of only `tailAllowance` above. Under
 * "nothing changed" a run is that slow with probability at most π = (the law's tail there) +
 * `tailAllowance` (room for the rare outlier no fit foresees). The slow runs among the current window's and the previous
 * `consecutiveWindows − 1` windows' runs are tested against Binomial(runs, π), so one slow
 * run is evidence and the same slow stage in the next window makes it strong. The finding
 * needs a slow run in the current window, so it stops when the stage recovers.
 */

import { calibrationKey } from '../reference/buildReference.js';
import { binomialUpperTail, studentTSurvival, studentTUpperQuantile } from '../stats/beta.js';
import { MAX_PREVIOUS_RUN_WINDOWS } from '../windows/StreamWindows.js';
import { requireOpenUnit, requirePositive, requireWholeAtLeast } from './configChecks.js';
import type { Candidate, Detector, Reference, WindowData } from './detector.js';
import { evidenceWindows, logSpread, surelyAbove } from './runEvidence.js';
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
  /** Fewest runs in the window for the quantile test; fewer runs take the few-run path. Default 20. */
  minRuns?: number;
  /** k of the calibrated band. Default 3. */
  calibrationK?: number;
  /** Windows judged together on the few-run path (this one and the previous ones with runs). Default 2. */
  consecutiveWindows?: number;
  /** Share of clean runs allowed beyond the reference's log-normal fit on the few-run path. Default 0.005. */
  tailAllowance?: number;
  /** Fewest reference runs the few-run path needs. Default 3. */
  minReferenceRuns?: number;
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
  consecutiveWindows: 2,
  tailAllowance: 0.005,
  minReferenceRuns: 3,
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
  requirePositive(path, 'calibrationK', c.calibrationK);
  requireWholeAtLeast(path, 'consecutiveWindows', c.consecutiveWindows, 1);
  if (c.consecutiveWindows > MAX_PREVIOUS_RUN_WINDOWS + 1)
    throw new RangeError(
      `${path}: consecutiveWindows must be ≤ ${MAX_PREVIOUS_RUN_WINDOWS + 1}, got ${c.consecutiveWindows}`,
    );
  requireOpenUnit(path, 'tailAllowance', c.tailAllowance);
  requireWholeAtLeast(path, 'minReferenceRuns', c.minReferenceRuns, 2);
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
      if (durations === undefined || durations.sketch.count === 0) return [];
      if (durations.sketch.count < c.minRuns) return fewRuns(c, reference, current);
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
          severity: severityOf(anomalous, value / threshold, c.criticalRatio / c.minRatio),
          referenceCount: calibration?.windows ?? 0,
          currentCount: m,
          message: `${statistic} run duration ${fmt(value)} ms vs threshold ${fmt(threshold)} ms${baseline !== undefined ? ` (reference ${fmt(baseline)} ms)` : ''}`,
          details: { baselineMs: baseline, band, maxMs: c.maxMs },
        },
      ];
    },
  };
}

/** Smallest excess over the slowest reference run that can count as slow, ms. */
const CLOCK_RESOLUTION_MS = 1;

/** Statistic of the few-run path: the slowest run of the window, ms. */
export const SLOWEST_RUN = 'slowest_run';

/** The few-run path: the window's runs (and the previous windows') against every reference run. */
function fewRuns(c: ResolvedLatencyConfig, reference: Reference, current: WindowData): Candidate[] {
  const now = current.durationMs!;
  const slowest = now.max;
  const ref = reference.runs?.durationMs;
  const overLimit = c.maxMs !== null && slowest > c.maxMs;
  if (ref === undefined || ref.count < c.minReferenceRuns) {
    if (c.maxMs === null) return [];
    // An absolute limit is a rule, not a sample: no p-value, so no correction can drop it.
    return [
      {
        feature: '',
        statistic: SLOWEST_RUN,
        value: slowest,
        threshold: c.maxMs,
        effectSize: slowest / c.maxMs,
        anomalous: overLimit,
        severity: severityOf(overLimit, slowest / c.maxMs, c.criticalRatio / c.minRatio),
        referenceCount: 0,
        currentCount: now.count,
        message: `slowest of ${now.count} runs took ${fmt(slowest)} ms vs limit ${fmt(c.maxMs)} ms`,
        details: { maxMs: c.maxMs, path: 'few_runs' },
      },
    ];
  }
  const r = ref.count;
  const refMax = ref.max;
  const refMedian = ref.quantile(0.5);
  const refP95 = ref.quantile(0.95);
  const fit = logSpread(ref);
  const scale = fit.sd * Math.sqrt(1 + 1 / r);
  const limit = Math.max(
    c.minRatio * refMax,
    // Span clocks often tick in whole milliseconds: a stage that took 0 ms is not slow at 1 ms.
    refMax + CLOCK_RESOLUTION_MS,
    scale > 0 ? Math.exp(fit.mean + studentTUpperQuantile(c.tailAllowance, r - 1) * scale) : 0,
  );
  const tail = scale > 0 ? studentTSurvival((Math.log(limit) - fit.mean) / scale, r - 1) : 0;
  const perRun = Math.min(1, tail + c.tailAllowance);
  const windows = evidenceWindows(current, c.consecutiveWindows, c.minRuns);
  let runs = 0;
  let slow = 0;
  for (const w of windows) {
    runs += w.durationMs?.count ?? 0;
    slow += surelyAbove(w.durationMs, limit);
  }
  const slowNow = surelyAbove(now, limit);
  const pValue = binomialUpperTail(slow, runs, perRun);
  const ratio = refP95 > 0 ? slowest / refP95 : Number.POSITIVE_INFINITY;
  let anomalous = slowNow >= 1 && pValue < c.alpha;
  let threshold = limit;
  if (c.maxMs !== null) {
    anomalous ||= overLimit;
    threshold = Math.min(threshold, c.maxMs);
  }
  return [
    {
      feature: '',
      statistic: SLOWEST_RUN,
      value: slowest,
      threshold,
      // With a limit crossed the rule decides, and a p-value would let the correction drop it.
      ...(overLimit ? {} : { pValue }),
      effectSize: Number.isFinite(ratio) ? ratio : slowest,
      anomalous,
      severity: severityOf(anomalous, slowest / threshold, c.criticalRatio / c.minRatio),
      referenceCount: r,
      currentCount: now.count,
      message:
        `slowest of ${now.count} run${now.count === 1 ? '' : 's'} took ${fmt(slowest)} ms, ` +
        `${fmt(ratio)}× the reference p95 of ${fmt(refP95)} ms; ${slow} of ${runs} runs over ` +
        `${windows.length} window${windows.length === 1 ? '' : 's'} above ${fmt(limit)} ms ` +
        `(the slowest of ${r} reference runs took ${fmt(refMax)} ms)`,
      details: {
        path: 'few_runs',
        referenceRuns: r,
        referenceMedianMs: refMedian,
        referenceP95Ms: refP95,
        referenceMaxMs: refMax,
        slowRuns: slow,
        slowRunsNow: slowNow,
        evidenceRuns: runs,
        evidenceWindows: windows.length,
        slowRunProbability: perRun,
        maxMs: c.maxMs,
      },
    },
  ];
}
