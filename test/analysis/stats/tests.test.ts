import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { benjaminiHochberg } from '../../../src/analysis/stats/benjaminiHochberg.js';
import { chiSquareHomogeneity, jensenShannonDistance } from '../../../src/analysis/stats/categorical.js';
import {
  classificationMetrics,
  mannWhitneyAuc,
  regressionMetrics,
} from '../../../src/analysis/stats/performanceMetrics.js';
import { twoProportionTest, wilsonInterval } from '../../../src/analysis/stats/proportions.js';

function close(actual: number, expected: number, relative = 1e-9): void {
  assert.ok(
    Math.abs(actual - expected) <= Math.abs(expected) * relative + 1e-15,
    `expected ${expected}, got ${actual}`,
  );
}

describe('wilsonInterval', () => {
  it('gives the textbook 95% interval for 8 of 10', () => {
    const { lower, upper } = wilsonInterval(8, 10, 1.959963984540054);
    close(lower, 0.49016247153664183, 1e-12);
    close(upper, 0.9433178485456247, 1e-12);
  });

  it('reaches exactly 0 and 1 at the extremes and is [0, 1] without trials', () => {
    assert.equal(wilsonInterval(0, 5, 1.96).lower, 0);
    assert.equal(wilsonInterval(5, 5, 1.96).upper, 1);
    assert.deepEqual(wilsonInterval(0, 0, 1.96), { lower: 0, upper: 1 });
  });
});

describe('twoProportionTest', () => {
  it('computes the pooled z statistic by hand', () => {
    // p1 = 0.1 of 200, p2 = 0.2 of 200, pooled 0.15: se = sqrt(0.15·0.85·0.01) = 0.035707.
    const t = twoProportionTest(20, 200, 40, 200, 'greater');
    close(t.z, 0.1 / Math.sqrt(0.15 * 0.85 * 0.01), 1e-12);
    assert.ok(t.pValue < 0.003 && t.pValue > 0.002);
    assert.ok(twoProportionTest(20, 200, 40, 200, 'less').pValue > 0.99);
  });

  it('finds no evidence when both sides are all zeros', () => {
    assert.equal(twoProportionTest(0, 100, 0, 100).pValue, 1);
  });
});

describe('benjaminiHochberg', () => {
  it('matches scipy.stats.false_discovery_control', () => {
    const { adjusted, rejected } = benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.5], 0.04);
    const expected = [0.025, 0.05, 0.05, 0.025, 0.5];
    for (const [i, q] of adjusted.entries()) close(q, expected[i] as number, 1e-12);
    assert.deepEqual(rejected, [true, false, false, true, false]);
  });

  it('treats a missing p-value as 1 but still counts it as a test', () => {
    const { adjusted } = benjaminiHochberg([0.01, undefined], 0.05);
    close(adjusted[0] as number, 0.02);
    assert.equal(adjusted[1], 1);
  });
});

describe('categorical statistics', () => {
  it('chi-square homogeneity matches scipy chi2_contingency without correction', () => {
    const r = chiSquareHomogeneity([50, 30, 20], [30, 30, 40]);
    close(r.statistic, 11.666666666666668, 1e-12);
    assert.equal(r.df, 2);
    close(r.pValue, 0.0029282996948181853, 1e-9);
  });

  it('pools sparse categories instead of letting them inflate X²', () => {
    const r = chiSquareHomogeneity([500, 500, 1, 0, 1], [500, 500, 0, 2, 0]);
    assert.equal(r.pooled, 3);
    // The pooled cell (expected ≈ 2) is still sparse, so it joins a full cell: 2 cells, df 1.
    assert.equal(r.df, 1);
    assert.ok(r.pValue > 0.5);
  });

  it('does not call one rare category seen once in a small window significant', () => {
    // Reference: 0.3% '.' among 10 000; a window of 20 holds one '.'. P(≥ 1 of 20) ≈ 6%.
    const r = chiSquareHomogeneity([4985, 4985, 30], [10, 9, 1]);
    assert.ok(r.pValue > 0.05, `p = ${r.pValue}`);
  });

  it('Jensen–Shannon distance matches scipy (base 2)', () => {
    close(jensenShannonDistance([0.5, 0.5, 0], [0, 0.5, 0.5]), Math.SQRT1_2, 1e-12);
    close(jensenShannonDistance([10, 40, 50], [20, 40, 40]), 0.12755938995082478, 1e-12);
    assert.equal(jensenShannonDistance([1, 0], [0, 1]), 1);
    assert.equal(jensenShannonDistance([3, 3], [1, 1]), 0);
  });
});

describe('performance metrics', () => {
  it('AUC counts ties as one half (hand count 6.5 of 9 pairs)', () => {
    const r = mannWhitneyAuc([0.1, 0.4, 0.35, 0.8, 0.5, 0.5], [false, false, true, true, false, true]);
    close(r.value, 6.5 / 9, 1e-12);
    assert.equal(r.positives, 3);
    assert.ok(r.se > 0);
    assert.ok(Number.isNaN(mannWhitneyAuc([0.2, 0.3], [true, true]).value));
  });

  it('macro precision, recall and F1 average over the union of classes', () => {
    // a: tp 2, fp 1, fn 0; b: tp 1, fp 1, fn 1; c: tp 0, fp 0, fn 1 (never predicted).
    const m = classificationMetrics(['a', 'a', 'a', 'b', 'b'], ['a', 'a', 'b', 'b', 'c']);
    close(m.accuracy.value, 3 / 5);
    close(m.macroPrecision.value, (2 / 3 + 1 / 2 + 0) / 3);
    close(m.macroRecall.value, (1 + 1 / 2 + 0) / 3);
    close(m.macroF1.value, (4 / 5 + 1 / 2 + 0) / 3);
    assert.ok(m.macroF1.se > 0);
  });

  it('the jackknife standard error of accuracy-like metrics shrinks with more labels', () => {
    const pattern = ['a', 'b', 'a', 'a'];
    const truth = ['a', 'b', 'b', 'a'];
    const small = classificationMetrics(pattern, truth);
    const big = classificationMetrics(
      Array.from({ length: 400 }, (_, i) => pattern[i % 4] as string),
      Array.from({ length: 400 }, (_, i) => truth[i % 4] as string),
    );
    close(big.macroRecall.value, small.macroRecall.value);
    assert.ok(big.macroRecall.se < small.macroRecall.se / 5);
  });

  it('MAE and RMSE skip non-finite pairs', () => {
    const r = regressionMetrics([1, 2, 3, Number.NaN], [2, 2, 5, 1]);
    assert.equal(r.n, 3);
    close(r.mae.value, 1);
    close(r.rmse.value, Math.sqrt(5 / 3));
  });
});
