/**
 * Incident policy: when findings open an incident (hysteresis), when it resolves, how fast
 * new ones may open and what groups into one. Defaults favour few, well-founded incidents.
 */
import { ErrorCodes, MlobsError } from '../../errors.js';

/** Incident policy options. */
export interface IncidentOptions {
  /** Windows with a finding (k) among the last `ofLast` (n) needed to open; default 2. */
  openAfter?: number;
  /** The n of k-of-n; default 3. */
  ofLast?: number;
  /** Windows without any finding of the incident after which it resolves; default 3. */
  resolveAfterWindows?: number;
  /** New incidents allowed per hour of window time; default 10. Findings beyond are counted. */
  maxNewPerHour?: number;
  /** Findings of the same pipeline within this many ms of an open incident's last finding join it. */
  groupWithinMs?: number;
  /** Findings kept per incident (newest last); default 50. */
  maxFindingsPerIncident?: number;
  /** Distinct detector/stream/feature keys tracked for hysteresis; default 10 000. */
  maxKeys?: number;
}

/** Incident options with defaults applied. */
export type ResolvedIncidentOptions = Required<IncidentOptions>;

/** Applies defaults (`groupWithinMs` defaults to two window steps) and validates. */
export function resolveIncidentOptions(
  o: IncidentOptions = {},
  windowStepMs: number,
  path = 'incidents',
): ResolvedIncidentOptions {
  const r: ResolvedIncidentOptions = {
    openAfter: o.openAfter ?? 2,
    ofLast: o.ofLast ?? 3,
    resolveAfterWindows: o.resolveAfterWindows ?? 3,
    maxNewPerHour: o.maxNewPerHour ?? 10,
    groupWithinMs: o.groupWithinMs ?? 2 * windowStepMs,
    maxFindingsPerIncident: o.maxFindingsPerIncident ?? 50,
    maxKeys: o.maxKeys ?? 10_000,
  };
  const bad = (field: string, why: string): never => {
    throw new MlobsError(ErrorCodes.MLOBS_ERR_CONFIG_INVALID, `${path}.${field}: ${why}`);
  };
  for (const f of [
    'openAfter',
    'ofLast',
    'resolveAfterWindows',
    'maxFindingsPerIncident',
    'maxKeys',
  ] as const)
    if (!Number.isInteger(r[f]) || r[f] < 1) bad(f, `must be an integer >= 1, got ${r[f]}`);
  if (r.openAfter > r.ofLast) bad('openAfter', `must be <= ofLast (${r.ofLast}), got ${r.openAfter}`);
  if (!Number.isInteger(r.maxNewPerHour) || r.maxNewPerHour < 0)
    bad('maxNewPerHour', `must be an integer >= 0, got ${r.maxNewPerHour}`);
  if (!Number.isFinite(r.groupWithinMs) || r.groupWithinMs < 0)
    bad('groupWithinMs', `must be a number >= 0, got ${r.groupWithinMs}`);
  return r;
}
