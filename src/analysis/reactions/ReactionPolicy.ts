/**
 * Reaction policies as users write them (`when` an incident matches → `actions`), checked
 * once into a resolved form the engine runs. Plain data in, plain data out, every problem
 * with its path, so the collector's YAML and the in-process options share one validator.
 */

import type { CauseKind, Severity } from '../../model/finding.js';
import { REACTION_ACTIONS, type ReactionAction, UNDOABLE_ACTIONS } from '../../model/reaction.js';
import type { IncidentChange } from '../incidents/IncidentManager.js';

/** Every `CauseKind`, for checking `when.rootCause.kind`. */
export const CAUSE_KINDS: readonly CauseKind[] = [
  'data',
  'model',
  'staleness',
  'schedule',
  'errors',
  'latency',
  'volume',
  'labels',
];

/** One or several accepted values of a condition. */
export type OneOrMore<T> = T | readonly T[];

/** When a policy fires. Every condition given must hold; a list means any of its values. */
export interface ReactionWhen {
  /** Incident changes that fire it (default `['opened', 'updated']`, so an escalation fires too). */
  change?: OneOrMore<IncidentChange>;
  /** Lowest severity that fires it (`warning` fires on warning and critical). */
  severity?: Severity;
  /** `ml.pipeline.name` of the incident. */
  pipeline?: OneOrMore<string>;
  /** A detector among the incident's findings (`numeric_drift`, `missing_rate`, ...). */
  detector?: OneOrMore<string>;
  /** A model among the incident's findings (`ml.model.name`). */
  model?: OneOrMore<string>;
  /** A component involved in the incident. */
  component?: OneOrMore<string>;
  /** A feature involved in the incident. */
  feature?: OneOrMore<string>;
  /** The diagnosed root cause (the incident's first cause); an incident not yet diagnosed does not match. */
  rootCause?: { component?: OneOrMore<string>; kind?: OneOrMore<CauseKind> };
}

/** One action of a policy: its type and, for some, where it goes. */
export interface ReactionActionConfig {
  /** What to do. */
  type: ReactionAction;
  /** Fallback model or rule, or model version to roll back to. */
  to?: string;
  /** What it applies to; default `<pipeline or service>/<root cause or first component>`. */
  target?: string;
}

/** A reaction policy as written. */
export interface ReactionPolicyConfig {
  /** Unique name; it is `ml.reaction.policy` on every record. */
  name: string;
  /** Conditions (default: any incident that opens or is updated). */
  when?: ReactionWhen;
  /** What to do, in order; a bare action name is `{ type: name }`. */
  actions: readonly (ReactionAction | ReactionActionConfig)[];
  /** After an action ran for a target, the same policy's action for that target is held back this long (ms). */
  cooldownMs?: number;
  /** Actions this policy may take per hour of incident time, across targets (default unlimited). */
  maxPerHour?: number;
  /** Record what would be done (status `suppressed`, reason `dry run`) without doing it. */
  dryRun?: boolean;
  /** End fallbacks and lift quarantines when the incident resolves (default true). */
  undoOnResolve?: boolean;
}

/** The `reactions` option of the in-process processor (and, resolved, of the collector's `ml` processor). */
export interface ReactionsOptions {
  /** The policies, evaluated in order for every incident change. */
  policies: readonly ReactionPolicyConfig[];
  /** Every policy dry (for trying policies on live traffic). */
  dryRun?: boolean;
}

/** A checked policy, as the engine runs it. */
export interface ResolvedPolicy {
  /** Policy name. */
  name: string;
  /** Changes it fires on. */
  changes: ReadonlySet<IncidentChange>;
  /** Lowest severity, or undefined for any. */
  severity: Severity | undefined;
  /** Set conditions; undefined means any. */
  pipeline: ReadonlySet<string> | undefined;
  /** See {@link ReactionWhen.detector}. */
  detector: ReadonlySet<string> | undefined;
  /** See {@link ReactionWhen.model}. */
  model: ReadonlySet<string> | undefined;
  /** See {@link ReactionWhen.component}. */
  component: ReadonlySet<string> | undefined;
  /** See {@link ReactionWhen.feature}. */
  feature: ReadonlySet<string> | undefined;
  /** See {@link ReactionWhen.rootCause}. */
  rootCauseComponent: ReadonlySet<string> | undefined;
  /** See {@link ReactionWhen.rootCause}. */
  rootCauseKind: ReadonlySet<string> | undefined;
  /** Actions in order. */
  actions: readonly { type: ReactionAction; to: string | undefined; target: string | undefined }[];
  /** Cool-down per (action, target), ms; 0 = none. */
  cooldownMs: number;
  /** Actions per hour at most; Infinity = unlimited. */
  maxPerHour: number;
  /** Nothing is done, only recorded. */
  dryRun: boolean;
  /** Undo fallbacks and quarantines on resolve. */
  undoOnResolve: boolean;
}

