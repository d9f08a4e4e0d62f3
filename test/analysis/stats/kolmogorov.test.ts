import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  kolmogorovQuantile,
  kolmogorovSurvival,
  ksCriticalDistance,
  ksPValue,
} from '../../../src/analysis/stats/kolmogorov.js';
import { ksTwoSampleExact } from '../../../src/analysis/stats/ksTwoSampleExact.js';

function close(actual: number, expected: number, relative = 1e-9): void {
  assert.ok(
    Math.abs(actual - expected) <= Math.abs(expected) * relative,
    `expected ${expected}, got ${actual}`,
  );
}

// Two rounded normal samples (with ties) and scipy 1.17's ks_2samp(method='exact') on them.
const A = [
  0.35, 0.82, 0.33, -1.3, 0.91, 0.45, -0.54, 0.58, 0.36, 0.29, 0.03, 0.55, -0.74, -0.16, -0.48, 0.6, 0.04,
  -0.29, -0.78, -0.26, 0.01, -0.28, 1.29, 1.01, -2.71, -1.89, -0.17, -0.42, 0.21, 0.22, 2.12, -1.11, -0.38,
  2.04, 0.65, 0.66, -0.51, -1.65, 0.17, 0.11, -1.23, -0.68, -0.07, -0.94, -0.1, 0.1, 0.04, -0.51, 0.59, 0.89,
  0.32, -0.82, 0.73, -0.5, 0.88, -1.07, 0.91, -0.02, -1.25, -0.31,
];
const B = [
  0.55, 0.77, -0.48, -0.61, 0.7, 0.03, 0.74, 1.26, -1.15, 0.75, 1.72, 0.2, -0.31, 1.25, 0.75, 1.4, 0.15,
  -0.98, 0.39, 0.05, 1.28, 0.69, -1.13, -0.7, 1.38, 1.18, -0.14, 0.5, 0.95, 0.97, 1.38, 0.76, 0.41, 0.24,
  1.56, -1.75, 0.36, 0.53, -0.93, 0.83, -0.15, 1.36, 0.37, 1.17, 1.72,
];

describe('Kolmogorov distribution', () => {
  it('matches the tabulated survival function on both series branches', () => {
    close(kolmogorovSurvival(0.3), 0.9999906941986655, 1e-9);
    close(kolmogorovSurvival(0.5), 0.9639452436648751, 1e-9);
    close(kolmogorovSurvival(1.0), 0.26999967167735456, 1e-9);
    close(kolmogorovSurvival(1.36), 0.049485876755377876, 1e-9);
    close(kolmogorovSurvival(1.628), 0.009975522431181053, 1e-9);
    close(kolmogorovSurvival(2.0), 0.0006709252557796953, 1e-9);
    assert.equal(kolmogorovSurvival(0), 1);
  });

  it('has the classic 5% critical value 1.358', () => {
    close(kolmogorovQuantile(0.05), 1.3580986393225507, 1e-9);
  });

  it('two-sample p-value uses the effective size with Stephens’ correction', () => {
    const ne = (100 * 300) / 400;
    const lambda = (Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * 0.15;
    close(ksPValue(0.15, 100, 300), kolmogorovSurvival(lambda), 1e-12);
    assert.equal(ksPValue(0.5, 0, 10), 1);
  });

  it('the critical distance is where the p-value crosses alpha', () => {
    const d = ksCriticalDistance(0.01, 500, 800);
    close(ksPValue(d, 500, 800), 0.01, 1e-6);
    assert.ok(ksPValue(d * 1.01, 500, 800) < 0.01);
  });
});

describe('ksTwoSampleExact', () => {
  it('gives the exact lattice-path p-values of fully separated samples', () => {
    const small = ksTwoSampleExact([1, 2, 3], [4, 5, 6]);
    assert.equal(small.d, 1);
    close(small.pValue, 0.1, 1e-12);
    const five = ksTwoSampleExact([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    close(five.pValue, 2 / 252, 1e-12);
    assert.equal(five.method, 'exact');
  });

  it('matches scipy on unequal samples with ties', () => {
    const result = ksTwoSampleExact(A, B);
    close(result.d, 0.34444444444444444, 1e-12);
    close(result.pValue, 0.003410068392223314, 1e-6);
  });

  it('switches to the asymptotic tail above the exact limit and stays close to the exact value', () => {
    const exact = ksTwoSampleExact(A, B);
    const asymptotic = ksTwoSampleExact(A, B, { exactLimit: 10 });
    assert.equal(asymptotic.method, 'asymptotic');
    assert.equal(asymptotic.d, exact.d);
    assert.ok(Math.abs(asymptotic.pValue - exact.pValue) < 0.002);
  });

  it('returns D = 0 and p = 1 for an empty side and rejects NaN by index', () => {
    assert.deepEqual(ksTwoSampleExact([], [1, 2]), { d: 0, pValue: 1, method: 'exact' });
    assert.throws(() => ksTwoSampleExact([1, Number.NaN], [2]), /a\[1\] is NaN/);
  });

  it('D equals the brute-force sup over all sample points (property)', () => {
    const sample = fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        let brute = 0;
        for (const x of [...a, ...b]) {
          const fa = a.filter((v) => v <= x).length / a.length;
          const fb = b.filter((v) => v <= x).length / b.length;
          brute = Math.max(brute, Math.abs(fa - fb));
        }
        const { d, pValue } = ksTwoSampleExact(a, b);
        return Math.abs(d - brute) < 1e-12 && pValue >= 0 && pValue <= 1;
      }),
      { numRuns: 200 },
    );
  });
});
