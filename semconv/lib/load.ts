/**
 * Reads the registry's YAML files. Reading touches the disk; parsing is pure so tests can
 * feed inline fixtures.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Problem, SourceFile } from './types.js';

/** The folders holding registry files, in the order their groups are read. */
export const SOURCE_DIRS = ['semconv/registry', 'semconv/model'] as const;

/** A parsed file: its path and its raw groups, not yet checked. */
export interface ParsedFile {
  /** Path relative to the repository root. */
  path: string;
  /** The `groups` list as YAML gave it. */
  groups: unknown[];
}

/** Reads every `*.yaml` file of the registry under `root`, sorted by path so output is stable. */
export function readSources(root: string): SourceFile[] {
  const sources: SourceFile[] = [];
  for (const dir of SOURCE_DIRS) {
    const names = readdirSync(join(root, dir))
      .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
      .sort();
    for (const name of names) {
      const path = `${dir}/${name}`;
      sources.push({ path, text: readFileSync(join(root, path), 'utf8') });
    }
  }
  return sources;
}

/** Parses each source's YAML; a file that is not YAML or has no `groups` list is a problem. */
export function parseSources(sources: SourceFile[]): { files: ParsedFile[]; problems: Problem[] } {
  const files: ParsedFile[] = [];
  const problems: Problem[] = [];
  for (const source of sources) {
    let doc: unknown;
    try {
      doc = parse(source.text);
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      problems.push({ file: source.path, group: '', attribute: '', message: `not valid YAML: ${message}` });
      continue;
    }
    const groups = isRecord(doc) ? doc['groups'] : undefined;
    if (!Array.isArray(groups)) {
      problems.push({
        file: source.path,
        group: '',
        attribute: '',
        message: "expected a top-level 'groups' list",
      });
      continue;
    }
    files.push({ path: source.path, groups });
  }
  return { files, problems };
}

/** Whether a YAML value is a mapping. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
