/**
 * The regularized incomplete beta function and the exact binomial tails built on it,
 * so small-count tests (a handful of errors, a few slow runs) need no normal approximation.
 */
import { logGamma } from './gamma.js';

const EPS = 1e-15;
const TINY = 1e-300;
const MAX_ITERATIONS = 10_000;

function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b), for a, b > 0 and 0 ≤ x ≤ 1. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0) || Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  // The continued fraction converges fast only on the side of the mean; use symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(X ≥ k) for X ~ Binomial(n, p); exact, via P(X ≥ k) = I_p(k, n − k + 1). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  return regularizedBeta(p, k, n - k + 1);
}

/** P(X ≤ k) for X ~ Binomial(n, p); exact, via P(X ≤ k) = I_{1−p}(n − k, k + 1). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  return regularizedBeta(1 - p, n - k, k + 1);
}

/**
 * P(T > t) for Student's t with ν degrees of freedom (ν > 0), exact through the incomplete
 * beta function: the predictive law of one new log-duration given a few reference ones.
 */
export function studentTSurvival(t: number, nu: number): number {
  if (!(nu > 0) || Number.isNaN(t)) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 0;
  if (t === Number.NEGATIVE_INFINITY) return 1;
  const half = 0.5 * regularizedBeta(nu / (nu + t * t), nu / 2, 0.5);
  return t >= 0 ? half : 1 - half;
}

/**
 * P(X ≥ k) for k = 0..n, X ~ BetaBinomial(n, a, b): failures among n new runs when the failure
 * rate is only known as Beta(a, b) (a posterior from a few reference runs). Exact; the terms
 * come from the pmf's ratio recurrence, summed from the top so small tails keep their digits.
 */
export function betaBinomialUpperTails(n: number, a: number, b: number): number[] {
  if (!(a > 0) || !(b > 0) || !(Number.isInteger(n) && n >= 0)) return [];
  const lnBeta = (x: number, y: number): number => logGamma(x) + logGamma(y) - logGamma(x + y);
  const pmf = new Array<number>(n + 1);
  // P(X = 0) = B(a, n + b) / B(a, b); P(X = j + 1) / P(X = j) = (n − j)(j + a) / ((j + 1)(n − j − 1 + b)).
  pmf[0] = Math.exp(lnBeta(a, n + b) - lnBeta(a, b));
  for (let j = 0; j < n; j++) pmf[j + 1] = (pmf[j]! * (n - j) * (j + a)) / ((j + 1) * (n - j - 1 + b));
  const tails = new Array<number>(n + 2).fill(0);
  for (let j = n; j >= 0; j--) tails[j] = Math.min(1, tails[j + 1]! + pmf[j]!);
  tails.length = n + 1;
  tails[0] = 1;
  return tails;
}

/** P(X ≥ k) for X ~ BetaBinomial(n, a, b); see {@link betaBinomialUpperTails}. */
export function betaBinomialUpperTail(k: number, n: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0) || !(n >= 0)) return Number.NaN;
  if (k <= 0) return 1;
  if (k > n) return 0;
  return betaBinomialUpperTails(n, a, b)[Math.ceil(k)]!;
}

/** The t with P(T > t) = p for Student's t with ν degrees of freedom (0 < p < 1), by bisection. */
export function studentTUpperQuantile(p: number, nu: number): number {
  if (!(p > 0 && p < 1) || !(nu > 0)) return Number.NaN;
  if (p === 0.5) return 0;
  if (p > 0.5) return -studentTUpperQuantile(1 - p, nu);
  let lo = 0;
  let hi = 1;
  while (studentTSurvival(hi, nu) > p && hi < 1e12) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTSurvival(mid, nu) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
