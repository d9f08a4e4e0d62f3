/**
 * What the `ml` processor instances of one configured id share, like the OpenTelemetry
 * Collector's shared components: one durable Analyzer, one state store and one meter (a
 * scope of the collector's one MeterProvider, `host.telemetry`), fed by every pipeline that
 * lists the id (traces for component runs and labels, logs for labels as log records) and
 * emitting into every pipeline it is in (incident spans into traces, finding and incident log
 * records into logs, statistics into metrics, read from that scope every `metrics.interval`).
 * It opens on the first instance's start and closes after the last instance's shutdown.
 */
import { diag } from '@opentelemetry/api';
import type { AnalysisListener } from '../../../analysis/AnalysisListener.js';
import {
  findingsToLogsData,
  type IncidentUpdate,
  incidentsToTracesData,
} from '../../../analysis/output/otlpRender.js';
import { ReactionEngine } from '../../../analysis/reactions/ReactionEngine.js';
import { reactionsToLogsData } from '../../../analysis/reactions/reactionRecords.js';
import { ReferencePreparer } from '../../../analysis/reference/ReferencePreparer.js';
import type { AnalysisStore } from '../../../analysis/store/AnalysisStore.js';
import { DurableAnalyzer } from '../../../analysis/store/DurableAnalyzer.js';
import { InMemoryAnalysisStore } from '../../../analysis/store/InMemoryAnalysisStore.js';
import type { Finding, Incident } from '../../../model/finding.js';
import type { LogsData } from '../../../model/otlp.js';
import type { Reaction } from '../../../model/reaction.js';
import type { SpanRecord } from '../../../model/spanRecord.js';
import { OtelOutput } from '../../../signals/OtelOutput.js';
import {
  ConsumerError,
  type Host,
  type LogsConsumer,
  type MetricsConsumer,
  type Signal,
  type Telemetry,
  type TracesConsumer,
} from '../../component.js';
import type { Endpoint } from '../../config/values.js';
import { noopTelemetry } from '../../service/selfMetrics.js';
import { TelemetryRegistry } from '../../service/TelemetryRegistry.js';
import { SqliteAnalysisStore } from '../../store/SqliteAnalysisStore.js';
import type { MlSettings } from './config.js';
import { ReactionServer } from './ReactionServer.js';

/** The resource of everything mlobs itself emits. */
export const MLOBS_RESOURCE = { 'service.name': 'mlobs' } as const;

/** Batches remembered for {@link MlCore.analyzeOnce}. */
const RECENT_BATCHES = 512;

/** Analysis output of one batch, to be forwarded with or next to the batch. */
export interface MlOutput {
  /** Incidents that opened, changed or resolved (their state at that moment). */
  incidents: Incident[];
  /** Findings made. */
  findings: Finding[];
  /** Every incident state change, in order (one `ml.incident` log record each). */
  changes: IncidentUpdate[];
  /** What reaction policies decided about those incidents (and outcomes pipelines reported). */
  reactions: Reaction[];
}

/** Output with nothing in it. */
export function emptyOutput(): MlOutput {
  return { incidents: [], findings: [], changes: [], reactions: [] };
}

/** Whether an output carries anything for the logs pipelines. */
export function hasLogs(out: MlOutput): boolean {
  return out.findings.length > 0 || out.changes.length > 0 || out.reactions.length > 0;
}

/** Finding, incident and reaction records as one logs batch (nothing when there are none). */
export function outputLogs(out: MlOutput): LogsData | undefined {
  if (!hasLogs(out)) return undefined;
  const data = findingsToLogsData(out.findings, MLOBS_RESOURCE, out.changes);
  const records = reactionsToLogsData(out.reactions, MLOBS_RESOURCE).resourceLogs[0]!.scopeLogs[0]!
    .logRecords;
  data.resourceLogs[0]!.scopeLogs[0]!.logRecords.push(...records);
  return data;
}

interface Sinks {
  traces: TracesConsumer[];
  logs: LogsConsumer[];
  metrics: MetricsConsumer[];
}

