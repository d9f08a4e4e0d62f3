/**
 * The analysis engine: spans in, findings and incidents out. It keeps windows and a
 * reference per stream, runs the detectors when a window closes, corrects for multiple
 * testing, stamps findings and feeds the incident manager. It is pure (no I/O, no timers):
 * time comes only from span end times, `advanceTo` and `flush`. Memory is bounded by caps
 * on streams, features per stream, exemplars, remembered outputs and the label store;
 * whatever a cap drops is counted in {@link AnalyzerStats}.
 */
import type { Cause, Finding, Incident } from '../model/finding.js';
import type { SpanRecord } from '../model/spanRecord.js';
import { type AnalysisListener, MAX_REPORTED_CLASSES, type WindowReport } from './AnalysisListener.js';
import { type AnalyzerLimits, AnalyzerStats, resolveLimits } from './AnalyzerStats.js';
import type { Detector, WindowData } from './detectors/detector.js';
import { diagnose } from './diagnosis/diagnose.js';
import { IncidentManager, type IncidentManagerState } from './incidents/IncidentManager.js';
import { type IncidentOptions, resolveIncidentOptions } from './incidents/IncidentOptions.js';
import { judgeWindow } from './judgeWindow.js';
import { LabelJoin, type LabelOptions } from './labels/LabelJoin.js';
import { extractObservation, streamIdOf } from './observation.js';
import {
  type ReferenceOptions,
  type ResolvedReferenceOptions,
  resolveReferenceOptions,
  StreamReference,
} from './reference/StreamReference.js';
import { TopologyLearner, type TopologyOptions } from './topology/TopologyLearner.js';
import type { TopologyState } from './topology/types.js';
import {
  type ClosedWindow,
  type ResolvedWindowOptions,
  resolveWindowOptions,
  StreamWindows,
  type StreamWindowsState,
  type WindowOptions,
} from './windows/StreamWindows.js';

/** Analyzer configuration. */
export interface AnalyzerOptions {
  /** How windows are cut. */
  window: WindowOptions;
  /** The detectors to run on every closed window. */
  detectors: readonly Detector[];
  /** Where references come from (default: warm-up over the first 5 windows). */
  reference?: ReferenceOptions;
  /**
   * Benjamini–Hochberg false-discovery rate of each window's findings, across every detector and
   * feature (default 0.01). On a stream that did not change it bounds the share of windows with
   * any p-value-based finding.
   */
  fdr?: number;
  /** Incident policy. */
  incidents?: IncidentOptions;
  /** Memory caps. */
  limits?: AnalyzerLimits;
  /** Delayed-label join. */
  labels?: LabelOptions;
  /** How the component graph is learned (waits, forgetting, caps) for the diagnosis. */
  topology?: TopologyOptions;
  /** Receives findings, incidents and window reports. */
  listener?: AnalysisListener;
  /**
   * Guard against producers with a clock far ahead: spans ending more than `toleranceMs`
   * after `now()` are dropped and counted, since one of them would move the shared
   * watermark ahead and make every honest span late. Default: no guard (replays, tests).
   */
  futureGuard?: { now: () => number; toleranceMs: number };
}

/** Gaps between writes remembered per output reference (its usual period is their maximum). */
const WRITE_GAPS = 8;
/** Gaps needed before a reference's write period is trusted. */
const MIN_WRITE_GAPS = 2;

interface StreamState {
  windows: StreamWindows;
  reference: StreamReference;
}

/** The state of one stream inside {@link AnalyzerState}. */
export interface AnalyzerStreamState {
  /** `streamIdOf(key)`. */
  id: string;
  /** The stream. */
  key: Finding['stream'];
  /** Open windows. */
  windows: StreamWindowsState;
  /** Reference windows gathered so far (warm-up or trailing). */
  referencePool: WindowData[];
}

/**
 * What an Analyzer remembers, as live objects (see `src/analysis/store/` for the durable
 * form). `streams` holds only the streams changed since the previous snapshot unless all
 * were asked for; the rest is always complete.
 */
