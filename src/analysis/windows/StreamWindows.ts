/**
 * The windows of one stream, by span end time. Windows are `lengthMs` long and start every
 * `stepMs` (tumbling when equal); both are aligned to the epoch so every instance and shard
 * cuts the same windows. A span is accepted while the first window covering it is still open;
 * a window closes when the watermark (latest end time seen minus allowed lateness) reaches
 * its end. Windows that would start before the stream's first data are skipped, so the first
 * window a stream reports is a full one.
 */
import { ErrorCodes, MlobsError } from '../../errors.js';
import type { StreamKey } from '../../model/finding.js';
import type { RunWindow, WindowData } from '../detectors/detector.js';
import { mergeWindows } from './merge.js';
import { Pane } from './Pane.js';

/** How windows are cut. */
export interface WindowOptions {
  /** Window length in ms. */
  lengthMs: number;
  /** Step between window starts in ms (default: the length, i.e. tumbling); must divide the length. */
  stepMs?: number;
  /** How far behind the latest end time a span may arrive and still count, in ms (default 0). */
  allowedLatenessMs?: number;
  /**
   * Also close windows in which a stream that reported before had no run, so a stopped
   * pipeline shows up as zero volume. Default false: a stream slower than the window
   * (an hourly batch with 5-minute windows) would otherwise look like an outage.
   */
  emitEmptyWindows?: boolean;
}

/** Empty windows emitted per stream per watermark move at most (a long outage keeps the latest). */
const MAX_EMPTY_WINDOWS = 1000;

/** Closed windows with runs remembered per stream, for the few-run detectors' evidence. */
const RUN_HISTORY = 8;
/**
 * Windows with more runs keep only their counts: their durations were judged by the quantile
 * path and are too many to be a few-run window's evidence, and a busy stream's sketches would
 * make every saved state larger for nothing.
 */
export const MAX_REMEMBERED_DURATIONS = 1000;
/** Earlier windows handed to a closing window (`WindowData.previousRuns`) at most. */
export const MAX_PREVIOUS_RUN_WINDOWS = 4;

/** Window options with defaults applied and validated. */
export type ResolvedWindowOptions = Required<WindowOptions>;

/** Applies defaults and validates; the error names the option. */
export function resolveWindowOptions(o: WindowOptions, path = 'window'): ResolvedWindowOptions {
  const bad = (field: string, why: string): never => {
    throw new MlobsError(ErrorCodes.MLOBS_ERR_CONFIG_INVALID, `${path}.${field}: ${why}`);
  };
  const lengthMs = o.lengthMs;
  if (!Number.isFinite(lengthMs) || lengthMs <= 0)
    bad('lengthMs', `must be a positive number, got ${lengthMs}`);
  const stepMs = o.stepMs ?? lengthMs;
  if (!Number.isFinite(stepMs) || stepMs <= 0) bad('stepMs', `must be a positive number, got ${stepMs}`);
  if (lengthMs % stepMs !== 0) bad('stepMs', `must divide lengthMs (${lengthMs}), got ${stepMs}`);
  const allowedLatenessMs = o.allowedLatenessMs ?? 0;
  if (!Number.isFinite(allowedLatenessMs) || allowedLatenessMs < 0)
    bad('allowedLatenessMs', `must be a number >= 0, got ${allowedLatenessMs}`);
  const emitEmptyWindows = o.emitEmptyWindows ?? false;
  if (typeof emitEmptyWindows !== 'boolean')
    bad('emitEmptyWindows', `must be a boolean, got ${emitEmptyWindows}`);
  return { lengthMs, stepMs, allowedLatenessMs, emitEmptyWindows };
}

/** A window that has closed, with what the engine needs beyond the detector contract. */
export interface ClosedWindow {
  /** The detector input. */
  data: WindowData;
  /** Exemplar span id per exemplar trace id, for span links. */
  exemplarSpans: Map<string, string>;
}

/** Caps that bound one stream's memory. */
export interface StreamLimits {
  /** Distinct features (and prediction outputs) tracked; later ones are dropped and counted. */
  maxFeatures: number;
  /** Exemplar trace ids kept per window. */
  maxExemplars: number;
}

/** The counters windows add to (the Analyzer's stats). */
export interface WindowStats {
  /** Feature observations dropped because the stream already tracked `maxFeatures` names. */
  droppedFeatureValues: number;
  /** Summaries whose kind changed within a window and could not be merged. */
  kindConflicts: number;
  /** Label-joined outcomes dropped because a window's outcome buffer was full. */
  droppedOutcomes: number;
}

/** The open panes and bookkeeping of one stream, for durable state (see `src/analysis/store/`). */
export interface StreamWindowsState {
  /** Open panes, any order. */
  panes: Pane[];
  /** Feature names admitted under the cap. */
  names: string[];
  /** Start of the first pane the stream ever had. */
  firstPaneStart: number;
  /** Start of the last window closed. */
  lastClosedStart: number;
  /** Runs of the latest closed windows that had runs, oldest first (absent in older state). */
  recentRuns?: RunWindow[];
}

/** Windows of one stream. */
export class StreamWindows {
  private readonly panes = new Map<number, Pane>();
  private readonly names = new Set<string>();
  private firstPaneStart = Number.POSITIVE_INFINITY;
  private lastClosedStart = Number.NEGATIVE_INFINITY;
  /** Runs of the latest closed windows that had runs, oldest first. */
  private recentRuns: RunWindow[] = [];

  constructor(
    readonly stream: StreamKey,
    private readonly opts: ResolvedWindowOptions,
    private readonly limits: StreamLimits,
    private readonly stats: WindowStats,
  ) {}

