/**
 * Config of the `sqlite_storage` extension, mlobs' counterpart of the Collector's `file_storage`:
 * a SQLite database that components (an exporter's `sending_queue::storage`) keep state in.
 */
import { show } from '../../config/values.js';
import type { ConfigProblem } from '../../factory.js';

/** The `extensions::sqlite_storage` config as written. */
export interface SqliteStorageConfig {
  /** The database file; its directory is created 0700, the file 0600. */
  path: string;
  /** `full` (default: a write is on disk before it is acknowledged) or `normal` (faster; the last writes may be lost in a power cut, not in a process crash). */
  synchronous: string;
}

/** Defaults: `./.mlobs/storage.db`, synchronous FULL. */
export function createDefaultSqliteStorageConfig(): SqliteStorageConfig {
  return { path: './.mlobs/storage.db', synchronous: 'full' };
}

/** Every problem with the config; paths are relative to the extension. */
export function validateSqliteStorageConfig(c: SqliteStorageConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (typeof c.path !== 'string' || c.path === '')
    problems.push({ path: 'path', message: 'must be the path of the SQLite database file' });
  if (c.synchronous !== 'full' && c.synchronous !== 'normal')
    problems.push({ path: 'synchronous', message: `must be full or normal, got ${show(c.synchronous)}` });
  return problems;
}