export interface AnalyzerState {
  /** Watermark, ms (-Infinity before any span). */
  watermark: number;
  /** Last window step checked for closing. */
  checkedStep: number;
  /** Last write time per `ml.io.outputs` reference, oldest first. */
  lastWritten: [string, number][];
  /** Recent gaps between writes per `ml.io.outputs` reference (absent in older state). */
  writeGaps?: [string, number[]][];
  /** Streams (changed ones, or all). */
  streams: AnalyzerStreamState[];
  /** Incident bookkeeping. */
  incidents: IncidentManagerState;
  /** Numeric counters of {@link AnalyzerStats}. */
  stats: Record<string, number>;
  /** The learned component graph (absent in state saved before the diagnosis existed). */
  topology?: TopologyState;
}

/** The analysis engine. */
export class Analyzer {
  /** Counters of what was processed and dropped. */
  readonly stats = new AnalyzerStats();
  private readonly win: ResolvedWindowOptions;
  private readonly limits: Required<AnalyzerLimits>;
  private readonly streams = new Map<string, StreamState>();
  private readonly lastWritten = new Map<string, number>();
  /** The last {@link WRITE_GAPS} gaps between writes of each output reference, oldest first. */
  private readonly writeGaps = new Map<string, number[]>();
  private readonly incidents: IncidentManager;
  private readonly labels: LabelJoin;
  /** The component graph, learned from every component run, for the diagnosis. */
  readonly topology: TopologyLearner;
  private topologyAdvancedTo = Number.NEGATIVE_INFINITY;
  private readonly fdr: number;
  private readonly refOpts: ResolvedReferenceOptions;
  private watermark = Number.NEGATIVE_INFINITY;
  private checkedStep = Number.NEGATIVE_INFINITY;
  private busy = false;
  private readonly pending: SpanRecord[] = [];
  /** Streams changed since the last snapshot, so durable stores rewrite only those. */
  private readonly touched = new Set<string>();
  /** Streams whose next reference can be built ahead of the window that needs it. */
  private readonly unprepared = new Set<StreamState>();

  constructor(private readonly opts: AnalyzerOptions) {
    this.win = resolveWindowOptions(opts.window);
    this.limits = resolveLimits(opts.limits);
    this.fdr = opts.fdr ?? 0.01;
    if (!(this.fdr > 0 && this.fdr < 1)) throw new RangeError(`fdr: must be in (0, 1), got ${this.fdr}`);
    this.refOpts = resolveReferenceOptions(opts.reference);
    this.topology = new TopologyLearner(opts.topology);
    this.incidents = new IncidentManager(
      resolveIncidentOptions(opts.incidents, this.win.stepMs),
      this.win.stepMs,
      (change, incident) => this.call('onIncident', (l) => l.onIncident?.(change, incident)),
      (incident) => this.diagnose(incident),
    );
    this.labels = new LabelJoin(opts.labels, this.stats);
  }

  /** Ingests one span; closes and judges the windows its end time makes due. Never throws. */
  ingest(span: SpanRecord): void {
    if (this.busy) {
      // A listener ended a span of its own while we were judging: finish first, then take it.
      this.pending.push(span);
      return;
    }
    this.busy = true;
    try {
      this.ingestOne(span);
      for (let s = this.pending.shift(); s !== undefined; s = this.pending.shift()) this.ingestOne(s);
    } finally {
      this.busy = false;
    }
  }

  /** Moves time forward to `nowMs` (minus lateness) without a span, closing due windows. */
  advanceTo(nowMs: number): void {
    this.moveWatermark(nowMs - this.win.allowedLatenessMs);
  }

  /** Closes every window that holds data, regardless of the watermark (end of stream, shutdown). */
  flush(): void {
    let end = this.watermark;
    for (const s of this.streams.values()) end = Math.max(end, s.windows.lastDataWindowEnd());
    this.moveWatermark(end);
  }

  /** Incidents currently open. */
  openIncidents(): Incident[] {
    return this.incidents.openIncidents();
  }

