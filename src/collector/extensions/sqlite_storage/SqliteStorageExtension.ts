/**
 * The `sqlite_storage` extension: one SQLite database (WAL) opened at start and closed after
 * every component that uses it has stopped (the service stops extensions last). Exporters ask
 * it for their persistent sending queue by their own id.
 */
import { closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { ErrorCodes, MlobsError } from '../../../errors.js';
import type { Component } from '../../component.js';
import { SqliteQueueStore } from '../../store/SqliteQueueStore.js';
import { sqliteDriver } from '../../store/sqliteDriver.js';

/** What a storage extension offers the components that name it. */
export interface StorageExtension {
  /** The persistent queue rows of `owner` (an exporter id). */
  queueStore(owner: string): SqliteQueueStore;
}

/** True when `x` is a started storage extension. */
export function isStorageExtension(x: unknown): x is StorageExtension {
  return typeof (x as StorageExtension | undefined)?.queueStore === 'function';
}

/** A SQLite database for component state. */
export class SqliteStorageExtension implements Component, StorageExtension {
  private db: Database.Database | undefined;

  constructor(
    private readonly id: string,
    private readonly path: string,
    private readonly synchronous: 'full' | 'normal',
  ) {}

  /** Opens (creating, private) the database. */
  async start(): Promise<void> {
    if (this.db) return;
    // Outside the try: a missing driver is its own error (what to install), not a bad file.
    const Driver = sqliteDriver(`extensions::${this.id}`);
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      closeSync(openSync(this.path, constants.O_RDWR | constants.O_CREAT, 0o600));
      const db = new Driver(this.path);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${this.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      db.pragma('busy_timeout = 5000');
      this.db = db;
    } catch (err) {
      throw new MlobsError(
        ErrorCodes.MLOBS_ERR_STORE,
        `extensions::${this.id}: cannot open ${this.path}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  /** The queue rows of `owner`; only after start. */
  queueStore(owner: string): SqliteQueueStore {
    if (!this.db)
      throw new MlobsError(ErrorCodes.MLOBS_ERR_SERVICE_STATE, `extensions::${this.id} is not started`);
    return new SqliteQueueStore(this.db, owner);
  }

  /** Closes the database. */
  async shutdown(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    db?.close();
  }
}
