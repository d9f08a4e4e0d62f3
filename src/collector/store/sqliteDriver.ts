/**
 * better-sqlite3, loaded on first use. It is an optional peer dependency of mlobs (a native
 * module that takes minutes to compile where no prebuilt binary can be fetched), so an app that
 * only records — the SDK, `mlobs/register`, `instrumentPredict` — never builds or loads it; only
 * the collector parts that keep SQLite state call this, at start.
 */
import type Database from 'better-sqlite3';
import { ErrorCodes, MlobsError } from '../../errors.js';

/** The command that installs the driver next to mlobs (the major version mlobs is tested with). */
export const SQLITE_INSTALL_COMMAND = 'npm install better-sqlite3@12';

let driver: typeof Database | undefined;

/**
 * The better-sqlite3 constructor. When the package is not installed, throws
 * MLOBS_ERR_DEPENDENCY_MISSING naming `configPath` (the setting that asked for SQLite) and the
 * install command; any other loading error is passed on unchanged.
 */
export function sqliteDriver(configPath: string): typeof Database {
  if (driver !== undefined) return driver;
  try {
    // A lazy require rather than a top-level import: loading mlobs must not load the native module.
    driver = require('better-sqlite3') as typeof Database;
  } catch (err) {
    if (!isMissing(err)) throw err;
    throw new MlobsError(
      ErrorCodes.MLOBS_ERR_DEPENDENCY_MISSING,
      `${configPath}: SQLite storage needs the optional dependency better-sqlite3, which is not installed; ` +
        `run \`${SQLITE_INSTALL_COMMAND}\` in the project that runs the collector` +
        (configPath.startsWith('processors::') ? ', or keep the state in memory (lost on restart)' : ''),
      { cause: err },
    );
  }
  return driver;
}

function isMissing(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return e.code === 'MODULE_NOT_FOUND' && String(e.message).includes("'better-sqlite3'");
}
