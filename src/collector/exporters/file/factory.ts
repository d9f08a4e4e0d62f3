/** The factory of the `file` exporter. */
import { resolve } from 'node:path';
import type { ExporterFactory } from '../../factory.js';
import { createDefaultFileConfig, type FileConfig, resolveRotation, validateFileConfig } from './config.js';
import { FileExporter } from './FileExporter.js';

/** Builds a `file` exporter (JSON lines) for any signal; relative paths are from the working directory. */
export const fileExporterFactory: ExporterFactory<FileConfig> = {
  type: 'file',
  signals: ['traces', 'logs', 'metrics'],
  createDefaultConfig: createDefaultFileConfig,
  validate: validateFileConfig,
  createExporter: (settings, config) =>
    new FileExporter({
      id: settings.id,
      path: resolve(process.cwd(), config.path),
      append: config.append,
      followSymlinks: config.follow_symlinks,
      rotation: resolveRotation(config),
    }),
};
