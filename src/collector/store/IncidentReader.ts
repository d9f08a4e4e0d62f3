/**
 * Reads the incidents, closed windows and saved state of a collector's state database without
 * writing to it, so `mlobs incidents` and `mlobs diagnose` can look while the collector runs
 * (SQLite WAL lets one writer and many readers share the file). It is a {@link StateView}: the
 * commands answer through the same API functions as the web page (`api/stateApi.ts`).
 */
import type Database from 'better-sqlite3';
import type { StoredState, StoredWindow } from '../../analysis/store/AnalysisStore.js';
import { ErrorCodes, MlobsError } from '../../errors.js';
import type { Incident } from '../../model/finding.js';
import type { Reaction } from '../../model/reaction.js';
import type { StateView } from '../api/stateApi.js';
import { sqliteDriver } from './sqliteDriver.js';

/** Read-only access to the incidents, closed windows and saved state of a state database. */
export class IncidentReader implements StateView {
  private readonly db: Database.Database;

  /** Opens `path` read-only; throws MLOBS_ERR_STORE naming the path when it cannot. */
  constructor(readonly path: string) {
    const Driver = sqliteDriver('--state');
    try {
      this.db = new Driver(path, { readonly: true, fileMustExist: true });
      this.db.pragma('busy_timeout = 5000');
      this.db.prepare('SELECT 1 FROM incidents LIMIT 1').all();
    } catch (err) {
      throw new MlobsError(
        ErrorCodes.MLOBS_ERR_STORE,
        `cannot read incidents from ${path}: ${(err as Error).message}` +
          ' (is it the state.db of an mlobs collector with an ml processor storage path?)',
        { cause: err },
      );
    }
  }

  /** Incidents, oldest opened first, optionally only open or resolved ones. */
  incidents(status?: Incident['status']): Incident[] {
    const rows = this.db.prepare('SELECT status, body FROM incidents ORDER BY opened_at_ms, id').all() as {
      status: string;
      body: string;
    }[];
    return rows.filter((r) => status === undefined || r.status === status).map((r) => parseIncident(r.body));
  }

  /** Closed windows, oldest first, ending after `sinceMs`, at most `limit` newest. */
  windows(opts: { sinceMs?: number; limit?: number } = {}): StoredWindow[] {
    const rows = this.db
      .prepare('SELECT body FROM windows WHERE end_ms > ? ORDER BY end_ms DESC, stream_id LIMIT ?')
      .all(opts.sinceMs ?? -1e300, opts.limit ?? -1) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as StoredWindow).reverse();
  }

  /** The saved Analyzer state documents, as the collector last committed them. */
  loadState(): StoredState {
    const out: StoredState = { global: undefined, streams: new Map() };
    for (const row of this.db.prepare('SELECT key, value FROM state').all() as {
      key: string;
      value: string;
    }[]) {
      if (row.key === 'global') out.global = row.value;
      else if (row.key.startsWith('stream:')) out.streams.set(row.key.slice(7), row.value);
    }
    return out;
  }

  /** Reaction records in the order they were taken, of one incident and at most the `limit` newest when given. */
  reactions(filter: { incidentId?: string; limit?: number } = {}): Reaction[] {
    // A state file written before reactions were kept (schema version 1) has no such table.
    const table = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reactions'")
      .get();
    if (table === undefined) return [];
    const limit = filter.limit ?? -1;
    const rows = (
      filter.incidentId === undefined
        ? this.db.prepare('SELECT body FROM reactions ORDER BY seq DESC LIMIT ?').all(limit)
        : this.db
            .prepare('SELECT body FROM reactions WHERE incident_id = ? ORDER BY seq DESC LIMIT ?')
            .all(filter.incidentId, limit)
    ) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as Reaction).reverse();
  }

  /** Closes the file. */
  close(): void {
    this.db.close();
  }
}

function parseIncident(body: string): Incident {
  // Incidents stored before the diagnosis existed have no causes.
  return { causes: [], ...JSON.parse(body) } as Incident;
}
