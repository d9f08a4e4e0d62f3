import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binomialUpperTail } from '../../../src/analysis/stats/beta.js';
import { rangeExceedanceRate, rangeExceedanceTail } from '../../../src/analysis/stats/rangeExceedance.js';
import { seededRandom } from './random.js';

describe('rangeExceedanceTail', () => {
  it('gives the exchangeable tail, far above the independent binomial one (issue: 6 of 500 outside the range of 2 000)', () => {
    const exact = rangeExceedanceTail(6, 2000, 500);
    assert.ok(exact > 3e-4 && exact < 5e-4, String(exact));
    const binomial = binomialUpperTail(6, 500, rangeExceedanceRate(2000));
    assert.ok(binomial < 2e-5, String(binomial));
  });

  it('is a distribution: P(K ≥ 0) = 1, P(K ≥ 1) = 1 − P(K = 0), and 0 beyond m', () => {
    assert.equal(rangeExceedanceTail(0, 100, 50), 1);
    // P(K = 0) = C(n+m−2, n−2)/C(n+m, n) = n(n−1)/((n+m)(n+m−1)).
    const n = 100;
    const m = 50;
    const p0 = (n * (n - 1)) / ((n + m) * (n + m - 1));
    assert.ok(Math.abs(rangeExceedanceTail(1, n, m) - (1 - p0)) < 1e-12);
    assert.equal(rangeExceedanceTail(51, n, m), 0);
  });

  it('matches simulation of a reference range and a window from one distribution', () => {
    const random = seededRandom(7);
    const runs = 40_000;
    let hits = 0;
    for (let t = 0; t < runs; t++) {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < 20; i++) {
        const x = random();
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
      let k = 0;
      for (let i = 0; i < 10; i++) {
        const x = random();
        if (x < lo || x > hi) k++;
      }
      if (k >= 3) hits++;
    }
    const expected = rangeExceedanceTail(3, 20, 10);
    assert.ok(Math.abs(hits / runs - expected) < 0.006, `${hits / runs} vs ${expected}`);
  });
});
