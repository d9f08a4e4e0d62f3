/**
 * The Kolmogorov distribution and the two-sample KS p-value derived from it. With the
 * effective sample size ne = n·m/(n+m), Stephens' correction λ = (√ne + 0.12 + 0.11/√ne)·D
 * makes the asymptotic tail usable down to ne ≈ 4 (Stephens 1970; Numerical Recipes §14.3).
 */

/** Q_KS(λ) = P(K > λ) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²λ²), the Kolmogorov survival function. */
export function kolmogorovSurvival(lambda: number): number {
  if (Number.isNaN(lambda)) return Number.NaN;
  if (lambda <= 0) return 1;
  if (lambda < 1.18) {
    // The alternating series converges slowly for small λ; the Jacobi-theta form is fast there.
    const y = Math.exp((-Math.PI * Math.PI) / (8 * lambda * lambda));
    let sum = 0;
    for (let k = 1; k <= 20; k++) {
      const term = y ** ((2 * k - 1) * (2 * k - 1));
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * sum));
  }
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-17 * sum) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/** n·m/(n+m): the sample size the two-sample KS statistic behaves like. */
export function ksEffectiveSize(n: number, m: number): number {
  return n > 0 && m > 0 ? (n * m) / (n + m) : 0;
}

function stephensFactor(n: number, m: number): number {
  const root = Math.sqrt(ksEffectiveSize(n, m));
  return root + 0.12 + 0.11 / root;
}

/** Asymptotic two-sample KS p-value of distance `d` between samples of sizes n and m. */
export function ksPValue(d: number, n: number, m: number): number {
  if (!(n > 0 && m > 0) || !(d > 0)) return 1;
  return kolmogorovSurvival(stephensFactor(n, m) * d);
}

/** λ with Q_KS(λ) = alpha, by bisection (Q_KS is strictly decreasing). */
export function kolmogorovQuantile(alpha: number): number {
  if (!(alpha > 0)) return Number.POSITIVE_INFINITY;
  if (alpha >= 1) return 0;
  let lo = 0;
  let hi = 10;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (kolmogorovSurvival(mid) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Smallest KS distance with p-value ≤ alpha for samples of sizes n and m (may exceed 1). */
export function ksCriticalDistance(alpha: number, n: number, m: number): number {
  if (!(n > 0 && m > 0)) return Number.POSITIVE_INFINITY;
  return kolmogorovQuantile(alpha) / stephensFactor(n, m);
}
