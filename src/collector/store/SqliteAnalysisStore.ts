/**
 * The collector's durable {@link AnalysisStore}: one SQLite file (better-sqlite3) in WAL
 * mode. Each batch is one transaction, committed before the batch is acknowledged.
 *
 * `synchronous=FULL` is the default: with WAL, NORMAL already survives a killed process
 * (committed pages sit in the WAL in the OS cache), but only FULL fsyncs the WAL on every
 * commit, so an acknowledged batch also survives a power cut or kernel crash, which is the
 * promise OTLP senders rely on when they drop data after an ack. It costs one fsync per
 * batch; `synchronous: normal` trades that guarantee for throughput.
 */
import { closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { streamIdOf } from '../../analysis/observation.js';
import type { AnalysisStore, StoredState, StoredWindow } from '../../analysis/store/AnalysisStore.js';
import { ErrorCodes, MlobsError } from '../../errors.js';
import type { Incident } from '../../model/finding.js';
import type { Reaction } from '../../model/reaction.js';
import { SqliteLabelJoinStore } from './SqliteLabelJoinStore.js';
import { sqliteDriver } from './sqliteDriver.js';

/** Options of {@link SqliteAnalysisStore}. */
export interface SqliteAnalysisStoreOptions {
  /** Database file (`:memory:` for a private in-memory database); parent folders are created. */
  path: string;
  /** The config setting that asked for this store, named when better-sqlite3 is not installed. */
  configPath?: string;
  /** `full` (default) or `normal`, see the file comment. */
  synchronous?: 'full' | 'normal';
  /** Predictions awaiting labels (default 100 000). */
  maxPredictions?: number;
  /** Closed-window results kept, oldest deleted first (default 100 000). */
  maxWindows?: number;
  /** Reaction records kept, oldest deleted first (default 100 000). */
  maxReactions?: number;
}

/** 2 added the reactions table; a version-1 file gains it when opened, and keeps everything else. */
const SCHEMA_VERSION = 2;

/** An {@link AnalysisStore} in one SQLite file. */
export class SqliteAnalysisStore implements AnalysisStore {
  readonly labels: SqliteLabelJoinStore;
  private readonly db: Database.Database;
  private readonly maxWindows: number;
  private readonly maxReactions: number;
  private windowInserts = 0;
  private reactionInserts = 0;
  private closed = false;
  private readonly stmt: Record<
    | 'getState'
    | 'putState'
    | 'putWindow'
    | 'pruneWindows'
    | 'putIncident'
    | 'allIncidents'
    | 'putReaction'
    | 'pruneReactions'
    | 'allReactions'
    | 'incidentReactions',
    Database.Statement<unknown[]>
  >;

  /** Opens (creating if needed) the database; throws MLOBS_ERR_STORE naming the path. */
  constructor(opts: SqliteAnalysisStoreOptions) {
    this.maxWindows = opts.maxWindows ?? 100_000;
    this.maxReactions = opts.maxReactions ?? 100_000;
    try {
      // The driver first: without it, no empty state file is left behind.
      const Driver = sqliteDriver(opts.configPath ?? 'storage::type');
      if (opts.path !== ':memory:') {
        mkdirSync(dirname(opts.path), { recursive: true, mode: 0o700 });
        // State holds feature values and ids: create it private. SQLite gives its -wal and
        // -shm files the database file's permissions.
        closeSync(openSync(opts.path, constants.O_RDWR | constants.O_CREAT, 0o600));
      }
      this.db = new Driver(opts.path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${opts.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      this.db.pragma('busy_timeout = 5000');
      this.migrate();
      this.labels = new SqliteLabelJoinStore(this.db, opts.maxPredictions);
      this.stmt = {
        getState: this.db.prepare('SELECT key, value FROM state'),
        putState: this.db.prepare('INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)'),
        putWindow: this.db.prepare(
          `INSERT OR REPLACE INTO windows (stream_id, start_ms, end_ms, body) VALUES (?, ?, ?, ?)`,
        ),
        pruneWindows: this.db.prepare(
          'DELETE FROM windows WHERE rowid IN (SELECT rowid FROM windows ORDER BY end_ms LIMIT ?)',
        ),
        putIncident: this.db.prepare(
          'INSERT OR REPLACE INTO incidents (id, status, opened_at_ms, body) VALUES (?, ?, ?, ?)',
        ),
        allIncidents: this.db.prepare('SELECT status, body FROM incidents ORDER BY opened_at_ms, id'),
        putReaction: this.db.prepare('INSERT INTO reactions (incident_id, at_ms, body) VALUES (?, ?, ?)'),
        pruneReactions: this.db.prepare(
          'DELETE FROM reactions WHERE seq IN (SELECT seq FROM reactions ORDER BY seq LIMIT ?)',
        ),
        allReactions: this.db.prepare('SELECT body FROM reactions ORDER BY seq DESC LIMIT ?'),
        incidentReactions: this.db.prepare(
          'SELECT body FROM reactions WHERE incident_id = ? ORDER BY seq DESC LIMIT ?',
        ),
      };
    } catch (err) {
      if (err instanceof MlobsError) throw err;
      throw new MlobsError(
        ErrorCodes.MLOBS_ERR_STORE,
        `cannot open the state database ${opts.path}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  transaction<T>(f: () => T): T {
    try {
      return this.db.transaction(f)();
    } catch (err) {
      // The rollback undid label rows too; the cached row count must follow.
      this.labels.resync();
      throw err;
    }
  }

  loadState(): StoredState {
    const out: StoredState = { global: undefined, streams: new Map() };
    for (const row of this.stmt.getState.all() as { key: string; value: string }[]) {
      if (row.key === 'global') out.global = row.value;
      else if (row.key.startsWith('stream:')) out.streams.set(row.key.slice(7), row.value);
    }
    return out;
  }

  saveGlobal(json: string): void {
    this.stmt.putState.run('global', json);
  }

  saveStream(id: string, json: string): void {
    this.stmt.putState.run(`stream:${id}`, json);
  }

  addWindow(w: StoredWindow): void {
    this.stmt.putWindow.run(streamIdOf(w.stream), w.startMs, w.endMs, JSON.stringify(w));
    // Counting is cheaper than a count(*) per insert; prune in steps of 1% of the cap.
    if (++this.windowInserts % Math.max(1, Math.floor(this.maxWindows / 100)) === 0) {
      const n = (this.db.prepare('SELECT count(*) AS n FROM windows').get() as { n: number }).n;
      if (n > this.maxWindows) this.stmt.pruneWindows.run(n - this.maxWindows);
    }
  }

  windows(opts: { sinceMs?: number; limit?: number } = {}): StoredWindow[] {
    const rows = this.db
      .prepare('SELECT body FROM windows WHERE end_ms > ? ORDER BY end_ms DESC, stream_id LIMIT ?')
      .all(opts.sinceMs ?? -1e300, opts.limit ?? -1) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as StoredWindow).reverse();
  }

  putIncident(i: Incident): void {
    this.stmt.putIncident.run(i.id, i.status, i.openedAtMs, JSON.stringify(i));
  }

  incidents(status?: Incident['status']): Incident[] {
    const rows = this.stmt.allIncidents.all() as { status: string; body: string }[];
    // Incidents stored before the diagnosis existed have no causes.
    return rows
      .filter((r) => status === undefined || r.status === status)
      .map((r) => ({ causes: [], ...JSON.parse(r.body) }) as Incident);
  }

  addReactions(reactions: readonly Reaction[]): void {
    for (const r of reactions) this.stmt.putReaction.run(r.incidentId, r.atMs, JSON.stringify(r));
    const step = Math.max(1, Math.floor(this.maxReactions / 100));
    const before = this.reactionInserts;
    this.reactionInserts += reactions.length;
    if (Math.floor(before / step) === Math.floor(this.reactionInserts / step)) return;
    const n = (this.db.prepare('SELECT count(*) AS n FROM reactions').get() as { n: number }).n;
    if (n > this.maxReactions) this.stmt.pruneReactions.run(n - this.maxReactions);
  }

  reactions(filter: { incidentId?: string; limit?: number } = {}): Reaction[] {
    const limit = filter.limit ?? -1;
    const rows = (
      filter.incidentId === undefined
        ? this.stmt.allReactions.all(limit)
        : this.stmt.incidentReactions.all(filter.incidentId, limit)
    ) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as Reaction).reverse();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION)
      throw new MlobsError(
        ErrorCodes.MLOBS_ERR_STORE,
        `state database ${this.db.name} has schema version ${version}; this mlobs understands up to ${SCHEMA_VERSION}`,
      );
    this.db.exec(`CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS windows (stream_id TEXT NOT NULL, start_ms REAL NOT NULL,
        end_ms REAL NOT NULL, body TEXT NOT NULL, PRIMARY KEY (stream_id, start_ms));
      CREATE INDEX IF NOT EXISTS windows_end ON windows(end_ms);
      CREATE TABLE IF NOT EXISTS incidents (id TEXT PRIMARY KEY, status TEXT NOT NULL,
        opened_at_ms REAL NOT NULL, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS reactions (seq INTEGER PRIMARY KEY AUTOINCREMENT,
        incident_id TEXT NOT NULL, at_ms REAL NOT NULL, body TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS reactions_incident ON reactions(incident_id, seq);`);
    this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }
}
