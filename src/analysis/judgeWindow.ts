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
 */
import type { Finding } from '../model/finding.js';
import { serializeFeatureBase64 } from '../summaries/index.js';
import type { JudgedCandidate } from './AnalysisListener.js';
import type { Candidate, Detector, Reference } from './detectors/detector.js';
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
  for (const { detector, c, slot } of all) {
    const q = slot === undefined ? undefined : (bh.adjusted[slot] as number);
    const anomalous = c.anomalous && (slot === undefined || (bh.rejected[slot] as boolean));
    out.candidates.push({ detector, candidate: c, adjustedPValue: q, anomalous });
    if (!anomalous) continue;
    const exemplarSpanIds = w.exemplarTraceIds.map((t) => window.exemplarSpans.get(t) ?? '');
    out.findings.push({
      id: stableId(detector, sid, c.feature, c.statistic, w.startMs),
      detector,
      stream: w.stream,
      feature: c.feature,
      statistic: c.statistic,
      value: c.value,
      threshold: c.threshold,
      ...(q !== undefined ? { pValue: q } : {}),
      effectSize: c.effectSize,
      severity: c.severity,
      windowStartMs: w.startMs,
      windowEndMs: w.endMs,
      referenceCount: c.referenceCount,
      currentCount: c.currentCount,
      exemplarTraceIds: [...w.exemplarTraceIds],
      ...summariesOf(c),
      message: c.message,
      details: {
        ...c.details,
        exemplarSpanIds,
        ...(c.pValue !== undefined ? { rawPValue: c.pValue } : {}),
      },
    });
  }
  return out;
}
