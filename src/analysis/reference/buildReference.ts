/**
 * Builds a {@link Reference} from reference windows: merged summaries, a learned schema,
 * rows-per-window spread, performance where labels were joined, and per-detector
 * calibration. Calibration is leave-one-out: each reference window is judged by every
 * detector against the merge of the other reference windows, and the mean and standard
 * deviation of each statistic are kept, so a detector can tell a normal window-to-window
 * wobble from a real shift (NannyML-style thresholds).
 */
import type {
  Calibration,
  Detector,
  FeatureSchema,
  JoinedOutcomes,
  Reference,
  RunProfile,
  WindowData,
} from '../detectors/detector.js';
import { classificationMetrics, regressionMetrics } from '../stats/performanceMetrics.js';
import { mergeNumeric, mergeWindows } from '../windows/merge.js';
import { learnSchema } from './schema.js';

/** Key of a calibration entry: `detector/feature/statistic`. */
export function calibrationKey(detector: string, feature: string, statistic: string): string {
  return `${detector}/${feature}/${statistic}`;
}

/** Mean, sample standard deviation and count of some values. */
export function spread(values: readonly number[]): Calibration {
  const n = values.length;
  if (n === 0) return { mean: 0, sd: 0, windows: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const ss = values.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, windows: n };
}

/**
 * Performance of joined outcomes, keyed as the performance detector reads it: accuracy and
 * macro precision/recall/F1 (classification) or MAE and RMSE (regression), plus `count`.
 * AUC is left to the detector, which knows the configured positive class.
 */
export function performanceOf(o: JoinedOutcomes | undefined): Record<string, number> | undefined {
  if (o === undefined || o.scores.length === 0) return undefined;
  if (o.task === 'classification') {
    const m = classificationMetrics(o.predictedClasses, o.labelClasses);
    if (m.n === 0) return undefined;
    return {
      accuracy: m.accuracy.value,
      macro_precision: m.macroPrecision.value,
      macro_recall: m.macroRecall.value,
      macro_f1: m.macroF1.value,
      count: m.n,
    };
  }
  const m = regressionMetrics(o.scores, o.labelValues);
  return m.n === 0 ? undefined : { mae: m.mae.value, rmse: m.rmse.value, count: m.n };
}

/** Inputs to {@link buildReference}. */
export interface BuildReferenceInput {
  /** Where the windows came from. */
  source: Reference['source'];
  /** Reference windows, oldest first (at least one). */
  windows: readonly WindowData[];
  /** Detectors to calibrate; none means no calibration. */
  detectors: readonly Detector[];
  /** Schema overrides (profile, then user: later wins). */
  schemaOverrides?: (ReadonlyMap<string, Partial<FeatureSchema>> | undefined)[];
  /** Use these merged summaries instead of merging the windows (a profile's totals). */
  merged?: Pick<WindowData, 'features' | 'predictions'>;
  /** Called with each detector failure during calibration (the detector is skipped for that window). */
  onDetectorError?: (detector: string, err: unknown) => void;
}

function plainReference(
  source: Reference['source'],
  merged: Pick<WindowData, 'features' | 'predictions' | 'outcomes'>,
  windows: readonly WindowData[],
  overrides: BuildReferenceInput['schemaOverrides'],
): Reference {
  const rows = windows.map((w) => w.rows);
  const perf = performanceOf(merged.outcomes);
  const runs = windows.reduce((n, w) => n + w.runs, 0);
  return {
    source,
    features: merged.features,
    predictions: merged.predictions,
    schema: learnSchema(merged.features, ...(overrides ?? [])),
    rowsPerWindow: rows.length > 0 ? spread(rows) : undefined,
    ...(runs > 0 ? { runs: runProfile(windows) } : {}),
    calibration: new Map(),
    ...(perf ? { performance: perf } : {}),
  };
}

/** Every run of the windows as one profile (durations merged, not averaged per window). */
export function runProfile(windows: readonly WindowData[]): RunProfile {
  let durationMs: RunProfile['durationMs'];
  let runs = 0;
  let errorRuns = 0;
  for (const w of windows) {
    runs += w.runs;
    errorRuns += Math.min(w.errorRuns, w.runs);
    durationMs = mergeNumeric(durationMs, w.durationMs);
  }
  return { runs, errorRuns, durationMs, windows: windows.length };
}

/** Builds the reference, calibrated leave-one-out when there are at least 3 windows. */
export function buildReference(input: BuildReferenceInput): Reference {
  const { windows, detectors } = input;
  if (windows.length === 0) throw new RangeError('buildReference needs at least one window');
  const all = mergeWindows(windows, 0);
  const merged = input.merged ? { ...input.merged, outcomes: all.outcomes } : all;
  const ref = plainReference(input.source, merged, windows, input.schemaOverrides);
  const n = windows.length;
  if (n < 3 || detectors.length === 0) return ref;
  // prefix[i] = merge of windows[0..i), suffix[i] = merge of windows[i..n): each leave-one-out
  // rest is one more merge, so calibration costs O(n) merges instead of O(n²).
  const prefix: (WindowData | undefined)[] = [undefined];
  for (let i = 0; i < n; i++)
    prefix.push(mergeWindows(prefix[i] ? [prefix[i]!, windows[i]!] : [windows[i]!], 0));
  const suffix: (WindowData | undefined)[] = new Array(n + 1).fill(undefined);
  for (let i = n - 1; i >= 0; i--)
    suffix[i] = mergeWindows(suffix[i + 1] ? [windows[i]!, suffix[i + 1]!] : [windows[i]!], 0);
  const values = new Map<string, number[]>();
  const noises = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const parts = [prefix[i], suffix[i + 1]].filter((w): w is WindowData => w !== undefined);
    const rest = mergeWindows(parts, 0);
    const restRef = plainReference(
      input.source,
      rest,
      windows.filter((_, j) => j !== i),
      input.schemaOverrides,
    );
    for (const d of detectors) {
      try {
        for (const c of d.detect(restRef, windows[i]!)) {
          if (!Number.isFinite(c.value)) continue;
          const key = calibrationKey(d.id, c.feature, c.statistic);
          let list = values.get(key);
          if (!list) {
            list = [];
            values.set(key, list);
          }
          list.push(c.value);
          if (c.referenceCount > 0 && c.currentCount > 0) {
            let noise = noises.get(key);
            if (!noise) {
              noise = [];
              noises.set(key, noise);
            }
            noise.push(1 / c.referenceCount + 1 / c.currentCount);
          }
        }
      } catch (err) {
        input.onDetectorError?.(d.id, err);
      }
    }
  }
  for (const [key, list] of values) {
    const c = spread(list);
    const noise = noises.get(key);
    // Only when every window had counts: a mean over some of them would misstate the sizes.
    if (noise !== undefined && noise.length === list.length)
      c.noise = noise.reduce((a, b) => a + b, 0) / noise.length;
    ref.calibration.set(key, c);
  }
  return ref;
}
