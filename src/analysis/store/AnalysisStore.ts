/**
 * Where the analysis keeps what must survive a restart: the Analyzer's state (open windows,
 * reference windows, incident bookkeeping), the label-join store, the results of closed
 * windows, the incidents and the reactions taken for them. Synchronous on purpose: the Analyzer is synchronous, and an
 * embedded database (better-sqlite3) answers in microseconds, so a batch can be analysed
 * and persisted in one transaction before it is acknowledged. The in-memory store is the
 * default for the in-process processor; the collector uses SQLite
 * (`src/collector/store/SqliteAnalysisStore.ts`).
 */
import type { Finding, Incident, StreamKey } from '../../model/finding.js';
import type { Reaction } from '../../model/reaction.js';
import type { LabelJoinStore } from '../labels/LabelJoinStore.js';

/** The results of one closed window, as kept for dashboards and the HTTP API. */
export interface StoredWindow {
  /** The stream. */
  stream: StreamKey;
  /** Window start, ms since the epoch. */
  startMs: number;
  /** Window end (exclusive). */
  endMs: number;
  /** Component runs in the window. */
  runs: number;
  /** Rows in the window. */
  rows: number;
  /** Reference source, or '' while the reference was still being gathered. */
  referenceSource: string;
  /** Findings of the window (after multiple-testing correction). */
  findings: Finding[];
}

/** The serialized Analyzer state as a store holds it (see `stateCodec.ts`). */
export interface StoredState {
  /** Watermark, incidents, counters: one JSON document, or undefined for a new store. */
  global: string | undefined;
  /** One JSON document per stream (open windows and reference windows), by stream id. */
  streams: Map<string, string>;
}

/** A synchronous store of analysis state; one writer (one Analyzer) at a time. */
export interface AnalysisStore {
  /** The label-join store to hand to the Analyzer (writes join the current transaction). */
  readonly labels: LabelJoinStore;
  /** Runs `f` so that everything it writes is kept together or not at all; rethrows. */
  transaction<T>(f: () => T): T;
  /** Reads the saved Analyzer state. */
  loadState(): StoredState;
  /** Replaces the global part of the state. */
  saveGlobal(json: string): void;
  /** Replaces the state of one stream. */
  saveStream(id: string, json: string): void;
  /** Records a closed window's results (a repeated stream and start replaces the older). */
  addWindow(w: StoredWindow): void;
  /** Closed windows, oldest first, ending after `sinceMs` (default all), at most `limit` newest. */
  windows(opts?: { sinceMs?: number; limit?: number }): StoredWindow[];
  /** Inserts or replaces an incident by id. */
  putIncident(i: Incident): void;
  /** Incidents, oldest opened first, optionally only those with a status. */
  incidents(status?: Incident['status']): Incident[];
  /**
   * Appends reaction records (every step: triggered, suppressed, succeeded, failed, undo), as
   * the `ml.reaction` log records carry them, so what mlobs did outlives the process.
   */
  addReactions(reactions: readonly Reaction[]): void;
  /**
   * Reaction records in the order they were added: of one incident when `incidentId` is
   * given, at most the `limit` newest when given.
   */
  reactions(filter?: { incidentId?: string; limit?: number }): Reaction[];
  /** Releases files and handles; the store is unusable afterwards. Safe to call twice. */
  close(): void;
}
