/**
 * Runs the detectors on one closed window and stamps findings.
 *
 * Multiple testing is corrected once per window, across every detector and feature: with
 * dozens of features and several detectors, a per-test level (or one correction per
 * detector) would raise false findings in a few windows out of a hundred even when nothing
 * changed. Each hypothesis counts once: candidates of one detector and feature that name the
 * same `test` (KS distance, PSI and Wasserstein all decided by the KS test of the same
 * pair; Jensen–Shannon and chi-square by the same chi-square table) share one p-value and
 * one Benjamini–Hochberg slot. When no stream has changed at all, every hypothesis is null,
 * and BH at level `fdr` then bounds the chance that the window raises any p-value-based
 * finding by `fdr` (for independent or positively dependent tests). Detectors may weight their
 * hypotheses (`Detector.weight`); weights are normalized to mean 1 over the window, which keeps
 * that bound (weighted BH, Genovese, Roeder & Wasserman 2006) and moves power between detectors.
 *
 * One finding per detector, feature and window: when several statistics of one feature fire
 * (KS, PSI and Wasserstein of one numeric feature), the finding takes the decisive one (highest
 * severity, then furthest past its threshold) as its statistic and lists all of them in
 * `statistics`, so a person reads one record per broken feature, not three.
 */
import type { Finding, FindingStatistic, Severity } from '../model/finding.js';
import { serializeFeatureBase64 } from '../summaries/index.js';
import type { JudgedCandidate } from './AnalysisListener.js';
import type { Candidate, Detector, Reference } from './detectors/detector.js';
import { fmt } from './detectors/thresholds.js';
import { stableId } from './ids.js';
import { streamIdOf } from './observation.js';
import { benjaminiHochberg } from './stats/benjaminiHochberg.js';
import type { ClosedWindow } from './windows/StreamWindows.js';

/** Result of judging one window. */
export interface Judgement {
  /** Every candidate with its corrected decision. */
  candidates: JudgedCandidate[];
  /** Findings from the anomalous candidates. */
  findings: Finding[];
  /** Detectors that threw (their id and error). */
  errors: { detector: string; error: unknown }[];
  /** Hypotheses in the window's correction (distinct detector/feature/test with a p-value). */
  hypotheses: number;
}

/** The hypothesis a candidate's p-value belongs to, unique within a window. */
function hypothesisKey(detector: string, c: Candidate): string {
  return `${detector}\u0000${c.feature}\u0000${c.test ?? c.statistic}`;
}