/** The shared analysis of one `ml` processor id. */
export class MlCore {
  private durable: DurableAnalyzer | undefined;
  private store: AnalysisStore | undefined;
  /** Where the statistics are recorded: the host's metrics stack, or a private one for a host without. */
  private metrics: Required<Pick<Telemetry, 'collect' | 'meter'>> | undefined;
  private exporting: Promise<void> | undefined;
  private metricsTimer: NodeJS.Timeout | undefined;
  private readonly sinks: Sinks = { traces: [], logs: [], metrics: [] };
  private pending: MlOutput = emptyOutput();
  private reactionEngine: ReactionEngine | undefined;
  private reactionServer: ReactionServer | undefined;
  private reactionAddress: Endpoint | undefined;
  private readonly published = new WeakSet<MlOutput>();
  private output: OtelOutput | undefined;
  private users = 0;
  private timer: NodeJS.Timeout | undefined;
  private telemetry: Telemetry = noopTelemetry;
  private lastStats: Record<string, number> = {};
  private warned = false;
  private readonly registered = new Set<Signal>();
  private readonly recent = new Map<string, MlOutput>();
  private host: Host | undefined;
  private readonly preparer = new ReferencePreparer(
    () => this.durable?.analyzer,
    (err) => {
      this.telemetry.add('mlobs_ml_reference_failures_total', 1, { processor: this.id });
      this.warn('building a reference', err);
    },
  );

  constructor(
    private readonly id: string,
    private readonly settings: MlSettings,
    /** Called when the last user shut down, so the factory can forget this core. */
    private readonly onClosed: () => void,
  ) {}

  /** The live analyzer (tests and the HTTP API read it); undefined before start. */
  get analysis(): DurableAnalyzer | undefined {
    return this.durable;
  }

  /** Where the reaction endpoint listens (the real port when 0 was asked); undefined when not served. */
  get reactionEndpoint(): Endpoint | undefined {
    return this.reactionAddress;
  }

  /** Reactions in force now (fallbacks, quarantines). */
  activeReactions(): Reaction[] {
    return this.reactionEngine?.active() ?? [];
  }

  /** The store (tests and the HTTP API read it); undefined before start. */
  get stateStore(): AnalysisStore | undefined {
    return this.store;
  }

  /** Notes that an instance for `signal` was built (before any start), so open() knows what to set up. */
  register(signal: Signal): void {
    this.registered.add(signal);
  }

  /** Joins one pipeline instance: opens the store on the first, registers where output goes. */
  async attach(
    host: Host,
    signal: Signal,
    next: TracesConsumer & LogsConsumer & MetricsConsumer,
  ): Promise<void> {
    if (this.users === 0) {
      try {
        this.open(host);
        await this.serveReactions();
      } catch (err) {
        // A state file that cannot be opened or read stops the start; release what did open.
        clearInterval(this.timer);
        this.timer = undefined;
        clearInterval(this.metricsTimer);
        this.metricsTimer = undefined;
        await this.reactionServer?.close();
        this.reactionServer = undefined;
        this.reactionAddress = undefined;
        this.store?.close();
        this.store = undefined;
        this.metrics = undefined;
        throw err;
      }
      this.host = host;
      host.analyses?.register(this.id, this);
    }
    this.users++;
    if (signal === 'traces') this.sinks.traces.push(next);
    else if (signal === 'logs') this.sinks.logs.push(next);
    else this.sinks.metrics.push(next);
  }

