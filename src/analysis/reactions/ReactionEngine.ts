/**
 * Decides what reaction policies do about an incident change: which policies match,
 * which of their actions are new for the incident (deduplication), which are held back
 * by a cool-down, the hourly rate or a dry run, and which lasting actions end when the
 * incident resolves. Pure and synchronous; time is the incident's (its last finding, or
 * its resolution), never the wall clock, so a replay decides the same way.
 */
import type { Cause, Incident, Severity } from '../../model/finding.js';
import type { Reaction, ReactionAction } from '../../model/reaction.js';
import { stableId } from '../ids.js';
import type { IncidentChange } from '../incidents/IncidentManager.js';
import { isUndoable, type ResolvedPolicy } from './ReactionPolicy.js';

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
const HOUR_MS = 3_600_000;
/** Bounds on what is remembered, so incidents that never resolve cannot grow memory without end. */
const MAX_ENTRIES = 10_000;

/** The incident's diagnosed root cause (its first cause), if diagnosis has one. */
export function rootCauseOf(i: Incident): Cause | undefined {
  // `causes` may be absent on incidents stored before diagnosis existed.
  return i.causes?.[0];
}

/** Whether a policy's conditions hold for an incident change. */
export function policyMatches(p: ResolvedPolicy, change: IncidentChange, i: Incident): boolean {
  if (!p.changes.has(change)) return false;
  if (p.severity !== undefined && RANK[i.severity] < RANK[p.severity]) return false;
  if (p.pipeline && !p.pipeline.has(i.pipeline)) return false;
  if (p.component && !i.components.some((c) => p.component!.has(c))) return false;
  if (p.feature && !i.features.some((f) => p.feature!.has(f))) return false;
  if (p.detector && !i.findings.some((f) => p.detector!.has(f.detector))) return false;
  if (p.model && !i.findings.some((f) => p.model!.has(f.stream.model))) return false;
  if (p.rootCauseComponent || p.rootCauseKind) {
    const rc = rootCauseOf(i);
    if (rc === undefined) return false;
    if (p.rootCauseComponent && !p.rootCauseComponent.has(rc.component)) return false;
    if (p.rootCauseKind && !p.rootCauseKind.has(rc.kind)) return false;
  }
  return true;
}

/** Default target: the pipeline (or service) and the component to blame. */
function defaultTarget(i: Incident): string {
  const component = rootCauseOf(i)?.component ?? i.components[0] ?? '';
  const owner = i.pipeline !== '' ? i.pipeline : i.service;
  return component === '' ? owner : `${owner}/${component}`;
}

function describeAction(type: ReactionAction, to: string | undefined, target: string): string {
  return to === undefined ? `${type} ${target}` : `${type} ${target} to ${to}`;
}