/** The compared summaries in a finding's form (serialized once per finding; findings are rare). */
function summariesOf(c: Candidate): Pick<Finding, 'referenceSummary' | 'currentSummary'> {
  const out: Pick<Finding, 'referenceSummary' | 'currentSummary'> = {};
  if (c.compared?.reference) out.referenceSummary = serializeFeatureBase64(c.compared.reference);
  if (c.compared?.current) out.currentSummary = serializeFeatureBase64(c.compared.current);
  return out;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** How far past its threshold a candidate is (value / threshold; the value itself without a threshold). */
function margin(c: Candidate): number {
  return c.threshold > 0 && Number.isFinite(c.threshold) ? c.value / c.threshold : c.value;
}

/** The decisive candidate of one detector and feature: the most severe, then the furthest past its threshold. */
function decisive<T extends { c: Candidate }>(cs: readonly T[]): T {
  return cs.reduce((best, x) => {
    const a = SEVERITY_RANK[x.c.severity] - SEVERITY_RANK[best.c.severity];
    return a > 0 || (a === 0 && margin(x.c) > margin(best.c)) ? x : best;
  });
}

/**
 * A p-value as a finding carries it: never exactly 0 (the smallest double instead), so it stays a
 * floating-point number on every wire and the message can say "p < 1e-300".
 */
function findingPValue(q: number): number {
  return q > 0 ? q : Number.MIN_VALUE;
}

/** Runs `detectors` against the reference; never throws. */
export function judgeWindow(
  detectors: readonly Detector[],
  reference: Reference,
  window: ClosedWindow,
  fdr: number,
): Judgement {
  const w = window.data;
  const all: { detector: string; weight: number; c: Candidate; slot?: number }[] = [];
  const errors: Judgement['errors'] = [];
  for (const d of detectors) {
    // A weight that is not a positive finite number counts as 1 (it cannot be normalized).
    const weight = d.weight !== undefined && d.weight > 0 && Number.isFinite(d.weight) ? d.weight : 1;
    try {
      for (const c of d.detect(reference, w)) all.push({ detector: d.id, weight, c });
    } catch (error) {
      errors.push({ detector: d.id, error });
    }
  }
  // One slot per hypothesis. Candidates sharing a test carry the same p-value by construction;
  // should they ever differ, the largest is kept (the conservative choice).
  const slots = new Map<string, number>();
  const pValues: number[] = [];
  const weights: number[] = [];
  for (const entry of all) {
    const { detector, weight, c } = entry;
    if (c.pValue === undefined) continue;
    const key = hypothesisKey(detector, c);
    const slot = slots.get(key);
    if (slot === undefined) {
      entry.slot = pValues.length;
      slots.set(key, pValues.length);
      pValues.push(c.pValue);
      weights.push(weight);
    } else {
      entry.slot = slot;
      pValues[slot] = Math.max(pValues[slot] as number, c.pValue);
    }
  }
  const meanWeight = weights.reduce((a, b) => a + b, 0) / Math.max(1, weights.length);
  const weighted = pValues.map((p, i) => Math.min(1, (p * meanWeight) / (weights[i] as number)));
  const bh = benjaminiHochberg(weighted, fdr);
  const out: Judgement = { candidates: [], findings: [], errors, hypotheses: pValues.length };
  const sid = streamIdOf(w.stream);
  const fired = new Map<string, { detector: string; c: Candidate; q: number | undefined }[]>();
  for (const { detector, c, slot } of all) {
    const q = slot === undefined ? undefined : (bh.adjusted[slot] as number);
    const anomalous = c.anomalous && (slot === undefined || (bh.rejected[slot] as boolean));
    out.candidates.push({ detector, candidate: c, adjustedPValue: q, anomalous });
    if (!anomalous) continue;
    const key = `${detector}\u0000${c.feature}`;
    const list = fired.get(key);
    if (list) list.push({ detector, c, q });
    else fired.set(key, [{ detector, c, q }]);
  }
  const exemplarSpanIds = w.exemplarTraceIds.map((t) => window.exemplarSpans.get(t) ?? '');
  for (const group of fired.values()) {
    const { detector, c, q } = decisive(group);
    const others = group.filter((x) => x.c !== c);
    const statistics: FindingStatistic[] = [c, ...others.map((x) => x.c)].map((x, i) => {
      const xq = i === 0 ? q : others[i - 1]?.q;
      return {
        name: x.statistic,
        value: x.value,
        threshold: x.threshold,
        ...(xq !== undefined ? { pValue: findingPValue(xq) } : {}),
      };
    });
    const also = others.map((x) => `${x.c.statistic} ${fmt(x.c.value)} > ${fmt(x.c.threshold)}`);
    out.findings.push({
      id: stableId(detector, sid, c.feature, w.startMs),
      detector,
      stream: w.stream,
      feature: c.feature,
      statistic: c.statistic,
      value: c.value,
      threshold: c.threshold,
      ...(q !== undefined ? { pValue: findingPValue(q) } : {}),
      effectSize: c.effectSize,
      severity: c.severity,
      windowStartMs: w.startMs,
      windowEndMs: w.endMs,
      referenceCount: c.referenceCount,
      currentCount: c.currentCount,
      exemplarTraceIds: [...w.exemplarTraceIds],
      ...(w.runIds !== undefined && w.runIds.length > 0 ? { runIds: [...w.runIds] } : {}),
      ...summariesOf(c),
      message: also.length > 0 ? `${c.message}; also ${also.join(', ')}` : c.message,
      details: {
        ...c.details,
        exemplarSpanIds,
        ...(c.pValue !== undefined ? { rawPValue: c.pValue } : {}),
      },
      statistics,
    });
  }
  return out;
}
