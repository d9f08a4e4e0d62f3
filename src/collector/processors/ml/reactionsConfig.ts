/**
 * The `reactions` section of the `ml` processor: reaction policies in the Collector's YAML
 * style (snake_case keys, Go durations) and the HTTP endpoint watching pipelines follow.
 * The policies are translated into the analysis core's options and checked by its one
 * validator, and its paths are turned back into the YAML spelling, so an error reads
 * `processors::ml: reactions::policies::0::when::severity: ...` whichever way it was made.
 */
import { type ResolvedPolicy, resolveReactionPolicies } from '../../../analysis/reactions/ReactionPolicy.js';
import { isMap } from '../../config/decode.js';
import { type Endpoint, parseDuration, parseEndpoint, show } from '../../config/values.js';
import type { ConfigProblem } from '../../factory.js';

/** `reactions` as written in YAML. */
export interface ReactionsYaml {
  /** Policies: `name`, `when`, `actions`, `cooldown`, `max_per_hour`, `dry_run`, `undo_on_resolve`. */
  policies: unknown[];
  /** Every policy dry: decisions are recorded, nothing is done. */
  dry_run: boolean;
  /** Where watching pipelines poll (`GET /v1/reactions`); '' = no endpoint. Served only when there are policies. */
  endpoint: string;
  /** `{ bearer_token }` that watchers must send, or null for none. */
  auth: { bearer_token: string } | null;
}

/** The default: no policies; the endpoint on loopback once there are some. */
export function defaultReactionsYaml(): ReactionsYaml {
  return { policies: [], dry_run: false, endpoint: '127.0.0.1:4320', auth: null };
}

/** `reactions` resolved. */
export interface ReactionsSettings {
  /** Checked policies. */
  policies: ResolvedPolicy[];
  /** Where to serve reactions; undefined = not served. */
  endpoint: Endpoint | undefined;
  /** Required bearer token, if any. */
  bearerToken: string | undefined;
}

const snakeToCamel = (k: string) => k.replace(/_([a-z0-9])/g, (_, x: string) => x.toUpperCase());
const camelToSnake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A policy's keys (not values) in camelCase; `cooldown` (a Go duration) becomes `cooldownMs`. */
function camelPolicy(raw: unknown, path: string, problems: ConfigProblem[]): unknown {
  if (!isMap(raw)) return raw;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'cooldown') {
      const d = parseDuration(v);
      if (d.error !== undefined) problems.push({ path: `${path}::cooldown`, message: d.error });
      else out.cooldownMs = d.value;
      continue;
    }
    const key = snakeToCamel(k);
    // `when` holds keys too (root_cause); action maps and condition values are kept as written.
    out[key] = key === 'when' ? camelKeys(v) : v;
  }
  return out;
}

function camelKeys(v: unknown): unknown {
  if (!isMap(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [snakeToCamel(k), x]));
}

/** Checks and resolves `reactions`; problem paths are relative to the processor (`reactions::...`). */
export function resolveReactionsYaml(r: ReactionsYaml): {
  settings: ReactionsSettings;
  problems: ConfigProblem[];
} {
  const problems: ConfigProblem[] = [];
  const settings: ReactionsSettings = { policies: [], endpoint: undefined, bearerToken: undefined };
  if (!Array.isArray(r.policies)) {
    problems.push({
      path: 'reactions::policies',
      message: `must be a list of policies, got ${show(r.policies)}`,
    });
    return { settings, problems };
  }
  const policies = r.policies.map((p, i) => camelPolicy(p, `reactions::policies::${i}`, problems));
  const resolved = resolveReactionPolicies({ policies, dryRun: r.dry_run });
  for (const p of resolved.problems)
    problems.push({
      path: `reactions::${p.path
        .split('::')
        .map((seg) => (seg === 'cooldownMs' ? 'cooldown' : camelToSnake(seg)))
        .join('::')}`,
      message: p.message,
    });
  settings.policies = resolved.policies;
  if (typeof r.endpoint !== 'string') {
    problems.push({
      path: 'reactions::endpoint',
      message: `must be "host:port" or "" for none, got ${show(r.endpoint)}`,
    });
  } else if (r.endpoint !== '') {
    const ep = parseEndpoint(r.endpoint);
    if (ep.error !== undefined) problems.push({ path: 'reactions::endpoint', message: ep.error });
    else if (settings.policies.length > 0) settings.endpoint = ep.value;
  }
  if (r.auth !== null) {
    const auth: unknown = r.auth;
    if (!isMap(auth))
      problems.push({
        path: 'reactions::auth',
        message: `must be a map with bearer_token, got ${show(auth)}`,
      });
    else {
      for (const key of Object.keys(auth))
        if (key !== 'bearer_token')
          problems.push({
            path: `reactions::auth::${key}`,
            message: `unknown key "${key}" (allowed: bearer_token)`,
          });
      if (typeof auth.bearer_token !== 'string' || auth.bearer_token === '')
        problems.push({ path: 'reactions::auth::bearer_token', message: 'must be a non-empty token' });
      else settings.bearerToken = auth.bearer_token;
    }
  }
  return { settings, problems };
}
