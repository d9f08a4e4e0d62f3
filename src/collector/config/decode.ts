/**
 * Generic decoding of a component's user config over its `createDefaultConfig()`, so
 * that unknown keys are caught the same way for every component without a schema per
 * component. Rules: a missing or null user value keeps the default; a map default takes
 * a map and refuses keys it does not have; a null or empty-map default takes the user
 * value as written (free-form, the factory's `validate` checks it); a list or scalar
 * default is replaced by the user value (values are checked by `validate`).
 */
import type { ConfigProblem } from '../factory.js';
import { show } from './values.js';

/** True for a plain YAML map (not null, not a list). */
export function isMap(value: unknown): value is Record<string, unknown> {
  return (
    value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/** Lays `user` over `defaults`; `path` prefixes every problem (`processors::batch`). */
export function decodeOver<C>(
  defaults: C,
  user: unknown,
  path: string,
): { value: C; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const value = merge(defaults, user, path, problems) as C;
  return { value, problems };
}

function merge(def: unknown, user: unknown, path: string, problems: ConfigProblem[]): unknown {
  if (user === undefined || user === null) return clone(def);
  if (def === null || def === undefined) return clone(user);
  if (isMap(def)) {
    if (!isMap(user)) {
      problems.push({ path, message: `must be a map of settings, got ${show(user)}` });
      return clone(def);
    }
    if (Object.keys(def).length === 0) return clone(user);
    const out: Record<string, unknown> = clone(def) as Record<string, unknown>;
    for (const [key, child] of Object.entries(user)) {
      const childPath = `${path}::${key}`;
      if (!Object.hasOwn(def, key)) {
        const known = Object.keys(def).join(', ');
        problems.push({ path: childPath, message: `unknown key "${key}" (allowed: ${known})` });
        continue;
      }
      out[key] = merge(def[key], child, childPath, problems);
    }
    return out;
  }
  if (Array.isArray(def)) {
    if (!Array.isArray(user)) {
      problems.push({ path, message: `must be a list, got ${show(user)}` });
      return clone(def);
    }
    return clone(user);
  }
  if (isMap(user) || Array.isArray(user)) {
    problems.push({ path, message: `must be a single value like ${show(def)}, got ${show(user)}` });
    return def;
  }
  return user;
}

/** Deep copy of plain YAML data, so defaults are never shared between component instances. */
export function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => clone(v)) as T;
  if (isMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = clone(v);
    return out as T;
  }
  return value;
}

/** Freezes plain data all the way down: a validated config cannot change under a running collector. */
export function deepFreeze<T>(value: T): T {
  // Typed arrays (YAML !!binary) cannot be frozen; they are left as they are.
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}