  /** The current watermark, ms since the epoch (-Infinity before any span). */
  get watermarkMs(): number {
    return this.watermark;
  }

  /**
   * The state to persist: streams changed since the previous call (or all of them), plus
   * watermark, output references, incidents and counters. Live objects: serialize them
   * before ingesting more.
   */
  snapshot(all = false): AnalyzerState {
    const ids = all ? [...this.streams.keys()] : [...this.touched];
    this.touched.clear();
    const streams: AnalyzerStreamState[] = [];
    for (const id of ids) {
      const st = this.streams.get(id);
      if (st === undefined) continue;
      streams.push({
        id,
        key: st.windows.stream,
        windows: st.windows.snapshot(),
        referencePool: st.reference.snapshotPool(),
      });
    }
    const stats: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.stats)) if (typeof v === 'number') stats[k] = v;
    return {
      watermark: this.watermark,
      checkedStep: this.checkedStep,
      lastWritten: [...this.lastWritten],
      writeGaps: [...this.writeGaps].map(([k, gaps]) => [k, [...gaps]]),
      streams,
      incidents: this.incidents.snapshot(),
      stats,
      topology: this.topology.snapshot(),
    };
  }

  /** Restores a complete state (after a restart) into a fresh Analyzer; emits nothing. */
  restore(state: AnalyzerState): void {
    this.watermark = state.watermark;
    this.checkedStep = state.checkedStep;
    this.lastWritten.clear();
    for (const [k, v] of state.lastWritten) this.lastWritten.set(k, v);
    this.writeGaps.clear();
    for (const [k, gaps] of state.writeGaps ?? []) this.writeGaps.set(k, [...gaps]);
    for (const s of state.streams) {
      const st = this.stream(s.key);
      if (st === undefined) continue;
      st.windows.restore(s.windows);
      st.reference.restorePool(s.referencePool);
      if (st.reference.unprepared) this.unprepared.add(st);
    }
    this.incidents.restore(state.incidents);
    if (state.topology !== undefined) this.topology.restore(state.topology);
    const stats = this.stats as unknown as Record<string, number>;
    for (const [k, v] of Object.entries(state.stats)) if (typeof stats[k] === 'number') stats[k] = v;
    this.touched.clear();
  }

  private ingestOne(span: SpanRecord): void {
    this.stats.spans++;
    // An unset end time (0, from a producer that never ended the span) would open a window
    // in 1970 and then sit in the warm-up reference: refuse it instead.
    if (!(Number.isFinite(span.endMs) && span.endMs > 0)) {
      this.stats.invalidSpans++;
      return;
    }
    const guard = this.opts.futureGuard;
    if (guard && span.endMs > guard.now() + guard.toleranceMs) {
      this.stats.futureSpans++;
      return;
    }
    const obs = extractObservation(span);
    this.stats.decodeErrors += obs.decodeErrors.length;
    const hasLabels = obs.labelSamples.length > 0;
    if (obs.stream === undefined && !hasLabels) {
      this.stats.ignoredSpans++;
      return;
    }
    for (const out of obs.outputs) this.rememberWrite(out, obs.endMs);
    if (obs.stream) {
      this.topology.observe({
        key: obs.stream,
        kind: obs.componentKind,
        model: obs.stream.model,
        modelVersion: obs.modelVersion,
        traceId: obs.traceId,
        spanId: obs.spanId,
        parentSpanId: obs.parentSpanId,
        startMs: obs.startMs,
        endMs: obs.endMs,
        error: obs.error,
        features: [...(obs.features?.features.keys() ?? []), ...(obs.predictions?.features.keys() ?? [])],
        inputs: obs.inputs,
        outputs: obs.outputs,
        links: obs.links,
      });
      const st = this.stream(obs.stream);
      if (st === undefined) this.stats.droppedStreamSpans++;
      else {
        this.touched.add(streamIdOf(obs.stream));
        const pane = st.windows.paneFor(obs.endMs, this.watermark);
        if (pane === undefined) this.stats.lateSpans++;
        else
          pane.add(
            obs,
            this.limits.maxExemplars,
            st.windows.allowFeature,
            (i) => this.lastWritten.get(i),
            (i) => this.writePeriod(i),
          );
        this.labels.remember(obs.stream, obs.predictionSamples, obs.endMs);
      }
    }
    if (hasLabels) {
      const predictors = new Map<string, Finding['stream']>();
      this.labels.join(obs.labelSamples, obs.endMs, (stream) => {
        const id = streamIdOf(stream);
        this.touched.add(id);
        predictors.set(id, stream);
        return this.stream(stream)?.windows.paneFor(obs.endMs, this.watermark);
      });
      if (obs.stream)
        for (const p of predictors.values()) this.topology.labelsJoined(obs.stream, p, obs.endMs);
    }
    this.moveWatermark(obs.endMs - this.win.allowedLatenessMs);
  }

  private moveWatermark(to: number): void {
    if (!(to > this.watermark)) return;
    this.watermark = to;
    this.labels.expire(to);
    // Assembling traces and expiring waits scans what is held: a few times per window is enough.
    if (to - this.topologyAdvancedTo >= Math.min(this.win.stepMs / 4, 10_000)) {
      this.topologyAdvancedTo = to;
      this.topology.advance(to);
    }
    // Windows end on step boundaries, so nothing can close until the watermark crosses one.
    const step = Math.floor(to / this.win.stepMs);
    if (step === this.checkedStep) return;
    this.checkedStep = step;
    const due: { st: StreamState; w: ClosedWindow }[] = [];
    for (const [id, st] of this.streams) {
      if (st.windows.idle) continue;
      this.touched.add(id);
      for (const w of st.windows.closeDue(to)) due.push({ st, w });
    }
    // Judge in time order across streams, and let incidents see time pass after each round,
    // so a flush that closes many windows at once behaves as if they had closed one by one.
    due.sort((a, b) => a.w.data.endMs - b.w.data.endMs);
    for (let i = 0; i < due.length; i++) {
      const { st, w } = due[i]!;
      this.judge(st, w);
      const next = due[i + 1];
      if (next === undefined || next.w.data.endMs !== w.data.endMs) this.incidents.tick(w.data.endMs);
    }
  }

  private judge(st: StreamState, w: ClosedWindow): void {
    this.stats.windowsClosed++;
    const referenceWarning = st.reference.admit(w.data);
    if (referenceWarning !== undefined) this.stats.profileMismatches++;
    const ref = st.reference.current(w.data.startMs);
    const report: WindowReport = {
      stream: w.data.stream,
      startMs: w.data.startMs,
      endMs: w.data.endMs,
      runs: w.data.runs,
      rows: w.data.rows,
      referenceSource: ref?.source,
      candidates: [],
      missingRates: missingRates(w),
      ...predictionMix(w),
      findings: [],
      ...(referenceWarning !== undefined ? { referenceWarning } : {}),
    };
    if (ref) {
      const j = judgeWindow(this.opts.detectors, ref, w, this.fdr);
      this.stats.detectorErrors += j.errors.length;
      report.candidates = j.candidates;
      report.findings = j.findings;
      this.stats.findings += j.findings.length;
      for (const f of j.findings) this.call('onFinding', (l) => l.onFinding?.(f));
      this.incidents.processWindow(w.data.stream, w.data.endMs, j.findings);
    }
    this.call('onWindow', (l) => l.onWindow?.(report));
    st.reference.offer(w.data);
    if (st.reference.unprepared) this.unprepared.add(st);
  }

  /** Streams whose next reference is waiting for {@link Analyzer.prepareReference}. */
  get referencesWaiting(): number {
    return this.unprepared.size;
  }

  /**
   * Builds one stream's next reference ahead of the window that will be judged against it
   * (the same reference, built earlier); false when none is waiting. Callers run it off the
   * hot path, one stream per event-loop turn, so the first judged windows of many streams
   * do not build every reference inside one span's processing.
   */
  prepareReference(): boolean {
    for (const st of this.unprepared) {
      this.unprepared.delete(st);
      if (!st.reference.unprepared) continue;
      st.reference.prepare();
      return true;
    }
    return false;
  }

  /** Ranks an incident's causes over the graph learned so far; a failure is counted, not thrown. */
  private diagnose(incident: Incident): Cause[] {
    // Traces whose siblings are still being assembled would miss their sequence edges.
    this.topology.advance(this.watermark);
    this.topologyAdvancedTo = this.watermark;
    const d = diagnose({
      findings: incident.findings,
      graph: this.topology.graph,
      nowMs: this.watermark,
      windowMs: this.win.stepMs,
    });
    if (!d.failed) return d.result;
    this.stats.diagnosisErrors++;
    return incident.causes;
  }

  private stream(key: Finding['stream']): StreamState | undefined {
    const id = streamIdOf(key);
    let st = this.streams.get(id);
    if (st) return st;
    if (this.streams.size >= this.limits.maxStreams) return undefined;
    st = {
      windows: new StreamWindows(
        key,
        this.win,
        {
          maxFeatures: this.limits.maxFeaturesPerStream,
          maxExemplars: this.limits.maxExemplars,
        },
        this.stats,
      ),
      reference: new StreamReference(key, this.refOpts, this.opts.detectors, () => {
        this.stats.detectorErrors++;
      }),
    };
    this.streams.set(id, st);
    return st;
  }

  private rememberWrite(ref: string, atMs: number): void {
    const previous = this.lastWritten.get(ref);
    this.lastWritten.delete(ref);
    this.lastWritten.set(ref, Math.max(atMs, previous ?? atMs));
    if (previous !== undefined && atMs > previous) {
      const gaps = this.writeGaps.get(ref) ?? [];
      gaps.push(atMs - previous);
      if (gaps.length > WRITE_GAPS) gaps.shift();
      this.writeGaps.set(ref, gaps);
    }
    if (this.lastWritten.size > this.limits.maxIoReferences) {
      const oldest = this.lastWritten.keys().next().value as string;
      this.lastWritten.delete(oldest);
      this.writeGaps.delete(oldest);
      this.stats.droppedIoReferences++;
    }
  }

  /**
   * The usual time between writes of a reference: the longest of its recent gaps, once two
   * were seen. The longest, not the mean, because a writer that writes a few partitions in a
   * burst leaves short gaps beside its real period.
   */
  private writePeriod(ref: string): number | undefined {
    const gaps = this.writeGaps.get(ref);
    return gaps !== undefined && gaps.length >= MIN_WRITE_GAPS ? Math.max(...gaps) : undefined;
  }

  private call(what: string, f: (l: AnalysisListener) => void): void {
    const l = this.opts.listener;
    if (!l) return;
    try {
      f(l);
    } catch (err) {
      this.stats.listenerError(what, err);
    }
  }
}

/** Shares of the most frequent classes of categorical outputs, and means of numeric ones. */
function predictionMix(w: ClosedWindow): Pick<WindowReport, 'predictionShares' | 'predictionMeans'> {
  const shares = new Map<string, Map<string, number>>();
  const means = new Map<string, number>();
  for (const [name, s] of w.data.predictions) {
    if (s.kind === 'categorical' && s.count > 0) {
      const classes = new Map<string, number>();
      for (const t of s.top().slice(0, MAX_REPORTED_CLASSES)) classes.set(t.value, t.count / s.count);
      shares.set(name, classes);
    } else if (s.kind === 'numeric' && s.count > 0 && Number.isFinite(s.mean)) means.set(name, s.mean);
  }
  return { predictionShares: shares, predictionMeans: means };
}

function missingRates(w: ClosedWindow): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, s] of w.data.features) {
    const total = s.count + s.nullCount + s.invalidCount;
    if (total > 0) out.set(name, s.nullCount / total);
  }
  return out;
}