/** A problem with a policy, its path relative to the `reactions` option (`policies::0::when::severity`). */
export interface PolicyProblem {
  /** Where. */
  path: string;
  /** What is wrong. */
  message: string;
}

const CHANGES: readonly IncidentChange[] = ['opened', 'updated', 'resolved'];
const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];
const POLICY_KEYS = ['name', 'when', 'actions', 'cooldownMs', 'maxPerHour', 'dryRun', 'undoOnResolve'];
const WHEN_KEYS = [
  'change',
  'severity',
  'pipeline',
  'detector',
  'model',
  'component',
  'feature',
  'rootCause',
];
const ACTION_KEYS = ['type', 'to', 'target'];

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function unknownKeys(
  v: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  out: PolicyProblem[],
) {
  for (const k of Object.keys(v))
    if (!allowed.includes(k))
      out.push({ path: `${path}::${k}`, message: `unknown key "${k}" (allowed: ${allowed.join(', ')})` });
}

/** A string or list of strings as a set; `allowed` restricts the values. */
function stringSet(
  v: unknown,
  path: string,
  out: PolicyProblem[],
  allowed?: readonly string[],
): Set<string> | undefined {
  if (v === undefined || v === null) return undefined;
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) {
    out.push({ path, message: 'must name at least one value (leave it out to match any)' });
    return undefined;
  }
  const set = new Set<string>();
  list.forEach((x, i) => {
    const p = Array.isArray(v) ? `${path}::${i}` : path;
    if (typeof x !== 'string' || x === '')
      out.push({ path: p, message: `must be a non-empty string, got ${show(x)}` });
    else if (allowed && !allowed.includes(x))
      out.push({ path: p, message: `must be one of ${allowed.join(', ')}, got ${show(x)}` });
    else set.add(x);
  });
  return set;
}

function resolveWhen(w: unknown, path: string, out: PolicyProblem[]) {
  const when = w === undefined || w === null ? {} : w;
  if (!isMap(when)) {
    out.push({ path, message: `must be a map of conditions, got ${show(w)}` });
    return undefined;
  }
  unknownKeys(when, WHEN_KEYS, path, out);
  let severity: Severity | undefined;
  if (when.severity !== undefined && when.severity !== null) {
    if (SEVERITIES.includes(when.severity as Severity)) severity = when.severity as Severity;
    else
      out.push({
        path: `${path}::severity`,
        message: `must be one of ${SEVERITIES.join(', ')} (the lowest that fires), got ${show(when.severity)}`,
      });
  }
  const rc = when.rootCause;
  let rootCauseComponent: Set<string> | undefined;
  let rootCauseKind: Set<string> | undefined;
  if (rc !== undefined && rc !== null) {
    if (!isMap(rc))
      out.push({ path: `${path}::rootCause`, message: `must be a map (component, kind), got ${show(rc)}` });
    else {
      unknownKeys(rc, ['component', 'kind'], `${path}::rootCause`, out);
      rootCauseComponent = stringSet(rc.component, `${path}::rootCause::component`, out);
      rootCauseKind = stringSet(rc.kind, `${path}::rootCause::kind`, out, CAUSE_KINDS);
    }
  }
  return {
    changes: (stringSet(when.change, `${path}::change`, out, CHANGES) ??
      new Set(['opened', 'updated'])) as Set<IncidentChange>,
    severity,
    pipeline: stringSet(when.pipeline, `${path}::pipeline`, out),
    detector: stringSet(when.detector, `${path}::detector`, out),
    model: stringSet(when.model, `${path}::model`, out),
    component: stringSet(when.component, `${path}::component`, out),
    feature: stringSet(when.feature, `${path}::feature`, out),
    rootCauseComponent,
    rootCauseKind,
  };
}

