/**
 * `${env:VAR}` expansion, done on the parsed YAML tree (as the OpenTelemetry Collector
 * does) so a value can never inject YAML structure. A scalar that is exactly one
 * reference takes the variable's value parsed as a YAML scalar, so `port: ${env:PORT}`
 * becomes a number; references inside longer strings are spliced in as text.
 */
import { parse } from 'yaml';
import type { ConfigProblem } from '../factory.js';

/** The variables expansion reads; entry points pass `process.env`, tests pass a literal. */
export type Env = Readonly<Record<string, string | undefined>>;

const REFERENCE = /\$\$|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Expands every string in `tree`; returns a new tree and every problem with its path. */
export function expandEnv(tree: unknown, env: Env): { value: unknown; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const value = walk(tree, [], env, problems);
  return { value, problems };
}

function walk(node: unknown, path: string[], env: Env, problems: ConfigProblem[]): unknown {
  if (typeof node === 'string') return expandString(node, path, env, problems);
  if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, String(i)], env, problems));
  if (node !== null && typeof node === 'object' && !ArrayBuffer.isView(node)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) out[key] = walk(child, [...path, key], env, problems);
    return out;
  }
  return node;
}

function expandString(text: string, path: string[], env: Env, problems: ConfigProblem[]): unknown {
  const whole = /^\$\{([^}]*)\}$/.exec(text);
  if (whole) {
    const resolved = resolve(whole[1] as string, path, env, problems);
    return resolved === undefined ? text : parseScalar(resolved);
  }
  return text.replace(REFERENCE, (match, inner: string | undefined) => {
    if (match === '$$') return '$';
    return resolve(inner as string, path, env, problems) ?? match;
  });
}

function resolve(inner: string, path: string[], env: Env, problems: ConfigProblem[]): string | undefined {
  const where = path.join('::') || '(top level)';
  const m = /^env:([^:]*)(?::-(.*))?$/s.exec(inner);
  if (!m) {
    problems.push({
      path: where,
      message: `"\${${inner}}" is not a supported reference; use \${env:VAR} or \${env:VAR:-default} (write $$ for a literal $)`,
    });
    return undefined;
  }
  const name = m[1] as string;
  if (!NAME.test(name)) {
    problems.push({ path: where, message: `"${name}" is not a valid environment variable name` });
    return undefined;
  }
  const value = env[name];
  if (value !== undefined && value !== '') return value;
  if (m[2] !== undefined) return m[2];
  if (value === '') return value;
  problems.push({ path: where, message: `environment variable ${name} is not set and has no default` });
  return undefined;
}

/** Reads an expanded value the way YAML would read it in place: numbers, booleans, null. */
function parseScalar(text: string): unknown {
  try {
    const parsed: unknown = parse(text);
    return parsed !== null && typeof parsed === 'object' ? text : parsed;
  } catch {
    return text;
  }
}
