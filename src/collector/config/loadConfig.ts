/**
 * Reads a collector config file: YAML parse (with line and column in errors), `${env:…}`
 * expansion, then {@link validateConfig}. Problems are returned, never thrown, so the
 * CLI can print all of them; only the entry point decides to exit.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { ConfigProblem } from '../factory.js';
import { type Env, expandEnv } from './expand.js';
import type { ComponentRegistry } from './types.js';
import { type ValidationResult, validateConfig } from './validateConfig.js';

/** Parses YAML text and expands env references; `source` names the file in problems. */
export function parseConfigText(
  text: string,
  env: Env,
  source: string,
): { tree: unknown; problems: ConfigProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      const where = `line ${pos.line}, column ${pos.col}: `;
      return { path: source, message: `${where}${e.message.split('\n')[0]}` };
    });
    return { tree: undefined, problems };
  }
  const expanded = expandEnv(doc.toJS({ maxAliasCount: 100 }), env);
  return { tree: expanded.value, problems: expanded.problems };
}

/** Reads, expands and validates a config file against the given factories. */
export function loadConfigFile(file: string, env: Env, registry: ComponentRegistry): ValidationResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    return { config: undefined, problems: [{ path: file, message: `cannot read config: ${reason}` }] };
  }
  const parsed = parseConfigText(text, env, file);
  if (parsed.tree === undefined) return { config: undefined, problems: parsed.problems };
  // Validate even when env references failed (they stay as written), so one run shows everything.
  const validated = validateConfig(parsed.tree, registry);
  if (parsed.problems.length === 0) return validated;
  return { config: undefined, problems: [...parsed.problems, ...validated.problems] };
}

/** Renders problems one per line as `path: message`, the format `mlobs validate` prints. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('\n');
}
