/**
 * Runs the detectors on one closed window and stamps findings. Multiple-testing correction
 * is per detector per window across the features it tested: with hundreds of features,
 * raw p < alpha would otherwise raise false findings every window.
 */
import type { Finding } from '../model/finding.js';
import type { JudgedCandidate } from './AnalysisListener.js';
import type { Detector, Reference } from './detectors/detector.js';
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
}

/** Runs `detectors` against the reference; never throws. */
export function judgeWindow(
  detectors: readonly Detector[],
  reference: Reference,
  window: ClosedWindow,
  fdr: number,
): Judgement {
  const out: Judgement = { candidates: [], findings: [], errors: [] };
  const w = window.data;
  const sid = streamIdOf(w.stream);
  for (const d of detectors) {
    let cands: ReturnType<Detector['detect']>;
    try {
      cands = d.detect(reference, w);
    } catch (error) {
      out.errors.push({ detector: d.id, error });
      continue;
    }
    const tested = cands.map((c, i) => ({ c, i })).filter((x) => x.c.pValue !== undefined);
    const bh = benjaminiHochberg(
      tested.map((x) => x.c.pValue),
      fdr,
    );
    const adjusted = new Map<number, { q: number; rejected: boolean }>();
    tested.forEach((x, j) => {
      adjusted.set(x.i, { q: bh.adjusted[j]!, rejected: bh.rejected[j]! });
    });
    cands.forEach((c, i) => {
      const a = adjusted.get(i);
      const anomalous = c.anomalous && (a === undefined || a.rejected);
      out.candidates.push({ detector: d.id, candidate: c, adjustedPValue: a?.q, anomalous });
      if (!anomalous) return;
      const exemplarSpanIds = w.exemplarTraceIds.map((t) => window.exemplarSpans.get(t) ?? '');
      out.findings.push({
        id: stableId(d.id, sid, c.feature, c.statistic, w.startMs),
        detector: d.id,
        stream: w.stream,
        feature: c.feature,
        statistic: c.statistic,
        value: c.value,
        threshold: c.threshold,
        ...(a ? { pValue: a.q } : {}),
        effectSize: c.effectSize,
        severity: c.severity,
        windowStartMs: w.startMs,
        windowEndMs: w.endMs,
        referenceCount: c.referenceCount,
        currentCount: c.currentCount,
        exemplarTraceIds: [...w.exemplarTraceIds],
        message: c.message,
        details: {
          ...c.details,
          exemplarSpanIds,
          ...(c.pValue !== undefined ? { rawPValue: c.pValue } : {}),
        },
      });
    });
  }
  return out;
}
