/**
 * A pane: the smallest slice of a stream's time (one window step). Spans are added to
 * exactly one pane; windows are unions of consecutive panes, so a sliding window costs a
 * few sketch merges instead of adding each span to every window that covers it.
 */
import type { StreamKey } from '../../model/finding.js';
import { type FeatureSummary, type NumericSummary, summarize } from '../../summaries/index.js';
import type { JoinedOutcomes, WindowData } from '../detectors/detector.js';
import type { Observation } from '../observation.js';
import {
  addRunId,
  emptyOutcomes,
  emptyWindow,
  MAX_OUTCOMES_PER_WINDOW,
  mergeFeatureMaps,
  mergeNumeric,
} from './merge.js';

/** Durations are buffered raw and summarized in chunks of this size. */
const DURATION_CHUNK = 1024;

/** Summarizes raw durations into a numeric summary. */
function summarizeDurations(values: number[]): NumericSummary | undefined {
  const s = summarize({ duration: Float64Array.from(values) }, { schema: { duration: 'numeric' } });
  const f = s.features.get('duration');
  return f?.kind === 'numeric' ? f : undefined;
}

/** One step of one stream's time, accumulating observations. */
export class Pane {
  /** Accumulated data; `durationMs` is completed by {@link Pane.seal}. */
  readonly data: WindowData;
  /** Exemplar span id per exemplar trace id, for span links. */
  readonly exemplarSpans = new Map<string, string>();
  /** Features whose kind changed within the pane and could not be merged. */
  kindConflicts = 0;
  /** Outcomes dropped because the pane's outcome buffer was full. */
  droppedOutcomes = 0;
  private durations: number[] = [];
  /**
   * Summaries in `data` that this pane made by merging and nobody else has seen, so later
   * merges may change them in place. Reading the data ({@link Pane.seal}) hands them out and
   * empties the set: a window built from this pane may keep them.
   */
  private readonly owned = new Set<FeatureSummary>();

  constructor(stream: StreamKey, startMs: number, endMs: number) {
    this.data = emptyWindow(stream, startMs, endMs);
  }

  /** Adds one component run; `allowFeature` enforces the stream's feature cap. */
  add(
    obs: Observation,
    maxExemplars: number,
    allowFeature: (name: string) => boolean,
    inputLastWritten: (input: string) => number | undefined,
    inputWritePeriod: (input: string) => number | undefined = () => undefined,
  ): void {
    const d = this.data;
    // A sampled span also stands for the runs skipped before it: counts stay right, and
    // durations (and summaries) come from the recorded runs only.
    d.runs += 1 + obs.skippedRuns;
    d.errorRuns += (obs.error ? 1 : 0) + obs.skippedErrors;
    d.rows += obs.rows + obs.skippedRows;
    this.durations.push(obs.durationMs);
    if (this.durations.length >= DURATION_CHUNK) this.flushDurations();
    if (obs.features)
      this.kindConflicts += mergeFeatureMaps(d.features, obs.features.features, this.owned, allowFeature);
    if (obs.predictions)
      this.kindConflicts += mergeFeatureMaps(
        d.predictions,
        obs.predictions.features,
        this.owned,
        allowFeature,
      );
    if (obs.modelTrainedAtMs !== undefined)
      d.modelTrainedAtMs = Math.max(d.modelTrainedAtMs ?? obs.modelTrainedAtMs, obs.modelTrainedAtMs);
    for (const input of obs.inputs) {
      const t = inputLastWritten(input);
      if (t !== undefined) d.inputLastWrittenMs.set(input, Math.max(d.inputLastWrittenMs.get(input) ?? t, t));
      const period = inputWritePeriod(input);
      if (period !== undefined) {
        d.inputWritePeriodMs ??= new Map();
        d.inputWritePeriodMs.set(input, Math.max(d.inputWritePeriodMs.get(input) ?? period, period));
      }
    }
    if (obs.runId !== undefined) addRunId(d, obs.runId);
    if (
      d.exemplarTraceIds.length < maxExemplars &&
      obs.traceId !== '' &&
      !this.exemplarSpans.has(obs.traceId)
    ) {
      d.exemplarTraceIds.push(obs.traceId);
      this.exemplarSpans.set(obs.traceId, obs.spanId);
    }
  }

  /** Adds one label-joined outcome. */
  addOutcome(
    task: JoinedOutcomes['task'],
    predictedClass: string,
    score: number,
    label: string,
    value: number,
  ): void {
    this.data.outcomes ??= emptyOutcomes(task);
    const o = this.data.outcomes;
    if (o.scores.length >= MAX_OUTCOMES_PER_WINDOW) {
      this.droppedOutcomes++;
      return;
    }
    o.predictedClasses.push(predictedClass);
    o.scores.push(score);
    o.labelClasses.push(label);
    o.labelValues.push(value);
  }

  /** Folds buffered durations into the summary; call before reading `data`. */
  seal(): WindowData {
    this.flushDurations();
    this.owned.clear();
    return this.data;
  }

  private flushDurations(): void {
    if (this.durations.length === 0) return;
    this.data.durationMs = mergeNumeric(this.data.durationMs, summarizeDurations(this.durations));
    this.durations = [];
  }
}