  /**
   * Leaves; the last one out stops the timer, exports metrics a last time and closes the
   * store. Sinks stay registered until then: the service stops processors before the
   * exporters behind them, so the last output can still reach every pipeline.
   */
  async detach(): Promise<void> {
    if (--this.users > 0) return;
    this.host?.analyses?.unregister(this.id, this);
    this.host = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.settings.storage.type === 'memory') {
      // Nothing survives a memory store: report the partial windows rather than lose them.
      const out = this.run((a) => a.flush());
      if (out) await this.dispatch(out, undefined);
    }
    await this.reactionServer?.close();
    this.reactionServer = undefined;
    this.reactionAddress = undefined;
    clearInterval(this.metricsTimer);
    this.metricsTimer = undefined;
    await this.exportMetrics();
    this.metrics = undefined;
    this.store?.close();
    this.store = undefined;
    this.sinks.traces = [];
    this.sinks.logs = [];
    this.sinks.metrics = [];
    this.durable = undefined;
    this.onClosed();
  }

  /**
   * Analyses component runs and labels; returns the output they produced, already
   * persisted. Throws a retryable ConsumerError if the state could not be saved.
   */
  analyze(records: readonly SpanRecord[]): MlOutput {
    if (records.length === 0) return emptyOutput();
    const out = this.run((a) => {
      for (const r of records) a.ingest(r);
    });
    if (out === undefined)
      throw new ConsumerError(`processors::${this.id}: could not persist the analysis state`, {
        permanent: false,
        retryAfterMs: 1000,
      });
    return out;
  }

  /**
   * Like {@link MlCore.analyze}, but a batch whose `key` was analysed recently is not
   * analysed again: its earlier output is returned. Senders retry a batch that a later
   * stage refused (or whose ack they missed), and counting its spans twice would skew
   * windows, volumes and label joins. Keys live in memory only; see the processor docs.
   */
  analyzeOnce(key: string, records: () => readonly SpanRecord[]): MlOutput {
    const seen = this.recent.get(key);
    if (seen !== undefined) {
      this.telemetry.add('mlobs_ml_repeated_batches_total', 1, { processor: this.id });
      return seen;
    }
    const out = this.analyze(records());
    this.recent.set(key, out);
    if (this.recent.size > RECENT_BATCHES) this.recent.delete(this.recent.keys().next().value as string);
    return out;
  }

  /**
   * Sends output to every pipeline it belongs in, except `skip` (the caller forwards that
   * part), then publishes its reactions to watching pipelines.
   */
  async dispatch(out: MlOutput, skip: Signal | undefined): Promise<void> {
    const sends: Promise<void>[] = [];
    if (skip !== 'traces' && out.incidents.length > 0)
      for (const t of this.sinks.traces.slice(0, 1))
        sends.push(t.consumeTraces(incidentsToTracesData(out.incidents, MLOBS_RESOURCE)));
    const logs = skip === 'logs' ? undefined : outputLogs(out);
    if (logs !== undefined) for (const l of this.sinks.logs.slice(0, 1)) sends.push(l.consumeLogs(logs));
    for (const r of await Promise.allSettled(sends))
      if (r.status === 'rejected') {
        this.telemetry.add('mlobs_ml_output_dropped_total', 1, { processor: this.id });
        this.warn('forwarding incidents, findings or reactions', r.reason);
      }
    // Watching pipelines learn of a reaction after its record went out (so their outcome
    // record follows it), once even when a retried batch dispatches the same output again.
    if (out.reactions.length > 0 && !this.published.has(out)) {
      this.published.add(out);
      this.reactionServer?.publish(out.reactions);
    }
  }

  /** Exports the statistics now (tests; they also go out every `metrics_interval`). */
  async flushMetrics(): Promise<void> {
    await this.exportMetrics();
  }

  /** The instrumentation scope of this processor's statistics on the collector's MeterProvider. */
  get metricsScope(): string {
    return `mlobs/processors/${this.id}`;
  }

  /**
   * Reads this processor's scope from the metrics stack and hands it to the metrics
   * pipelines the processor is in; one read at a time (a slow consumer delays the next tick
   * instead of piling reads up).
   */
  private exportMetrics(): Promise<void> {
    const metrics = this.metrics;
    if (metrics === undefined || this.sinks.metrics.length === 0) return Promise.resolve();
    this.exporting ??= (async () => {
      try {
        const data = await metrics.collect([this.metricsScope]);
        if (data.resourceMetrics.length === 0) return;
        await Promise.all(this.sinks.metrics.map((m) => m.consumeMetrics(data)));
      } catch (err) {
        this.telemetry.add('mlobs_ml_output_dropped_total', 1, { processor: this.id });
        this.warn('exporting metrics', err);
      } finally {
        this.exporting = undefined;
      }
    })();
    return this.exporting;
  }

  private open(host: Host): void {
    this.telemetry = host.telemetry;
    const s = this.settings.storage;
    this.store =
      s.type === 'sqlite'
        ? new SqliteAnalysisStore({
            path: s.path,
            configPath: `processors::${this.id}::storage::type`,
            synchronous: s.synchronous,
            maxPredictions: this.settings.maxPending,
          })
        : new InMemoryAnalysisStore({ maxPredictions: this.settings.maxPending });
    const t = host.telemetry;
    this.metrics =
      t.meter !== undefined && t.collect !== undefined
        ? { meter: (s) => t.meter!(s), collect: (s) => t.collect!(s) }
        : new TelemetryRegistry();
    const output = new OtelOutput({ meter: this.metrics.meter(this.metricsScope) });
    this.output = output;
    const listener: AnalysisListener = {
      onWindow: (r) => output.onWindow(r),
      onFinding: (f) => {
        output.onFinding(f);
        this.pending.findings.push(f);
      },
      onIncident: (c, i) => {
        output.onIncident(c, i);
        this.pending.incidents.push(i);
        this.pending.changes.push({ change: c, incident: i });
        if (this.reactionEngine?.enabled)
          for (const r of this.reactionEngine.onIncident(c, i)) {
            output.emitReaction(r);
            this.pending.reactions.push(r);
          }
      },
    };
    this.reactionEngine = new ReactionEngine(this.settings.reactions.policies);
    this.durable = new DurableAnalyzer({ ...this.settings.analyzer, listener }, this.store);
    // Incidents restored from the state file are open: the open-incidents metric starts there.
    for (const i of this.durable.analyzer.openIncidents()) {
      output.onIncident('opened', i);
      // Decided again, not recorded again: reaction ids are stable, so the fallbacks in force
      // before the restart are in force again (watchers see no change) and end when it resolves.
      this.reactionEngine.onIncident('opened', i);
    }
    this.lastStats = this.statsNow();
    const idle = this.settings.idleCloseMs;
    if (idle > 0) {
      const every = Math.min(Math.max(1000, idle / 2), 30_000);
      this.timer = setInterval(() => {
        const out = this.run((a) => a.advanceTo(Date.now() - idle));
        if (out) void this.dispatch(out, undefined);
      }, every);
      this.timer.unref();
    }
    if (this.registered.has('metrics')) {
      this.metricsTimer = setInterval(() => void this.exportMetrics(), this.settings.metricsIntervalMs);
      this.metricsTimer.unref();
    }
  }

  /** Runs one persisted step; undefined (after counting and warning once) if it failed. */
  private run(f: Parameters<DurableAnalyzer['apply']>[0]): MlOutput | undefined {
    const d = this.durable;
    if (d === undefined) return undefined;
    this.pending = emptyOutput();
    try {
      d.apply(f);
    } catch (err) {
      this.telemetry.add('mlobs_ml_store_failures_total', 1, { processor: this.id });
      this.warn('persisting the analysis state', err);
      return undefined;
    } finally {
      this.countStats();
    }
    const out = this.pending;
    this.pending = emptyOutput();
    this.keepReactions(out.reactions);
    this.preparer.poke();
    return out;
  }

  /**
   * Stores reaction records before they are sent anywhere, so the page and `mlobs incidents`
   * show at least what went out. The analysis step they came from is already committed:
   * a failure here is counted and warned about, never a reason to refuse the batch.
   */
  private keepReactions(reactions: readonly Reaction[]): void {
    const store = this.store;
    if (store === undefined || reactions.length === 0) return;
    try {
      store.transaction(() => store.addReactions(reactions));
    } catch (err) {
      this.telemetry.add('mlobs_ml_store_failures_total', 1, { processor: this.id });
      this.warn('storing reaction records', err);
    }
  }

  /** Opens the reaction endpoint when policies and an endpoint are configured. */
  private async serveReactions(): Promise<void> {
    const r = this.settings.reactions;
    if (r.endpoint === undefined) return;
    const server = new ReactionServer({
      active: () => this.activeReactions(),
      onOutcome: (reaction) => {
        this.keepReactions([reaction]);
        this.output?.emitReaction(reaction);
        void this.dispatch({ ...emptyOutput(), reactions: [reaction] }, undefined);
      },
      ...(r.bearerToken === undefined ? {} : { bearerToken: r.bearerToken }),
    });
    this.reactionServer = server;
    this.reactionAddress = await server.start(r.endpoint, `processors::${this.id}: reactions::endpoint`);
  }

  private statsNow(): Record<string, number> {
    const out: Record<string, number> = {};
    const a = this.durable?.analyzer;
    if (a === undefined) return out;
    for (const [k, v] of Object.entries(a.stats)) if (typeof v === 'number') out[k] = v;
    // The component graph's counters (orphan spans, unresolved reads, caps that bound).
    for (const [k, v] of Object.entries({ ...a.topology.stats, ...a.topology.graph.stats }))
      out[`topology${k[0]!.toUpperCase()}${k.slice(1)}`] = v;
    return out;
  }

  /** Adds what the Analyzer counted since the last step to the collector's self-telemetry. */
  private countStats(): void {
    const now = this.statsNow();
    for (const [k, v] of Object.entries(now)) {
      const delta = v - (this.lastStats[k] ?? v);
      if (delta > 0) this.telemetry.add(`mlobs_ml_${snake(k)}_total`, delta, { processor: this.id });
    }
    this.lastStats = now;
  }

  private warn(what: string, err: unknown): void {
    if (this.warned) return;
    this.warned = true;
    diag.warn(
      `mlobs: processors::${this.id} failed ${what}; further failures are only counted`,
      err as object,
    );
  }
}

function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
