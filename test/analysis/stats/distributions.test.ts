import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  betaBinomialUpperTail,
  binomialCdf,
  binomialUpperTail,
  regularizedBeta,
  studentTSurvival,
  studentTUpperQuantile,
} from '../../../src/analysis/stats/beta.js';
import {
  chiSquareSurvival,
  logGamma,
  poissonCdf,
  poissonUpperTail,
  regularizedGammaP,
  regularizedGammaQ,
} from '../../../src/analysis/stats/gamma.js';
import { normalCdf, normalQuantile, normalSurvival } from '../../../src/analysis/stats/normal.js';

function close(actual: number, expected: number, relative = 1e-9): void {
  const tolerance = Math.abs(expected) * relative + 1e-300;
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);
}

// Expected values are textbook table entries or scipy 1.17 (scipy.special / scipy.stats).
describe('gamma family', () => {
  it('logGamma matches ln Γ at half-integers and large arguments', () => {
    close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-13);
    close(logGamma(10), Math.log(362880), 1e-13);
    close(logGamma(100.5), 361.43554047, 1e-9);
  });

  it('P and Q are complementary and give the exponential distribution at a = 1', () => {
    close(regularizedGammaP(1, 2), 1 - Math.exp(-2), 1e-13);
    close(regularizedGammaQ(1, 2), Math.exp(-2), 1e-13);
    close(regularizedGammaP(3.5, 2.2) + regularizedGammaQ(3.5, 2.2), 1, 1e-14);
  });

  it('chi-square survival reproduces the 5% critical values of the table', () => {
    close(chiSquareSurvival(3.841458820694124, 1), 0.05, 1e-10);
    close(chiSquareSurvival(18.307038053275146, 10), 0.05, 1e-10);
    close(chiSquareSurvival(15.086272469388991, 5), 0.01, 1e-10);
    close(chiSquareSurvival(100, 80), 0.064570368921133, 1e-9);
  });

  it('Poisson tails match scipy', () => {
    close(poissonCdf(3, 7.5), 0.05914545983268393, 1e-10);
    close(poissonUpperTail(12, 5), 0.0054530919130093445, 1e-10);
    assert.equal(poissonUpperTail(0, 5), 1);
  });
});

describe('beta family', () => {
  it('regularized beta matches scipy betainc', () => {
    close(regularizedBeta(0.4, 2, 3), 0.5248, 1e-12);
  });

  it('binomial tails match scipy', () => {
    close(binomialUpperTail(5, 20, 0.1), 0.04317449528446339, 1e-10);
    close(binomialCdf(1, 20, 0.3), 0.007637259774199995, 1e-10);
    assert.equal(binomialUpperTail(0, 20, 0.3), 1);
    assert.equal(binomialUpperTail(21, 20, 0.3), 0);
  });
});

describe('normal', () => {
  it('tail probabilities stay accurate far into the tail', () => {
    close(normalSurvival(1), 0.158655253931457, 1e-10);
    close(normalSurvival(3), 1.3498980316301e-3, 1e-10);
    close(normalSurvival(10), 7.61985302416e-24, 1e-9);
    close(normalSurvival(20), 2.75362411860623e-89, 1e-8);
    close(normalCdf(-1.959963984540054), 0.025, 1e-12);
  });

  it('quantiles invert the CDF to near double precision', () => {
    close(normalQuantile(0.975), 1.959963984540054, 1e-13);
    close(normalQuantile(0.025), -1.959963984540054, 1e-13);
    close(normalQuantile(0.001), -3.090232306167813, 1e-12);
    close(normalQuantile(1e-10), -6.361340902404056, 1e-10);
    close(normalQuantile(0.9999), 3.719016485455709, 1e-10);
    assert.equal(normalQuantile(0.5), 0);
    assert.ok(Number.isNaN(normalQuantile(1.5)));
  });
});

describe('Student t and beta-binomial tails (few-run detectors)', () => {
  it('matches tabulated Student t tails and inverts them', () => {
    // Tables: P(T > 2.776) = 0.025 at 4 df; P(T > 1.812) = 0.05 at 10 df; Cauchy at 1 df.
    assert.ok(Math.abs(studentTSurvival(2.776445, 4) - 0.025) < 1e-6);
    assert.ok(Math.abs(studentTSurvival(1.812461, 10) - 0.05) < 1e-6);
    assert.ok(Math.abs(studentTSurvival(1, 1) - 0.25) < 1e-12);
    assert.equal(studentTSurvival(0, 7), 0.5);
    assert.ok(Math.abs(studentTSurvival(-1.812461, 10) - 0.95) < 1e-6);
    assert.ok(Math.abs(studentTUpperQuantile(0.005, 4) - 4.604095) < 1e-5);
    assert.ok(Math.abs(studentTUpperQuantile(0.95, 10) + 1.812461) < 1e-5);
  });

  it('sums the beta-binomial tail exactly (checked against the predictive by hand)', () => {
    // With Beta(1, 1) every count of n runs is equally likely: P(X ≥ k) = (n − k + 1)/(n + 1).
    assert.ok(Math.abs(betaBinomialUpperTail(2, 4, 1, 1) - 3 / 5) < 1e-12);
    // Laplace's rule: after 0 failures in 10 runs, the next run fails with probability 1/12.
    assert.ok(Math.abs(betaBinomialUpperTail(1, 1, 1, 11) - 1 / 12) < 1e-12);
    assert.equal(betaBinomialUpperTail(0, 3, 0.5, 9), 1);
    assert.equal(betaBinomialUpperTail(4, 3, 0.5, 9), 0);
  });
});