function resolveActions(v: unknown, path: string, out: PolicyProblem[]): ResolvedPolicy['actions'] {
  if (!Array.isArray(v) || v.length === 0) {
    out.push({
      path,
      message: `must list at least one action (${REACTION_ACTIONS.join(', ')}), got ${show(v)}`,
    });
    return [];
  }
  const actions: { type: ReactionAction; to: string | undefined; target: string | undefined }[] = [];
  v.forEach((a, i) => {
    const p = `${path}::${i}`;
    const cfg = typeof a === 'string' ? { type: a } : a;
    if (!isMap(cfg)) {
      out.push({ path: p, message: `must be an action name or a map with a type, got ${show(a)}` });
      return;
    }
    unknownKeys(cfg, ACTION_KEYS, p, out);
    if (!REACTION_ACTIONS.includes(cfg.type as ReactionAction)) {
      out.push({
        path: `${p}::type`,
        message: `must be one of ${REACTION_ACTIONS.join(', ')}, got ${show(cfg.type)}`,
      });
      return;
    }
    for (const k of ['to', 'target'] as const)
      if (cfg[k] !== undefined && cfg[k] !== null && (typeof cfg[k] !== 'string' || cfg[k] === ''))
        out.push({ path: `${p}::${k}`, message: `must be a non-empty string, got ${show(cfg[k])}` });
    if (cfg.to !== undefined && cfg.to !== null && cfg.type !== 'fallback' && cfg.type !== 'rollback')
      out.push({
        path: `${p}::to`,
        message: `only fallback and rollback go somewhere; ${String(cfg.type)} takes no "to"`,
      });
    actions.push({
      type: cfg.type as ReactionAction,
      to: typeof cfg.to === 'string' && cfg.to !== '' ? cfg.to : undefined,
      target: typeof cfg.target === 'string' && cfg.target !== '' ? cfg.target : undefined,
    });
  });
  return actions;
}

function optionalBool(v: unknown, path: string, dflt: boolean, out: PolicyProblem[]): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') {
    out.push({ path, message: `must be true or false, got ${show(v)}` });
    return dflt;
  }
  return v;
}

/**
 * Checks reaction options; `problems` is empty exactly when every policy is usable. Valid
 * policies are returned even when others are not, so a caller may report and keep them.
 */
export function resolveReactionPolicies(options: unknown): {
  policies: ResolvedPolicy[];
  problems: PolicyProblem[];
} {
  const problems: PolicyProblem[] = [];
  if (options === undefined || options === null) return { policies: [], problems };
  if (!isMap(options)) {
    problems.push({ path: '', message: `must be a map with a policies list, got ${show(options)}` });
    return { policies: [], problems };
  }
  unknownKeys(options, ['policies', 'dryRun'], '', problems);
  for (const p of problems) p.path = p.path.replace(/^::/, '');
  const allDry = optionalBool(options.dryRun, 'dryRun', false, problems);
  const list = options.policies ?? [];
  if (!Array.isArray(list)) {
    problems.push({ path: 'policies', message: `must be a list of policies, got ${show(list)}` });
    return { policies: [], problems };
  }
  const names = new Set<string>();
  const policies: ResolvedPolicy[] = [];
  list.forEach((raw, i) => {
    const path = `policies::${i}`;
    const mine: PolicyProblem[] = [];
    if (!isMap(raw)) {
      problems.push({ path, message: `must be a map (name, when, actions), got ${show(raw)}` });
      return;
    }
    unknownKeys(raw, POLICY_KEYS, path, mine);
    const name = raw.name;
    if (typeof name !== 'string' || name === '')
      mine.push({ path: `${path}::name`, message: `must be a non-empty name, got ${show(name)}` });
    else if (names.has(name)) mine.push({ path: `${path}::name`, message: `"${name}" names two policies` });
    const when = resolveWhen(raw.when, `${path}::when`, mine);
    const actions = resolveActions(raw.actions, `${path}::actions`, mine);
    let cooldownMs = 0;
    if (raw.cooldownMs !== undefined && raw.cooldownMs !== null) {
      if (typeof raw.cooldownMs !== 'number' || !Number.isFinite(raw.cooldownMs) || raw.cooldownMs < 0)
        mine.push({
          path: `${path}::cooldownMs`,
          message: `must be a duration >= 0, got ${show(raw.cooldownMs)}`,
        });
      else cooldownMs = raw.cooldownMs;
    }
    let maxPerHour = Number.POSITIVE_INFINITY;
    if (raw.maxPerHour !== undefined && raw.maxPerHour !== null) {
      if (typeof raw.maxPerHour !== 'number' || !Number.isInteger(raw.maxPerHour) || raw.maxPerHour < 1)
        mine.push({
          path: `${path}::maxPerHour`,
          message: `must be a whole number >= 1, got ${show(raw.maxPerHour)}`,
        });
      else maxPerHour = raw.maxPerHour;
    }
    const dryRun = optionalBool(raw.dryRun, `${path}::dryRun`, false, mine) || allDry;
    const undoOnResolve = optionalBool(raw.undoOnResolve, `${path}::undoOnResolve`, true, mine);
    if (typeof name === 'string') names.add(name);
    problems.push(...mine);
    if (mine.length > 0 || when === undefined) return;
    policies.push({ name: name as string, ...when, actions, cooldownMs, maxPerHour, dryRun, undoOnResolve });
  });
  return { policies, problems };
}

/** Whether an action of this type lasts until its incident resolves. */
export function isUndoable(action: ReactionAction): boolean {
  return UNDOABLE_ACTIONS.includes(action);
}