  /** The pane a time falls in, created on demand; undefined when its first window already closed. */
  paneFor(timeMs: number, watermarkMs: number): Pane | undefined {
    const step = this.opts.stepMs;
    const start = Math.floor(timeMs / step) * step;
    if (start + step <= watermarkMs) return undefined;
    let p = this.panes.get(start);
    if (p === undefined) {
      p = new Pane(this.stream, start, start + step);
      this.panes.set(start, p);
      if (start < this.firstPaneStart) this.firstPaneStart = start;
    }
    return p;
  }

  /** Whether a feature may be tracked (admits new names until the cap, then counts drops). */
  readonly allowFeature = (name: string): boolean => {
    if (this.names.has(name)) return true;
    if (this.names.size < this.limits.maxFeatures) {
      this.names.add(name);
      return true;
    }
    this.stats.droppedFeatureValues++;
    return false;
  };

  /** Closes every window whose end is at or before the watermark, oldest first. */
  closeDue(watermarkMs: number): ClosedWindow[] {
    const { lengthMs, stepMs } = this.opts;
    const starts = new Set<number>();
    for (const ps of this.panes.keys())
      for (let s = ps - lengthMs + stepMs; s <= ps; s += stepMs)
        if (s > this.lastClosedStart && s >= this.firstPaneStart && s + lengthMs <= watermarkMs)
          starts.add(s);
    if (this.opts.emitEmptyWindows && this.lastClosedStart > Number.NEGATIVE_INFINITY) {
      const lastDue = Math.floor((watermarkMs - lengthMs) / stepMs) * stepMs;
      const from = Math.max(this.lastClosedStart + stepMs, lastDue - (MAX_EMPTY_WINDOWS - 1) * stepMs);
      for (let s = from; s <= lastDue; s += stepMs) starts.add(s);
    }
    const out: ClosedWindow[] = [];
    for (const s of [...starts].sort((a, b) => a - b)) {
      const parts: Pane[] = [];
      for (let ps = s; ps < s + lengthMs; ps += stepMs) {
        const p = this.panes.get(ps);
        if (p) parts.push(p);
      }
      out.push(this.build(s, parts));
      this.lastClosedStart = s;
    }
    for (const [ps, p] of this.panes)
      if (ps + lengthMs <= watermarkMs) {
        this.stats.kindConflicts += p.kindConflicts;
        this.stats.droppedOutcomes += p.droppedOutcomes;
        this.panes.delete(ps);
      }
    return out;
  }

  /** The end of the last window that still holds data (where a flush must move the watermark). */
  lastDataWindowEnd(): number {
    let max = Number.NEGATIVE_INFINITY;
    for (const ps of this.panes.keys()) max = Math.max(max, ps + this.opts.lengthMs);
    return max;
  }

  /** Whether nothing can close: no pane is held and no empty window is due to be reported. */
  get idle(): boolean {
    return (
      this.panes.size === 0 &&
      !(this.opts.emitEmptyWindows && this.lastClosedStart > Number.NEGATIVE_INFINITY)
    );
  }

  /** The live state (panes are shared, not copied): serialize it before the next span. */
  snapshot(): StreamWindowsState {
    return {
      panes: [...this.panes.values()],
      names: [...this.names],
      firstPaneStart: this.firstPaneStart,
      lastClosedStart: this.lastClosedStart,
      recentRuns: [...this.recentRuns],
    };
  }

  /** Replaces the state with a snapshot (after a restart). */
  restore(s: StreamWindowsState): void {
    this.panes.clear();
    for (const p of s.panes) this.panes.set(p.data.startMs, p);
    this.names.clear();
    for (const n of s.names) this.names.add(n);
    this.firstPaneStart = s.firstPaneStart;
    this.lastClosedStart = s.lastClosedStart;
    this.recentRuns = [...(s.recentRuns ?? [])].slice(-RUN_HISTORY);
  }

  private build(startMs: number, parts: Pane[]): ClosedWindow {
    const exemplarSpans = new Map<string, string>();
    if (parts.length === 0) parts.push(new Pane(this.stream, startMs, startMs + this.opts.stepMs));
    const sealed = parts.map((p) => p.seal());
    const data =
      sealed.length === 1 && this.opts.lengthMs === this.opts.stepMs
        ? sealed[0]!
        : mergeWindows(sealed, this.limits.maxExemplars);
    data.startMs = startMs;
    data.endMs = startMs + this.opts.lengthMs;
    for (const p of parts)
      for (const [t, s] of p.exemplarSpans) if (data.exemplarTraceIds.includes(t)) exemplarSpans.set(t, s);
    data.previousRuns = this.previousRunsFor(startMs);
    if (data.runs > 0) {
      this.recentRuns.push({
        startMs: data.startMs,
        endMs: data.endMs,
        runs: data.runs,
        errorRuns: data.errorRuns,
        durationMs: data.runs <= MAX_REMEMBERED_DURATIONS ? data.durationMs : undefined,
      });
      if (this.recentRuns.length > RUN_HISTORY) this.recentRuns.shift();
    }
    return { data, exemplarSpans };
  }

  /**
   * The earlier windows with runs, newest first, each ending before the next newer one starts:
   * sliding windows overlap, and an overlapping window would count the same runs twice.
   */
  private previousRunsFor(startMs: number): RunWindow[] {
    const out: RunWindow[] = [];
    let before = startMs;
    for (let i = this.recentRuns.length - 1; i >= 0 && out.length < MAX_PREVIOUS_RUN_WINDOWS; i--) {
      const r = this.recentRuns[i]!;
      if (r.endMs > before) continue;
      out.push(r);
      before = r.startMs;
    }
    return out;
  }
}
