/**
 * An Analyzer whose state lives in an {@link AnalysisStore}. Every change goes through
 * {@link DurableAnalyzer.apply}, which runs the ingestion and writes what changed (the
 * streams touched, the global state, closed-window results, incidents, label-join entries)
 * in one store transaction. Listener events are held until that transaction commits, so
 * nothing is reported that a crash could take back; if persisting fails, the in-memory
 * state is rebuilt from the store, so a retried batch is not counted twice.
 */
import type { Finding, Incident } from '../../model/finding.js';
import type { AnalysisListener, WindowReport } from '../AnalysisListener.js';
import { Analyzer, type AnalyzerOptions } from '../Analyzer.js';
import type { IncidentChange } from '../incidents/IncidentManager.js';
import type { AnalysisStore } from './AnalysisStore.js';
import { decodeState, encodeGlobal, encodeStream } from './stateCodec.js';

type Event =
  | { kind: 'window'; report: WindowReport }
  | { kind: 'finding'; finding: Finding }
  | { kind: 'incident'; change: IncidentChange; incident: Incident };

/** An Analyzer persisted batch by batch. */
export class DurableAnalyzer {
  private current: Analyzer;
  private queue: Event[] = [];
  /** What was last stored of each open incident, to store only incidents that changed. */
  private readonly saved = new Map<string, string>();

  /** Restores the state the store holds (if any) into a new Analyzer. */
  constructor(
    private readonly opts: AnalyzerOptions,
    private readonly store: AnalysisStore,
  ) {
    this.current = this.load();
  }

  /** The live Analyzer, for reading (stats, open incidents); change it only through `apply`. */
  get analyzer(): Analyzer {
    return this.current;
  }

  /**
   * Runs `f` against the Analyzer and persists every change in one transaction, then hands
   * the events it produced to the listener. Throws (after rebuilding from the store) if
   * the store fails; the caller should then refuse the batch as retryable.
   */
  apply(f: (a: Analyzer) => void): void {
    this.queue = [];
    try {
      this.store.transaction(() => {
        f(this.current);
        this.saveQuietIncidentChanges();
        const snap = this.current.snapshot();
        for (const s of snap.streams) this.store.saveStream(s.id, encodeStream(s));
        this.store.saveGlobal(encodeGlobal(snap));
      });
    } catch (err) {
      this.queue = [];
      this.saved.clear();
      this.current = this.load();
      throw err;
    }
    const events = this.queue;
    this.queue = [];
    this.deliver(events);
  }

  /**
   * Findings that join an open incident without changing what people see emit no event,
   * but the stored incident must still count them.
   */
  private saveQuietIncidentChanges(): void {
    for (const i of this.current.openIncidents()) {
      const sig = `${i.findingCount}/${i.lastFindingAtMs}/${i.severity}`;
      if (this.saved.get(i.id) === sig) continue;
      this.store.putIncident(i);
      this.saved.set(i.id, sig);
    }
    if (this.saved.size > 4 * this.current.openIncidents().length + 100) {
      const open = new Set(this.current.openIncidents().map((i) => i.id));
      for (const id of this.saved.keys()) if (!open.has(id)) this.saved.delete(id);
    }
  }

  private load(): Analyzer {
    const a = new Analyzer({
      ...this.opts,
      labels: { ...this.opts.labels, store: this.store.labels },
      listener: this.recorder(),
    });
    const state = decodeState(this.store.loadState());
    if (state !== undefined) a.restore(state);
    return a;
  }

  /** Writes window results and incidents inside the transaction and queues the events. */
  private recorder(): AnalysisListener {
    return {
      onWindow: (report) => {
        this.store.addWindow({
          stream: report.stream,
          startMs: report.startMs,
          endMs: report.endMs,
          runs: report.runs,
          rows: report.rows,
          referenceSource: report.referenceSource ?? '',
          findings: report.findings,
        });
        this.queue.push({ kind: 'window', report });
      },
      onFinding: (finding) => this.queue.push({ kind: 'finding', finding }),
      onIncident: (change, incident) => {
        this.store.putIncident(incident);
        this.queue.push({ kind: 'incident', change, incident: structuredClone(incident) });
      },
    };
  }

  private deliver(events: Event[]): void {
    const l = this.opts.listener;
    if (!l) return;
    for (const e of events) {
      try {
        if (e.kind === 'window') l.onWindow?.(e.report);
        else if (e.kind === 'finding') l.onFinding?.(e.finding);
        else l.onIncident?.(e.change, e.incident);
      } catch (err) {
        this.current.stats.listenerError(`on${e.kind[0]?.toUpperCase()}${e.kind.slice(1)}`, err);
      }
    }
  }
}
