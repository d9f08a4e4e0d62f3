/**
 * Ranking metrics as RCAEval defines them: AC@k (the root cause is among the top k), Avg@5
 * (the mean of AC@1..AC@5) and the reciprocal rank of the root cause, averaged over cases.
 * Ties are scored by the expected value of a uniformly random tie-break.
 */
import type { Ranking } from './baselines.js';

/** Scores of one ranking on one case. */
export interface CaseScore {
  /** AC@1..AC@5 (expected, in [0, 1]). */
  ac: [number, number, number, number, number];
  /** Expected reciprocal rank of the root cause (0 when it is not ranked). */
  rr: number;
}

/** The score of a case with no ranking (no incident, or the root cause not ranked). */
export const MISS: Readonly<CaseScore> = Object.freeze({ ac: [0, 0, 0, 0, 0] as CaseScore['ac'], rr: 0 });

/** Scores `ranking` against the true root cause. */
export function scoreRanking(ranking: Ranking, truth: string): CaseScore {
  let before = 0;
  for (const group of ranking) {
    if (group.includes(truth)) {
      const g = group.length;
      const ac = [1, 2, 3, 4, 5].map((k) => Math.min(1, Math.max(0, (k - before) / g))) as CaseScore['ac'];
      let rr = 0;
      for (let j = 1; j <= g; j++) rr += 1 / (before + j);
      return { ac, rr: rr / g };
    }
    before += group.length;
  }
  return { ac: [...MISS.ac] as CaseScore['ac'], rr: 0 };
}

/** Averages over cases. */
export interface Summary {
  /** Cases. */
  n: number;
  /** AC@1. */
  ac1: number;
  /** AC@3. */
  ac3: number;
  /** Mean of AC@1..AC@5. */
  avg5: number;
  /** Mean reciprocal rank. */
  mrr: number;
}

/** Mean AC@1, AC@3, Avg@5 and MRR of some case scores (all zero for no cases). */
export function summarize(scores: readonly CaseScore[]): Summary {
  const n = scores.length;
  if (n === 0) return { n, ac1: 0, ac3: 0, avg5: 0, mrr: 0 };
  let ac1 = 0;
  let ac3 = 0;
  let avg5 = 0;
  let mrr = 0;
  for (const s of scores) {
    ac1 += s.ac[0];
    ac3 += s.ac[2];
    avg5 += (s.ac[0] + s.ac[1] + s.ac[2] + s.ac[3] + s.ac[4]) / 5;
    mrr += s.rr;
  }
  return { n, ac1: ac1 / n, ac3: ac3 / n, avg5: avg5 / n, mrr: mrr / n };
}