function minutes(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`;
}

/** Sets `key` in a map that keeps insertion order, evicting the oldest beyond the bound. */
function remember<V>(m: Map<string, V>, key: string, v: V): void {
  m.delete(key);
  m.set(key, v);
  if (m.size > MAX_ENTRIES) m.delete(m.keys().next().value as string);
}

/** Decides reactions for incident changes; keeps only what deduplication, cool-down, rate and undo need. */
export class ReactionEngine {
  /** Reactions decided (triggered or dry) per policy/action/incident: later updates are duplicates. */
  private readonly decided = new Map<string, true>();
  /** Suppression reasons already recorded per reaction, so an incident's updates do not repeat them. */
  private readonly suppressedOnce = new Map<string, true>();
  /** Last time each policy/action/target ran, for the cool-down. */
  private readonly lastRun = new Map<string, number>();
  /** Times each policy ran inside the last hour, for the rate limit. */
  private readonly runs = new Map<string, number[]>();
  /** Lasting reactions in force (or, dry, that would be), by reaction id. */
  private readonly lasting = new Map<string, Reaction>();

  constructor(private readonly policies: readonly ResolvedPolicy[]) {}

  /** Whether any policy is configured (callers skip the work otherwise). */
  get enabled(): boolean {
    return this.policies.length > 0;
  }

  /** Fallbacks and quarantines in force now (dry ones excluded), oldest first. */
  active(): Reaction[] {
    return [...this.lasting.values()].filter((r) => !r.dryRun);
  }

  /** The records an incident change causes: triggered, suppressed, and undos when it resolves. */
  onIncident(change: IncidentChange, i: Incident): Reaction[] {
    const at = change === 'resolved' ? (i.resolvedAtMs ?? i.lastFindingAtMs) : i.lastFindingAtMs;
    const out: Reaction[] = [];
    for (const p of this.policies) {
      const matches = policyMatches(p, change, i);
      p.actions.forEach((a, k) => {
        const id = stableId('reaction', p.name, k, i.id);
        if (change === 'resolved') {
          const held = this.lasting.get(id);
          if (held !== undefined) {
            this.lasting.delete(id);
            out.push({
              ...held,
              status: held.dryRun ? 'suppressed' : 'triggered',
              undo: true,
              severity: i.severity,
              atMs: at,
              reason: `incident ${i.id} resolved${held.dryRun ? ' (dry run: nothing to undo)' : ''}`,
            });
          }
        }
        if (!matches || this.decided.has(id)) return;
        const target = a.target ?? defaultTarget(i);
        const base: Reaction = {
          id,
          policy: p.name,
          action: a.type,
          status: 'triggered',
          target,
          ...(a.to === undefined ? {} : { to: a.to }),
          undo: false,
          reason: `incident ${change} (${i.severity}): ${i.title}`,
          dryRun: p.dryRun,
          incidentId: i.id,
          severity: i.severity,
          service: i.service,
          pipeline: i.pipeline,
          atMs: at,
        };
        const held = this.holdBack(p, k, a.type, target, at);
        if (held !== undefined) {
          const once = `${id}\u0000${held.kind}`;
          if (!this.suppressedOnce.has(once)) {
            remember(this.suppressedOnce, once, true);
            out.push({ ...base, status: 'suppressed', reason: held.reason });
          }
          return;
        }
        remember(this.decided, id, true);
        remember(this.lastRun, `${p.name}\u0000${k}\u0000${target}`, at);
        const times = this.runs.get(p.name) ?? [];
        times.push(at);
        this.runs.set(p.name, times);
        if (isUndoable(a.type) && p.undoOnResolve && change !== 'resolved') remember(this.lasting, id, base);
        out.push(
          p.dryRun
            ? {
                ...base,
                status: 'suppressed',
                reason: `dry run: would ${describeAction(a.type, a.to, target)}`,
              }
            : base,
        );
      });
    }
    if (change === 'resolved') this.forget(i.id);
    return out;
  }

  /** Why an action must wait (cool-down or hourly rate), or undefined when it may run. */
  private holdBack(
    p: ResolvedPolicy,
    k: number,
    type: ReactionAction,
    target: string,
    at: number,
  ): { kind: string; reason: string } | undefined {
    const last = this.lastRun.get(`${p.name}\u0000${k}\u0000${target}`);
    if (last !== undefined && p.cooldownMs > 0 && at - last < p.cooldownMs)
      return {
        kind: 'cooldown',
        reason: `cool-down: ${type} ${target} ran ${minutes(at - last)} ago (cool-down ${minutes(p.cooldownMs)})`,
      };
    const times = (this.runs.get(p.name) ?? []).filter((t) => at - t < HOUR_MS);
    this.runs.set(p.name, times);
    if (times.length >= p.maxPerHour)
      return {
        kind: 'rate',
        reason: `rate limit: ${p.name} already acted ${times.length} times in the last hour`,
      };
    return undefined;
  }

  /** Drops what is remembered of a resolved incident (cool-down and rate memory stay). */
  private forget(incidentId: string): void {
    for (const p of this.policies)
      p.actions.forEach((_, k) => {
        const id = stableId('reaction', p.name, k, incidentId);
        this.decided.delete(id);
        for (const kind of ['cooldown', 'rate']) this.suppressedOnce.delete(`${id}\u0000${kind}`);
      });
  }
}

/** The record of a triggered reaction's outcome: succeeded, or failed with the error as reason. */
export function settleReaction(r: Reaction, error: unknown, atMs: number): Reaction {
  if (error === undefined) return { ...r, status: 'succeeded', atMs };
  const message = error instanceof Error ? error.message : String(error);
  return { ...r, status: 'failed', reason: `${r.undo ? 'undo ' : ''}failed: ${message}`, atMs };
}
