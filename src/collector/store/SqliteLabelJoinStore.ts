/**
 * The label-join store in SQLite: predictions wait in a table until their label arrives,
 * they expire or the table is full. It shares the connection of
 * {@link SqliteAnalysisStore}, so its writes join the transaction of the batch being
 * analysed and are kept exactly when the batch is acknowledged.
 */
import type Database from 'better-sqlite3';
import type { LabelJoinStore, StoredPrediction } from '../../analysis/labels/LabelJoinStore.js';

/** A size-capped label-join store on an open better-sqlite3 connection. */
export class SqliteLabelJoinStore implements LabelJoinStore {
  private count: number;
  private evictedCount = 0;
  private readonly del: Database.Statement<[string]>;
  private readonly ins: Database.Statement<unknown[]>;
  private readonly get: Database.Statement<[string]>;
  private readonly old: Database.Statement<[number]>;
  private readonly evict: Database.Statement<[number]>;

  /** Creates the table if needed; `maxEntries` predictions are held at most, oldest evicted first. */
  constructor(
    private readonly db: Database.Database,
    private readonly maxEntries = 100_000,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries <= 0)
      throw new RangeError(`SqliteLabelJoinStore: maxEntries must be a positive integer, got ${maxEntries}`);
    db.exec(`CREATE TABLE IF NOT EXISTS predictions (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      stream TEXT NOT NULL,
      task TEXT,
      predicted_class TEXT NOT NULL,
      score REAL,
      at_ms REAL NOT NULL);
      CREATE INDEX IF NOT EXISTS predictions_at ON predictions(at_ms);`);
    this.del = db.prepare('DELETE FROM predictions WHERE id = ?');
    this.ins = db.prepare(
      'INSERT INTO predictions (id, stream, task, predicted_class, score, at_ms) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.get = db.prepare('SELECT stream, task, predicted_class, score, at_ms FROM predictions WHERE id = ?');
    this.old = db.prepare('DELETE FROM predictions WHERE at_ms < ?');
    this.evict = db.prepare(
      'DELETE FROM predictions WHERE seq IN (SELECT seq FROM predictions ORDER BY seq LIMIT ?)',
    );
    this.count = (db.prepare('SELECT count(*) AS n FROM predictions').get() as { n: number }).n;
  }

  put(id: string, p: StoredPrediction): void {
    this.count -= this.del.run(id).changes;
    this.ins.run(
      id,
      JSON.stringify(p.stream),
      p.task ?? null,
      p.predictedClass,
      Number.isFinite(p.score) ? p.score : null,
      p.atMs,
    );
    this.count++;
    if (this.count > this.maxEntries) {
      const n = this.evict.run(this.count - this.maxEntries).changes;
      this.count -= n;
      this.evictedCount += n;
    }
  }

  take(id: string): StoredPrediction | undefined {
    const row = this.get.get(id) as
      | { stream: string; task: string | null; predicted_class: string; score: number | null; at_ms: number }
      | undefined;
    if (row === undefined) return undefined;
    this.count -= this.del.run(id).changes;
    return {
      stream: JSON.parse(row.stream),
      task: row.task === 'classification' || row.task === 'regression' ? row.task : undefined,
      predictedClass: row.predicted_class,
      score: row.score ?? Number.NaN,
      atMs: row.at_ms,
    };
  }

  expire(beforeMs: number): number {
    const n = this.old.run(beforeMs).changes;
    this.count -= n;
    return n;
  }

  get size(): number {
    return this.count;
  }

  /** Evicted since this process opened the store (not persisted). */
  get evicted(): number {
    return this.evictedCount;
  }

  /** Re-reads the row count, after a rolled-back transaction made the cached one wrong. */
  resync(): void {
    this.count = (this.db.prepare('SELECT count(*) AS n FROM predictions').get() as { n: number }).n;
  }
}
