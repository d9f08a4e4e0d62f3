/**
 * The in-process mlobs SpanProcessor: register it in a tracer provider and every ended
 * component-run span feeds the analysis core, which reports incidents, findings and
 * metrics through the OpenTelemetry API. It follows the SDK's processor contract: the hot
 * path never throws into the application (failures are counted and warned about once),
 * and shutdown runs once.
 */

import {
  type Attributes,
  type Context,
  diag,
  type Meter,
  metrics,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { AnalysisListener, WindowReport } from '../analysis/AnalysisListener.js';
import { Analyzer, type AnalyzerOptions } from '../analysis/Analyzer.js';
import type { AnalyzerStats } from '../analysis/AnalyzerStats.js';
import type { Detector } from '../analysis/detectors/detector.js';
import { createDetectors } from '../analysis/detectors/index.js';
import type { IncidentChange } from '../analysis/incidents/IncidentManager.js';
import { ReactionEngine } from '../analysis/reactions/ReactionEngine.js';
import { type ReactionsOptions, resolveReactionPolicies } from '../analysis/reactions/ReactionPolicy.js';
import { ReferencePreparer } from '../analysis/reference/ReferencePreparer.js';
import type { AnalysisStore } from '../analysis/store/AnalysisStore.js';
import { DurableAnalyzer } from '../analysis/store/DurableAnalyzer.js';
import { ErrorCodes, MlobsError } from '../errors.js';
import type { Finding, Incident } from '../model/finding.js';
import type { Reaction, ReactionAction, ReactionHandler } from '../model/reaction.js';
import { ATTR_ML_COMPONENT_NAME, ATTR_ML_PREDICTION_ID, EVENT_ML_LABELS } from '../semconv/index.js';
import { type LogEmitter, OtelOutput } from '../signals/OtelOutput.js';
import { fromReadableSpan, type ReadableSpanLike } from './fromReadableSpan.js';
import { Reactions } from './Reactions.js';

/** Options of {@link MlSpanProcessor}: the Analyzer's, plus where output goes. */
export interface MlSpanProcessorOptions extends Omit<AnalyzerOptions, 'listener' | 'detectors'> {
  /** Detectors to run (default: every detector with its defaults, `createDetectors()`). */
  detectors?: readonly Detector[];
  /**
   * Tracer for `ml.incident` spans, or a function returning it (resolved at first use, so it
   * can come from the provider this processor is registered in). Default: the global
   * `trace.getTracer('mlobs')`; `null` turns incident spans off.
   */
  tracer?: Tracer | (() => Tracer) | null;
  /** `@opentelemetry/api-logs` Logger (or a function returning one) for `ml.finding` and `ml.reaction` log records. */
  logger?: LogEmitter | (() => LogEmitter);
  /** Meter for metrics (default the global `metrics.getMeter('mlobs')` at first use; `null`: off). */
  meter?: Meter | null;
  /** Also receives findings, incidents and window reports. */
  listener?: AnalysisListener;
  /**
   * Wall clock (default `Date.now`): `forceFlush` closes windows before `clock() - lateness`,
   * and spans ending more than `maxClockSkewMs` after it are dropped (see `futureGuard`).
   */
  clock?: () => number;
  /** How far ahead of `clock()` a span may end (default 10 minutes); `null` disables the check. */
  maxClockSkewMs?: number | null;
  /**
   * Durable state (an `AnalysisStore`, e.g. SQLite): every ML span is analysed and persisted
   * in one transaction, and a new processor on the same store resumes where this one
   * stopped. Default: memory only (a restart starts the warm-up again).
   */
  store?: AnalysisStore;
  /**
   * Reaction policies: what to do when an incident matches (`alert`, `fallback`, `rollback`,
   * `retrain`, `quarantine`). Each decision is an `ml.reaction` log record; register what the
   * pipeline does with {@link MlSpanProcessor.onReaction}. Invalid policies throw
   * `MLOBS_ERR_REACTIONS_INVALID` naming each problem's path.
   */
  reactions?: ReactionsOptions;
  /** Also receives every reaction record (triggered, suppressed, succeeded, failed). */
  onReactionRecord?: (reaction: Reaction) => void;
}

/** Data drops worth one warning each: the stats field and what it means for the user. */
const DROP_WARNINGS: readonly [keyof AnalyzerStats & string, string][] = [
  ['lateSpans', 'a span ended after its window closed and was dropped (raise window.allowedLatenessMs?)'],
  ['invalidSpans', 'a span without a usable end time was dropped'],
  [
    'futureSpans',
    'a span ending more than maxClockSkewMs ahead of this clock was dropped (producer clock skew?)',
  ],
  ['droppedStreamSpans', 'a new stream was ignored because limits.maxStreams streams are tracked'],
  ['droppedFeatureValues', 'a feature was ignored because limits.maxFeaturesPerStream features are tracked'],
  ['decodeErrors', 'a summary event could not be decoded and was skipped'],
  ['detectorErrors', 'a detector threw and was skipped for a window'],
  ['kindConflicts', 'a feature changed kind within a window; the first kind was kept'],
];

/** A span processor that analyses ML component runs as they end. */
export class MlSpanProcessor {
  private readonly memory: Analyzer | undefined;
  private readonly durable: DurableAnalyzer | undefined;
  private readonly clock: () => number;
  private emitting = false;
  private isShutdown = false;
  private shutdownPromise: Promise<void> | undefined;
  private failures = 0;
  private warned = false;
  private readonly dropWarnings = new Set<string>();
  private readonly preparer = new ReferencePreparer(
    () => (this.isShutdown ? undefined : this.analyzer),
    (err) => this.fail('building a reference', err),
  );
  /** Reaction policies and the handlers the pipeline registered for them. */
  readonly reactions: Reactions;

  constructor(options: MlSpanProcessorOptions) {
    const {
      tracer,
      logger,
      meter,
      listener,
      clock,
      detectors,
      store,
      maxClockSkewMs,
      reactions,
      onReactionRecord,
      ...analyzerOptions
    } = options;
    this.clock = clock ?? Date.now;
    const { policies, problems } = resolveReactionPolicies(reactions);
    if (problems.length > 0)
      throw new MlobsError(
        ErrorCodes.MLOBS_ERR_REACTIONS_INVALID,
        `MlSpanProcessor: reactions: ${problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ')}`,
        { details: problems },
      );
    const output = new OtelOutput({
      tracer: tracer === null ? undefined : (tracer ?? (() => trace.getTracer('mlobs'))),
      logger,
      // The global meter is looked up at the first report: NodeSDK registers its meter
      // provider after the span processors it was given were built.
      meter: meter === null ? undefined : (meter ?? (() => metrics.getMeter('mlobs'))),
    });
    this.reactions = new Reactions(
      new ReactionEngine(policies),
      (r) => {
        try {
          // Kept in the store next to the incidents they answer, so they outlive the process too.
          store?.addReactions([r]);
          output.emitReaction(r);
          onReactionRecord?.(r);
        } catch (err) {
          this.fail('recording a reaction', err);
        }
      },
      this.clock,
    );
    const skew = maxClockSkewMs === undefined ? 10 * 60_000 : maxClockSkewMs;
    const resolved: AnalyzerOptions = {
      ...analyzerOptions,
      ...(skew === null ? {} : { futureGuard: { now: this.clock, toleranceMs: skew } }),
      detectors: detectors ?? createDetectors(),
      listener: this.fanOut(output, listener),
    };
    if (store) {
      this.durable = new DurableAnalyzer(resolved, store);
      for (const i of this.durable.analyzer.openIncidents()) this.reactions.restore(i);
    } else this.memory = new Analyzer(resolved);
  }

  /** The analysis engine (for inspection: stats, open incidents). */
  get analyzer(): Analyzer {
    // A durable analyzer is rebuilt from its store after a failed transaction: always ask it.
    return this.durable ? this.durable.analyzer : this.memory!;
  }

  /** Runs `f` on the analyzer, inside a store transaction when state is durable. */
  private run(f: (a: Analyzer) => void): void {
    if (this.durable) this.durable.apply(f);
    else f(this.memory!);
  }

  /** Failures swallowed on the hot path (conversion, analysis or output), cumulative. */
  get failureCount(): number {
    return this.failures;
  }

  /**
   * Runs `handler` when a policy triggers `action` for an incident (and with `undo: true`
   * when the incident resolves, for fallback and quarantine); `'*'` receives every action.
   * Returns a function that unregisters it.
   */
  onReaction(action: ReactionAction | '*', handler: ReactionHandler): () => void {
    return this.reactions.onReaction(action, handler);
  }

  /** Nothing to do when a span starts: summaries are only complete when it ends. */
  onStart(_span: unknown, _parentContext: Context): void {}

  /** Feeds an ended span to the analysis. Never throws. */
  onEnd(span: ReadableSpanLike): void {
    // Spans we end ourselves (incident spans) would otherwise come straight back here.
    if (this.isShutdown || this.emitting) return;
    try {
      // Most of an app's spans are not ML runs: skip them before converting anything (and,
      // with a store, before opening a transaction).
      if (!mayCarryMlData(span)) return;
      const record = fromReadableSpan(span);
      this.run((a) => a.ingest(record));
      this.preparer.poke();
      this.warnDrops();
    } catch (err) {
      this.fail('analysing a span', err);
    }
  }

  /** Closes the windows that are due by the wall clock, so idle streams still report; waits for reaction handlers. */
  async forceFlush(): Promise<void> {
    if (!this.isShutdown) {
      try {
        const now = this.clock();
        this.run((a) => a.advanceTo(now));
      } catch (err) {
        this.fail('flushing windows', err);
      }
    }
    await this.reactions.settled();
  }

  /** Closes every window that holds data, then stops analysing. Safe to call more than once. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      try {
        this.run((a) => a.flush());
      } catch (err) {
        this.fail('flushing windows at shutdown', err);
      }
      await this.reactions.settled();
      this.isShutdown = true;
      this.preparer.stop();
    })();
    return this.shutdownPromise;
  }

  private fanOut(output: OtelOutput, user: AnalysisListener | undefined): AnalysisListener {
    const guarded =
      <A extends unknown[]>(what: string, f: (...a: A) => void) =>
      (...a: A) => {
        const was = this.emitting;
        this.emitting = true;
        try {
          f(...a);
        } catch (err) {
          this.fail(what, err);
        } finally {
          this.emitting = was;
        }
      };
    return {
      onWindow: (r: WindowReport) => {
        guarded('recording window metrics', (x: WindowReport) => output.onWindow(x))(r);
        if (user?.onWindow) guarded('in the onWindow listener', (x: WindowReport) => user.onWindow?.(x))(r);
      },
      onFinding: (f: Finding) => {
        guarded('emitting a finding', (x: Finding) => output.onFinding(x))(f);
        if (user?.onFinding) guarded('in the onFinding listener', (x: Finding) => user.onFinding?.(x))(f);
      },
      onIncident: (c: IncidentChange, i: Incident) => {
        guarded('emitting an incident', (a: IncidentChange, b: Incident) => output.onIncident(a, b))(c, i);
        guarded('deciding reactions', (a: IncidentChange, b: Incident) => this.reactions.handle(a, b))(c, i);
        if (user?.onIncident)
          guarded('in the onIncident listener', (a: IncidentChange, b: Incident) => user.onIncident?.(a, b))(
            c,
            i,
          );
      },
    };
  }

  /** Warns once per kind of data the analysis had to drop; the counts stay in `analyzer.stats`. */
  private warnDrops(): void {
    const s = this.analyzer.stats;
    if (this.dropWarnings.size === DROP_WARNINGS.length) return;
    for (const [field, why] of DROP_WARNINGS) {
      if (s[field] === 0 || this.dropWarnings.has(field)) continue;
      this.dropWarnings.add(field);
      diag.warn(`mlobs: ${why}; further occurrences are counted in analyzer.stats.${field}`);
    }
  }

  private fail(what: string, err: unknown): void {
    this.failures++;
    if (this.warned) return;
    this.warned = true;
    diag.warn(`mlobs: MlSpanProcessor failed ${what}; further failures are only counted`, err as Attributes);
  }
}

/** Whether a span is a component run or may carry labels (what the Analyzer does not ignore). */
function mayCarryMlData(span: ReadableSpanLike): boolean {
  const a = span.attributes;
  return (
    a[ATTR_ML_COMPONENT_NAME] !== undefined ||
    a[ATTR_ML_PREDICTION_ID] !== undefined ||
    span.events.some((e) => e.name === EVENT_ML_LABELS)
  );
}
