/**
 * mlobs as the product runs it on one window: the reference is a profile (summaries of the
 * reference rows plus per-segment summaries for calibration) resolved by `StreamReference`,
 * the window is summarized with `summarize`, and `judgeWindow` (the function the Analyzer
 * calls when a window closes) runs the default detector set with Benjamini–Hochberg across
 * every detector and feature of the window. "Detected" means at least one finding.
 *
 * The naive variant reads the same judged candidates but ignores every effect-size floor and
 * calibrated threshold: a candidate counts when its BH-adjusted sketch p-value is ≤ the FDR
 * (candidates without a p-value keep the detector's verdict). It shows what significance
 * alone does at large n.
 */

import type { Detector, Reference, WindowData } from '../../src/analysis/detectors/detector.js';
import { createDetectors, type DetectorsConfig } from '../../src/analysis/detectors/index.js';
import { judgeWindow } from '../../src/analysis/judgeWindow.js';
import type { Profile } from '../../src/analysis/profile.js';
import { resolveReferenceOptions, StreamReference } from '../../src/analysis/reference/StreamReference.js';
import type { StreamKey } from '../../src/model/finding.js';
import { type BatchSummary, mergeBatch, summarize } from '../../src/summaries/index.js';
import type { Batch } from './dataset.js';

/** Outcome of mlobs on one window. */
export interface MlobsVerdict {
  /** At least one finding. */
  detected: boolean;
  /** At least one BH-significant candidate, floors ignored. */
  naive: boolean;
  /** `detector/statistic` of each finding. */
  fired: string[];
  /** Per level of {@link FDR_LEVELS}: at least one finding had the Analyzer used that FDR. */
  atLevels: boolean[];
}

/** The common FDR of 0.05, shown beside the default 0.01, read off the same BH q-values (no second run). */
export const LENIENT_FDR = 0.05;

/** FDR levels read off the same q-values (the error-budget table); the first is the default, the last {@link LENIENT_FDR}. */
export const FDR_LEVELS = [0.01, 0.015, 0.02, 0.025, 0.03, LENIENT_FDR] as const;

const STREAM: StreamKey = { service: 'bench', pipeline: 'detection', component: 'features', model: '' };

/** Summarizes a batch the way an application's `recordFeatures` call would. */
export function summarizeBatch(b: Batch): BatchSummary {
  return summarize({ ...b.numeric, ...b.categorical });
}

function slice(b: Batch, from: number, to: number): Batch {
  const numeric: Batch['numeric'] = {};
  for (const [k, v] of Object.entries(b.numeric)) numeric[k] = v.subarray(from, to);
  const categorical: Batch['categorical'] = {};
  for (const [k, v] of Object.entries(b.categorical)) categorical[k] = v.slice(from, to);
  return { n: to - from, numeric, categorical };
}

/** A profile of the reference rows in `segments` equal chunks, as `mlobs profile` would store it. */
export function profileOf(reference: Batch, segments: number): Profile {
  const parts: BatchSummary[] = [];
  for (let s = 0; s < segments; s++) {
    const from = Math.floor((s * reference.n) / segments);
    const to = Math.floor(((s + 1) * reference.n) / segments);
    parts.push(summarizeBatch(slice(reference, from, to)));
  }
  const all = parts.slice(1).reduce((acc, p) => mergeBatch(acc, p), parts[0] as BatchSummary);
  return {
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    source: 'detection benchmark reference',
    rows: reference.n,
    stream: {},
    features: all.features,
    predictions: new Map(),
    schema: new Map(),
    segments: parts.map((p) => ({ rows: p.rows, features: p.features, predictions: new Map() })),
  };
}

/** Judges windows against one reference profile with the default detectors. */
export class MlobsJudge {
  private readonly detectors: Detector[];
  private readonly reference: Reference;

  /**
   * @param fdr Benjamini–Hochberg level (the Analyzer's default, 0.01).
   * @param config detector settings; the product defaults when empty.
   */
  constructor(
    profile: Profile,
    private readonly fdr = 0.01,
    config: DetectorsConfig = {},
  ) {
    this.detectors = createDetectors(config);
    const ref = new StreamReference(STREAM, resolveReferenceOptions({ profiles: [profile] }), this.detectors);
    const current = ref.current();
    if (current === undefined) throw new Error('MlobsJudge: the profile reference did not resolve');
    this.reference = current;
  }

  /** Summarizes and judges one window. */
  judge(window: Batch): MlobsVerdict {
    const s = summarizeBatch(window);
    const data: WindowData = {
      stream: STREAM,
      startMs: 0,
      endMs: 60_000,
      runs: 1,
      errorRuns: 0,
      durationMs: undefined,
      rows: s.rows,
      features: s.features,
      predictions: new Map(),
      outcomes: undefined,
      modelTrainedAtMs: undefined,
      inputLastWrittenMs: new Map(),
      exemplarTraceIds: [],
    };
    const j = judgeWindow(this.detectors, this.reference, { data, exemplarSpans: new Map() }, this.fdr);
    if (j.errors.length > 0) {
      const e = j.errors[0] as { detector: string; error: unknown };
      throw new Error(`MlobsJudge: detector ${e.detector} threw: ${String(e.error)}`);
    }
    const naive = j.candidates.some((c) =>
      c.adjustedPValue === undefined ? c.anomalous : c.adjustedPValue <= this.fdr,
    );
    // BH q-values do not depend on the level, so the other levels need no second judgement.
    const findsAt = (level: number) =>
      j.candidates.some(
        (c) => c.candidate.anomalous && (c.adjustedPValue === undefined || c.adjustedPValue <= level),
      );
    return {
      detected: j.findings.length > 0,
      naive,
      fired: j.findings.map((f) => `${f.detector}/${f.statistic}`),
      atLevels: FDR_LEVELS.map(findsAt),
    };
  }
}
