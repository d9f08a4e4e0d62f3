/**
 * The default {@link AnalysisStore}: everything in memory, nothing survives the process.
 * It exists so the in-process processor and tests run the same persistence path as the
 * collector; "transactions" just run the function, since a single-threaded writer has
 * nothing to roll back against. Closed windows and resolved incidents are capped.
 */
import type { Incident } from '../../model/finding.js';
import type { Reaction } from '../../model/reaction.js';
import { InMemoryLabelJoinStore } from '../labels/InMemoryLabelJoinStore.js';
import type { LabelJoinStore } from '../labels/LabelJoinStore.js';
import { streamIdOf } from '../observation.js';
import type { AnalysisStore, StoredState, StoredWindow } from './AnalysisStore.js';

/** Caps of the in-memory store. */
export interface InMemoryAnalysisStoreOptions {
  /** Predictions awaiting labels (default 100 000). */
  maxPredictions?: number;
  /** Closed windows kept, oldest dropped first (default 10 000). */
  maxWindows?: number;
  /** Incidents kept; resolved ones are dropped oldest first (default 10 000). */
  maxIncidents?: number;
  /** Reaction records kept, oldest dropped first (default 10 000). */
  maxReactions?: number;
}

/** An {@link AnalysisStore} in plain maps. */
export class InMemoryAnalysisStore implements AnalysisStore {
  readonly labels: LabelJoinStore;
  private global: string | undefined;
  private readonly streams = new Map<string, string>();
  private readonly closed = new Map<string, StoredWindow>();
  private readonly byId = new Map<string, Incident>();
  private readonly kept: Reaction[] = [];
  private readonly maxWindows: number;
  private readonly maxIncidents: number;
  private readonly maxReactions: number;

  constructor(opts: InMemoryAnalysisStoreOptions = {}) {
    this.labels = new InMemoryLabelJoinStore(opts.maxPredictions);
    this.maxWindows = positive(opts.maxWindows ?? 10_000, 'maxWindows');
    this.maxIncidents = positive(opts.maxIncidents ?? 10_000, 'maxIncidents');
    this.maxReactions = positive(opts.maxReactions ?? 10_000, 'maxReactions');
  }

  transaction<T>(f: () => T): T {
    return f();
  }

  loadState(): StoredState {
    return { global: this.global, streams: new Map(this.streams) };
  }

  saveGlobal(json: string): void {
    this.global = json;
  }

  saveStream(id: string, json: string): void {
    this.streams.set(id, json);
  }

  addWindow(w: StoredWindow): void {
    const key = JSON.stringify([streamIdOf(w.stream), w.startMs]);
    this.closed.delete(key);
    this.closed.set(key, w);
    if (this.closed.size > this.maxWindows) this.closed.delete(this.closed.keys().next().value as string);
  }

  windows(opts: { sinceMs?: number; limit?: number } = {}): StoredWindow[] {
    const since = opts.sinceMs ?? Number.NEGATIVE_INFINITY;
    const all = [...this.closed.values()].filter((w) => w.endMs > since);
    all.sort((a, b) => a.endMs - b.endMs);
    return opts.limit === undefined ? all : all.slice(Math.max(0, all.length - opts.limit));
  }

  putIncident(i: Incident): void {
    this.byId.set(i.id, structuredClone(i));
    if (this.byId.size <= this.maxIncidents) return;
    for (const [id, x] of this.byId)
      if (x.status === 'resolved') {
        this.byId.delete(id);
        return;
      }
  }

  incidents(status?: Incident['status']): Incident[] {
    const out = [...this.byId.values()].filter((i) => status === undefined || i.status === status);
    return out.sort((a, b) => a.openedAtMs - b.openedAtMs);
  }

  addReactions(reactions: readonly Reaction[]): void {
    for (const r of reactions) this.kept.push(structuredClone(r));
    if (this.kept.length > this.maxReactions) this.kept.splice(0, this.kept.length - this.maxReactions);
  }

  reactions(filter: { incidentId?: string; limit?: number } = {}): Reaction[] {
    const id = filter.incidentId;
    const all = id === undefined ? this.kept : this.kept.filter((r) => r.incidentId === id);
    const from = filter.limit === undefined ? 0 : Math.max(0, all.length - filter.limit);
    return all.slice(from).map((r) => structuredClone(r));
  }

  close(): void {}
}

function positive(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`InMemoryAnalysisStore: ${what} must be a positive integer, got ${n}`);
  return n;
}
