/**
 * Merging of per-feature summaries and whole windows. Everything here is pure over
 * mergeable sketches, which is what lets panes roll up into sliding windows and reference
 * windows into one reference without rereading any data.
 */

import type { StreamKey } from '../../model/finding.js';
import {
  type FeatureSummary,
  mergeFeature,
  mergeFeatureInto,
  type NumericSummary,
} from '../../summaries/index.js';
import type { JoinedOutcomes, WindowData } from '../detectors/detector.js';

/** Most label-joined outcomes kept per window; beyond it outcomes are sampled away (counted by callers). */
export const MAX_OUTCOMES_PER_WINDOW = 100_000;

/**
 * Merges `from` into `into` (replacing entries by new merged summaries, or, for summaries in
 * `owned`, merging in place). Only names `allow` admits are merged. A feature whose kind
 * differs keeps the summary already there; the number of such conflicts is returned so the
 * caller can count a schema change it could not merge.
 */
export function mergeFeatureMaps(
  into: Map<string, FeatureSummary>,
  from: ReadonlyMap<string, FeatureSummary>,
  owned?: Set<FeatureSummary>,
  allow?: (name: string) => boolean,
): number {
  let conflicts = 0;
  for (const [name, s] of from) {
    if (allow !== undefined && !allow(name)) continue;
    const prev = into.get(name);
    if (prev === undefined) into.set(name, s);
    else if (prev.kind !== s.kind) conflicts++;
    else {
      try {
        // A summary this map's owner made itself may change in place; one it was handed may
        // not (the caller still holds it), so the first merge copies and the copy is owned.
        const merged = owned?.has(prev) ? mergeFeatureInto(prev, s) : mergeFeature(prev, s);
        if (merged !== prev) {
          into.set(name, merged);
          if (owned !== undefined) {
            owned.delete(prev);
            owned.add(merged);
          }
        }
      } catch {
        conflicts++;
      }
    }
  }
  return conflicts;
}

/** Merges two optional numeric summaries. */
export function mergeNumeric(
  a: NumericSummary | undefined,
  b: NumericSummary | undefined,
): NumericSummary | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  try {
    return mergeFeature(a, b) as NumericSummary;
  } catch {
    return a;
  }
}

/** Appends outcomes, keeping at most {@link MAX_OUTCOMES_PER_WINDOW}; returns how many were dropped. */
export function mergeOutcomes(into: JoinedOutcomes, from: JoinedOutcomes): number {
  const room = Math.max(0, MAX_OUTCOMES_PER_WINDOW - into.scores.length);
  const n = from.scores.length;
  const take = Math.min(room, n);
  for (let i = 0; i < take; i++) {
    into.predictedClasses.push(from.predictedClasses[i] ?? '');
    into.scores.push(from.scores[i] ?? Number.NaN);
    into.labelClasses.push(from.labelClasses[i] ?? '');
    into.labelValues.push(from.labelValues[i] ?? Number.NaN);
  }
  return n - take;
}

/** An empty outcome set for a task. */
export function emptyOutcomes(task: JoinedOutcomes['task']): JoinedOutcomes {
  return { task, predictedClasses: [], scores: [], labelClasses: [], labelValues: [] };
}

/** A window of a stream with nothing in it yet: the start of a pane, a merge, or a profile chunk. */
export function emptyWindow(stream: StreamKey, startMs: number, endMs: number): WindowData {
  return {
    stream,
    startMs,
    endMs,
    runs: 0,
    errorRuns: 0,
    durationMs: undefined,
    rows: 0,
    features: new Map(),
    predictions: new Map(),
    outcomes: undefined,
    modelTrainedAtMs: undefined,
    inputLastWrittenMs: new Map(),
    exemplarTraceIds: [],
  };
}

/** Most pipeline run ids a window (and a finding) keeps: enough to name a batch job's runs, bounded for a request stream. */
export const MAX_RUN_IDS = 10;

/** Adds `id` to a window's run ids unless present or full. */
export function addRunId(w: WindowData, id: string): void {
  if (w.runIds === undefined) w.runIds = [id];
  else if (w.runIds.length < MAX_RUN_IDS && !w.runIds.includes(id)) w.runIds.push(id);
}

/**
 * Merges several windows of one stream into one (bounds span all of them). Used to roll panes
 * into sliding windows and reference windows into a reference.
 */
export function mergeWindows(parts: readonly WindowData[], maxExemplars: number): WindowData {
  const first = parts[0];
  if (first === undefined) throw new RangeError('mergeWindows needs at least one window');
  const out = emptyWindow(first.stream, first.startMs, first.endMs);
  for (const w of parts) {
    out.startMs = Math.min(out.startMs, w.startMs);
    out.endMs = Math.max(out.endMs, w.endMs);
    out.runs += w.runs;
    out.errorRuns += w.errorRuns;
    out.rows += w.rows;
    out.durationMs = mergeNumeric(out.durationMs, w.durationMs);
    mergeFeatureMaps(out.features, w.features);
    mergeFeatureMaps(out.predictions, w.predictions);
    if (w.outcomes) {
      out.outcomes ??= emptyOutcomes(w.outcomes.task);
      mergeOutcomes(out.outcomes, w.outcomes);
    }
    if (w.modelTrainedAtMs !== undefined)
      out.modelTrainedAtMs = Math.max(out.modelTrainedAtMs ?? w.modelTrainedAtMs, w.modelTrainedAtMs);
    for (const [k, v] of w.inputLastWrittenMs)
      out.inputLastWrittenMs.set(k, Math.max(out.inputLastWrittenMs.get(k) ?? v, v));
    for (const [k, v] of w.inputWritePeriodMs ?? []) {
      out.inputWritePeriodMs ??= new Map();
      out.inputWritePeriodMs.set(k, Math.max(out.inputWritePeriodMs.get(k) ?? v, v));
    }
    for (const t of w.exemplarTraceIds)
      if (out.exemplarTraceIds.length < maxExemplars && !out.exemplarTraceIds.includes(t))
        out.exemplarTraceIds.push(t);
    for (const id of w.runIds ?? []) addRunId(out, id);
  }
  return out;
}
