/**
 * Model-quality metrics on label-joined predictions, each with a standard error so a
 * detector can put a confidence bound around it: with 12 labels an accuracy of 0.75 is
 * compatible with almost anything, and the bound says so.
 */

/** A metric value and its standard error. */
export interface Estimate {
  /** Point estimate. */
  value: number;
  /** Standard error (NaN when it cannot be estimated, e.g. one observation). */
  se: number;
}

/** Classification metrics of predicted versus true classes. */
export interface ClassificationMetrics {
  /** Joined predictions. */
  n: number;
  /** Correct predictions. */
  correct: number;
  /** Share of correct predictions. */
  accuracy: Estimate;
  /** Unweighted mean over classes (union of true and predicted) of precision. */
  macroPrecision: Estimate;
  /** Unweighted mean over classes of recall. */
  macroRecall: Estimate;
  /** Unweighted mean over classes of F1. */
  macroF1: Estimate;
}

interface Counts {
  tp: Map<string, number>;
  fp: Map<string, number>;
  fn: Map<string, number>;
}

function add(map: Map<string, number>, key: string, delta: number): void {
  map.set(key, (map.get(key) ?? 0) + delta);
}

/** Macro precision, recall and F1; a class with no predictions (or no support) scores 0 there. */
function macro(counts: Counts, classes: readonly string[]): [number, number, number] {
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  for (const c of classes) {
    const tp = counts.tp.get(c) ?? 0;
    const fp = counts.fp.get(c) ?? 0;
    const fn = counts.fn.get(c) ?? 0;
    const p = tp + fp > 0 ? tp / (tp + fp) : 0;
    const r = tp + fn > 0 ? tp / (tp + fn) : 0;
    precision += p;
    recall += r;
    f1 += 2 * tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0;
  }
  const k = classes.length || 1;
  return [precision / k, recall / k, f1 / k];
}

function applyPair(counts: Counts, predicted: string, actual: string, delta: number): void {
  if (predicted === actual) add(counts.tp, actual, delta);
  else {
    add(counts.fp, predicted, delta);
    add(counts.fn, actual, delta);
  }
}

/**
 * Accuracy and macro precision/recall/F1 with jackknife standard errors. Leave-one-out
 * values only depend on the (predicted, actual) pair left out, so the jackknife costs one
 * evaluation per distinct pair, not per row.
 */
export function classificationMetrics(
  predicted: readonly string[],
  actual: readonly string[],
): ClassificationMetrics {
  const n = Math.min(predicted.length, actual.length);
  const counts: Counts = { tp: new Map(), fp: new Map(), fn: new Map() };
  const pairs = new Map<string, { p: string; a: string; count: number }>();
  const classSet = new Set<string>();
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const p = predicted[i] as string;
    const a = actual[i] as string;
    classSet.add(p);
    classSet.add(a);
    applyPair(counts, p, a, 1);
    if (p === a) correct++;
    const key = JSON.stringify([p, a]);
    const pair = pairs.get(key);
    if (pair) pair.count++;
    else pairs.set(key, { p, a, count: 1 });
  }
  const classes = [...classSet];
  const [precision, recall, f1] = macro(counts, classes);
  const accuracy = n > 0 ? correct / n : Number.NaN;
  const nan = Number.NaN;
  if (n < 2) {
    return {
      n,
      correct,
      accuracy: { value: accuracy, se: nan },
      macroPrecision: { value: n ? precision : nan, se: nan },
      macroRecall: { value: n ? recall : nan, se: nan },
      macroF1: { value: n ? f1 : nan, se: nan },
    };
  }
  const leaveOut: { values: [number, number, number]; count: number }[] = [];
  for (const { p, a, count } of pairs.values()) {
    applyPair(counts, p, a, -1);
    leaveOut.push({ values: macro(counts, classes), count });
    applyPair(counts, p, a, 1);
  }
  const se = (index: 0 | 1 | 2): number => {
    let mean = 0;
    for (const x of leaveOut) mean += x.values[index] * x.count;
    mean /= n;
    let ss = 0;
    for (const x of leaveOut) ss += x.count * (x.values[index] - mean) ** 2;
    return Math.sqrt(((n - 1) / n) * ss);
  };
  return {
    n,
    correct,
    accuracy: { value: accuracy, se: Math.sqrt((accuracy * (1 - accuracy)) / n) },
    macroPrecision: { value: precision, se: se(0) },
    macroRecall: { value: recall, se: se(1) },
    macroF1: { value: f1, se: se(2) },
  };
}

/** Area under the ROC curve from the Mann–Whitney U statistic (ties count one half). */
export interface AucResult extends Estimate {
  /** Positive examples. */
  positives: number;
  /** Negative examples. */
  negatives: number;
}

/** AUC = U / (n₊·n₋) with mid-ranks for ties; standard error by Hanley & McNeil (1982). */
export function mannWhitneyAuc(scores: readonly number[], positive: readonly boolean[]): AucResult {
  const rows: { s: number; pos: boolean }[] = [];
  for (let i = 0; i < Math.min(scores.length, positive.length); i++) {
    const s = scores[i] as number;
    if (Number.isFinite(s)) rows.push({ s, pos: positive[i] as boolean });
  }
  rows.sort((x, y) => x.s - y.s);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < rows.length; ) {
    let j = i;
    while (j < rows.length && (rows[j] as { s: number }).s === (rows[i] as { s: number }).s) j++;
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if ((rows[k] as { pos: boolean }).pos) {
        positives++;
        rankSum += midRank;
      }
    }
    i = j;
  }
  const negatives = rows.length - positives;
  if (positives === 0 || negatives === 0) return { value: Number.NaN, se: Number.NaN, positives, negatives };
  const auc = (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const variance =
    (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) /
    (positives * negatives);
  return { value: auc, se: Math.sqrt(Math.max(0, variance)), positives, negatives };
}

/** Regression error metrics. */
export interface RegressionMetrics {
  /** Joined predictions with finite prediction and label. */
  n: number;
  /** Mean absolute error, se = sd(|e|)/√n. */
  mae: Estimate;
  /** Root mean squared error, se by the delta method: sd(e²)/(2·RMSE·√n). */
  rmse: Estimate;
}

/** MAE and RMSE of predictions against labels, skipping pairs with a non-finite side. */
export function regressionMetrics(
  predicted: readonly number[],
  actual: readonly number[],
): RegressionMetrics {
  const abs: number[] = [];
  for (let i = 0; i < Math.min(predicted.length, actual.length); i++) {
    const e = (predicted[i] as number) - (actual[i] as number);
    if (Number.isFinite(e)) abs.push(Math.abs(e));
  }
  const n = abs.length;
  if (n === 0)
    return { n, mae: { value: Number.NaN, se: Number.NaN }, rmse: { value: Number.NaN, se: Number.NaN } };
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = (xs: number[], mu: number): number =>
    xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mu) ** 2, 0) / (xs.length - 1)) : Number.NaN;
  const mae = mean(abs);
  const squares = abs.map((x) => x * x);
  const mse = mean(squares);
  const rmse = Math.sqrt(mse);
  const mseSe = sd(squares, mse) / Math.sqrt(n);
  return {
    n,
    mae: { value: mae, se: sd(abs, mae) / Math.sqrt(n) },
    rmse: { value: rmse, se: rmse > 0 ? mseSe / (2 * rmse) : 0 },
  };
}
