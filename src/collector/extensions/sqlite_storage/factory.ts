/** Factory of the `sqlite_storage` extension. */
import type { ExtensionFactory } from '../../factory.js';
import {
  createDefaultSqliteStorageConfig,
  type SqliteStorageConfig,
  validateSqliteStorageConfig,
} from './config.js';
import { SqliteStorageExtension } from './SqliteStorageExtension.js';

/** Builds `sqlite_storage` extensions. */
export const sqliteStorageExtensionFactory: ExtensionFactory<SqliteStorageConfig> = {
  type: 'sqlite_storage',
  createDefaultConfig: createDefaultSqliteStorageConfig,
  validate: validateSqliteStorageConfig,
  createExtension: (settings, config) =>
    new SqliteStorageExtension(settings.id, config.path, config.synchronous === 'normal' ? 'normal' : 'full'),
};
