/**
 * Shared pieces of the few-run paths of `latency` and `error_rate`: which windows' runs are
 * judged together, and the reference's run durations on a log scale. Batch stages run once
 * or a few times a window, so one window alone rarely holds enough runs to be significant;
 * the current window plus the stream's previous windows with runs (handed over by the windows
 * as `previousRuns`, so detectors stay pure) make consecutive slow or failed runs add up.
 */
import type { NumericSummary } from '../../summaries/index.js';
import type { RunWindow, WindowData } from './detector.js';

/** Durations are floored here before taking logs: a 0 ms run has no log. */
const MIN_DURATION_MS = 1e-3;

/**
 * The current window's runs first, then up to `windows − 1` earlier windows' runs, stopping
 * at an earlier window with `minRuns` runs or more: that one was judged on its own, and its
 * many runs would drown the few of this window.
 */
export function evidenceWindows(current: WindowData, windows: number, minRuns: number): RunWindow[] {
  const own: RunWindow = {
    startMs: current.startMs,
    endMs: current.endMs,
    runs: current.runs,
    errorRuns: Math.min(current.errorRuns, current.runs),
    durationMs: current.durationMs,
  };
  const out = [own];
  for (const w of current.previousRuns ?? []) {
    if (out.length >= windows || w.runs >= minRuns) break;
    out.push(w);
  }
  return out;
}

/** Mean and sample standard deviation of ln(duration) over a summary's sketch buckets. */
export function logSpread(s: NumericSummary): { mean: number; sd: number; n: number } {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (const b of s.sketch.buckets()) {
    // A bucket's geometric middle is within the sketch's relative accuracy of every value in it.
    const lo = Math.max(MIN_DURATION_MS, s.min, b.lower);
    const hi = Math.max(lo, Math.min(s.max, b.upper));
    const v = Math.log(Math.sqrt(lo * hi));
    n += b.count;
    sum += b.count * v;
    sumSq += b.count * v * v;
  }
  if (n === 0) return { mean: Number.NaN, sd: Number.NaN, n: 0 };
  const mean = sum / n;
  const sd = n > 1 ? Math.sqrt(Math.max(0, (sumSq - n * mean * mean) / (n - 1))) : 0;
  return { mean, sd, n };
}

/** Runs surely slower than `limit`: whole sketch buckets above it (a lower bound, never more). */
export function surelyAbove(s: NumericSummary | undefined, limit: number): number {
  if (s === undefined || s.count === 0 || !(s.max > limit)) return 0;
  let n = 0;
  for (const b of s.sketch.buckets()) if (b.lower > limit) n += b.count;
  // The maximum is exact: a window whose slowest run is above the limit has at least one there.
  return Math.max(n, 1);
}
