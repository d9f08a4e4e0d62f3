/**
 * The persistent sending queue's table: export requests an exporter accepted and has not yet
 * delivered (or given up on), as encoded bytes, one row each. A row is written, durably, before
 * the exporter acknowledges the batch, and deleted once the request is done with, so after a
 * crash (even SIGKILL) the next start finds exactly what was acknowledged and not delivered.
 */
import type Database from 'better-sqlite3';
import type { Signal } from '../component.js';

/** One stored request. */
export interface StoredRequest {
  /** Row id, increasing in the order requests were queued. */
  id: number;
  /** Its signal. */
  signal: Signal;
  /** Items in it. */
  count: number;
  /** The encoded export request. */
  body: Buffer;
}

/** The queue rows of one owner (an exporter id) in a shared SQLite database. */
export class SqliteQueueStore {
  private readonly ins: Database.Statement<unknown[]>;
  private readonly del: Database.Statement<[number]>;
  private readonly list: Database.Statement<[string]>;

  /** Creates the table if needed. */
  constructor(
    db: Database.Database,
    /** Whose rows these are: several exporters can share one database. */
    readonly owner: string,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS send_queue (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      owner TEXT NOT NULL,
      signal TEXT NOT NULL,
      count INTEGER NOT NULL,
      body BLOB NOT NULL);
      CREATE INDEX IF NOT EXISTS send_queue_owner ON send_queue(owner, id);`);
    this.ins = db.prepare('INSERT INTO send_queue (owner, signal, count, body) VALUES (?, ?, ?, ?)');
    this.del = db.prepare('DELETE FROM send_queue WHERE id = ?');
    this.list = db.prepare('SELECT id, signal, count, body FROM send_queue WHERE owner = ? ORDER BY id');
  }

  /** Stores a request; returns its id once it is on disk (per the database's `synchronous`). */
  put(signal: Signal, count: number, body: Uint8Array): number {
    return Number(this.ins.run(this.owner, signal, count, body).lastInsertRowid);
  }

  /** Forgets a request (delivered, refused for good, or counted as dropped). */
  remove(id: number): void {
    this.del.run(id);
  }

  /** Every stored request of this owner, oldest first. */
  all(): StoredRequest[] {
    return this.list.all(this.owner) as StoredRequest[];
  }
}
