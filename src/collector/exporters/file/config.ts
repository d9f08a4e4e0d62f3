/**
 * Config of the `file` exporter, as the OpenTelemetry Collector spells it: `path`
 * (required), optional size-based `rotation`, `append` (default true: never lose what a
 * previous run wrote, as the Collector's exporter does when rotating), `follow_symlinks`.
 * `rotation` being present (even empty) turns rotation on with the Collector's defaults.
 */

import { isMap } from '../../config/decode.js';
import { show } from '../../config/values.js';
import type { ConfigProblem } from '../../factory.js';

/** The `exporters::file` config as written in YAML. */
export interface FileConfig {
  /** The JSON-lines file to write; its directory is created if missing. */
  path: string;
  /** `{ max_megabytes, max_backups }`; null means no rotation. */
  rotation: { max_megabytes?: number; max_backups?: number } | null;
  /** Only `json` (one OTLP/JSON request per line) is supported. */
  format: string;
  /** Keep what the file already holds (default); false truncates it at the first write. */
  append: boolean;
  /** Write through a symlink at `path`; refused by default. */
  follow_symlinks: boolean;
}

/** Rotation with defaults filled in. */
export interface RotationSettings {
  /** Rotate before a write would take the file past this many bytes. */
  maxBytes: number;
  /** Rotated files to keep; older ones are deleted. 0 keeps them all. */
  maxBackups: number;
}

const ROTATION_KEYS = ['max_megabytes', 'max_backups'];

/** A fresh default config; `path` must still be set. */
export function createDefaultFileConfig(): FileConfig {
  return { path: '', rotation: null, format: 'json', append: true, follow_symlinks: false };
}

/** Every problem with a file exporter config. */
export function validateFileConfig(config: FileConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (typeof config.path !== 'string' || config.path.trim() === '') {
    problems.push({ path: 'path', message: 'is required (the JSON-lines file to write)' });
  }
  if (config.format !== 'json') {
    problems.push({ path: 'format', message: `only "json" is supported, got ${show(config.format)}` });
  }
  for (const key of ['append', 'follow_symlinks'] as const)
    if (typeof config[key] !== 'boolean')
      problems.push({ path: key, message: `must be true or false, got ${show(config[key])}` });
  const rotation: unknown = config.rotation;
  if (rotation !== null) {
    if (!isMap(rotation)) {
      problems.push({
        path: 'rotation',
        message: `must be a map with max_megabytes and max_backups, got ${show(rotation)}`,
      });
      return problems;
    }
    for (const [key, value] of Object.entries(rotation)) {
      if (!ROTATION_KEYS.includes(key)) {
        problems.push({
          path: `rotation::${key}`,
          message: `unknown key "${key}" (allowed: ${ROTATION_KEYS.join(', ')})`,
        });
      } else if (
        key === 'max_megabytes' &&
        !(typeof value === 'number' && Number.isInteger(value) && value > 0)
      ) {
        problems.push({
          path: 'rotation::max_megabytes',
          message: `must be > 0 (a whole number), got ${show(value)}`,
        });
      } else if (
        key === 'max_backups' &&
        !(typeof value === 'number' && Number.isInteger(value) && value >= 0)
      ) {
        problems.push({
          path: 'rotation::max_backups',
          message: `must be a whole number >= 0, got ${show(value)}`,
        });
      }
    }
  }
  return problems;
}

/** Rotation settings from a validated config (Collector defaults: 100 MiB, 100 backups), or undefined. */
export function resolveRotation(config: FileConfig): RotationSettings | undefined {
  if (config.rotation === null) return undefined;
  return {
    maxBytes: (config.rotation.max_megabytes ?? 100) * 1024 * 1024,
    maxBackups: config.rotation.max_backups ?? 100,
  };
}
