/**
 * From an incident's findings to one symptom per component: how strong its anomaly is, when
 * it started, what kind of thing moved and which features. Pure functions over plain data.
 */
import type { CauseKind, Finding } from '../../model/finding.js';
import { nodeIdOf } from '../topology/types.js';

/** What one component of an incident shows. */
export interface Symptom {
  /** Node id (`nodeIdOf`). */
  node: string;
  /** Service, pipeline and component of the findings. */
  key: { service: string; pipeline: string; component: string };
  /** The kind of thing that moved here, from its strongest detectors (see {@link kindOf}). */
  kind: CauseKind;
  /** Every kind its findings show. */
  kinds: Set<CauseKind>;
  /** Anomaly strength in (0, 1]: the strongest of its findings. */
  strength: number;
  /** Start of its first anomalous window, ms since the epoch. */
  onsetMs: number;
  /** Features (and prediction outputs) that moved here. */
  moved: Set<string>;
  /** Its findings, strongest first. */
  findings: Finding[];
  /** Inputs (`ml.io` references) found stale here, from `staleness` findings. */
  staleInputs: string[];
}

/** The cause kind a detector's finding points at (staleness of an input is the writer's). */
export function findingKind(f: Finding): CauseKind {
  switch (f.detector) {
    case 'error_rate':
      return 'errors';
    case 'latency':
      return 'latency';
    case 'volume':
      return 'volume';
    case 'staleness':
      return 'staleness';
    case 'performance':
      return 'labels';
    default:
      return 'data';
  }
}

const SEVERITY: Record<Finding['severity'], number> = { info: 0.3, warning: 0.6, critical: 1 };

/**
 * Strength of a finding in (0, 1]: its severity, how small its p-value is (1e-10 and below
 * count fully) and how far past its threshold its value is (4× counts fully), averaged.
 */
export function findingStrength(f: Finding): number {
  const sev = SEVERITY[f.severity];
  const p = f.pValue !== undefined && Number.isFinite(f.pValue) ? Math.max(f.pValue, 1e-300) : undefined;
  const pScore = p === undefined ? sev : Math.min(1, Math.max(0, -Math.log10(p) / 10));
  const ratio =
    f.threshold > 0 && Number.isFinite(f.value / f.threshold) ? Math.abs(f.value / f.threshold) : 1;
  const rScore = Math.min(1, Math.max(0, Math.log2(Math.max(ratio, 1)) / 2));
  return Math.max(0.05, (sev + pScore + rScore) / 3);
}

/**
 * The kind a component's anomaly is named by: failures and slowness first (they explain
 * data gaps and slow parents, not the other way round), then staleness, data, volume and
 * label-only performance drops.
 */
export function kindOf(kinds: ReadonlySet<CauseKind>): CauseKind {
  for (const k of ['errors', 'latency', 'staleness', 'data', 'volume', 'labels'] as const)
    if (kinds.has(k)) return k;
  return 'data';
}

/** One symptom per component of the findings, in component-id order (never arrival order). */
export function symptomsOf(findings: readonly Finding[]): Symptom[] {
  const by = new Map<string, Symptom>();
  for (const f of findings) {
    const key = { service: f.stream.service, pipeline: f.stream.pipeline, component: f.stream.component };
    const node = nodeIdOf(key);
    let s = by.get(node);
    if (s === undefined) {
      s = {
        node,
        key,
        kind: 'data',
        kinds: new Set(),
        strength: 0,
        onsetMs: f.windowStartMs,
        moved: new Set(),
        findings: [],
        staleInputs: [],
      };
      by.set(node, s);
    }
    const kind = findingKind(f);
    s.kinds.add(kind);
    s.strength = Math.max(s.strength, findingStrength(f));
    s.onsetMs = Math.min(s.onsetMs, f.windowStartMs);
    s.findings.push(f);
    if (f.feature !== '' && f.detector !== 'staleness') s.moved.add(f.feature);
    if (f.detector === 'staleness' && f.statistic === 'input_age' && !s.staleInputs.includes(f.feature))
      s.staleInputs.push(f.feature);
  }
  const out = [...by.values()].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  for (const s of out) {
    s.kind = kindOf(s.kinds);
    s.findings.sort((a, b) => findingStrength(b) - findingStrength(a) || (a.id < b.id ? -1 : 1));
    s.staleInputs.sort();
  }
  return out;
}
