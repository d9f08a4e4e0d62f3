/**
 * Tests and intervals for proportions (null rates, error rates, accuracy). Wilson's
 * interval is used instead of the Wald interval because it stays inside [0, 1] and keeps
 * its coverage with a handful of trials, which is exactly when a naive bound would alarm.
 */
import { binomialUpperTail } from './beta.js';
import { normalSurvival, normalTwoSided } from './normal.js';

/** Expected current-side events below which {@link rareEventProportionTest} uses the exact tail. */
export const SMALL_EXPECTED_EVENTS = 10;

/** A two-sided confidence interval. */
export interface Interval {
  /** Lower bound. */
  lower: number;
  /** Upper bound. */
  upper: number;
}

/** Wilson score interval for `successes` out of `n` at normal quantile `z` (1.96 ≈ 95%). */
export function wilsonInterval(successes: number, n: number, z = 1.959963984540054): Interval {
  if (!(n > 0)) return { lower: 0, upper: 1 };
  const k = Math.min(Math.max(successes, 0), n);
  const p = k / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // The formula reaches 0 and 1 exactly at k = 0 and k = n; clamp the float residue.
  return { lower: k === 0 ? 0 : Math.max(0, centre - half), upper: k === n ? 1 : Math.min(1, centre + half) };
}

/** Which difference a proportion test looks for. */
export type Alternative = 'two-sided' | 'greater' | 'less';

/** Result of {@link twoProportionTest}. */
export interface ProportionTest {
  /** Current proportion minus reference proportion. */
  difference: number;
  /** Pooled z statistic (positive when the current proportion is higher). */
  z: number;
  /** p-value for the chosen alternative. */
  pValue: number;
}

/**
 * Pooled two-proportion z-test of x2/n2 (current) against x1/n1 (reference).
 * `greater` asks whether the current proportion is higher.
 */
export function twoProportionTest(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  alternative: Alternative = 'two-sided',
): ProportionTest {
  if (!(n1 > 0 && n2 > 0)) return { difference: 0, z: 0, pValue: 1 };
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const difference = p2 - p1;
  if (se === 0) {
    // Both proportions are 0 or both are 1: no evidence of a difference.
    return { difference, z: 0, pValue: 1 };
  }
  const z = difference / se;
  const pValue =
    alternative === 'two-sided' ? normalTwoSided(z) : normalSurvival(alternative === 'greater' ? z : -z);
  return { difference, z, pValue };
}

/** Result of {@link rareEventProportionTest}: the z-test's fields plus which p-value was used. */
export interface RareEventProportionTest extends ProportionTest {
  /** Whether the p-value came from the exact conditional binomial tail instead of the normal one. */
  exact: boolean;
}

/**
 * {@link twoProportionTest} for rates of rare events (nulls, invalid values) in small windows.
 * With few expected events in the current sample the normal tail is far too small (one event
 * in 20 rows against a 0.6% reference gives p ≈ 0.005; the truth is ≈ 0.11), so a rise is
 * then judged by the exact conditional test: given all events of both samples, the current
 * sample's share of them is binomial with its share of the rows (conservative). A fall, and
 * the `less` alternative, keep the z-test.
 */
export function rareEventProportionTest(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  alternative: Alternative = 'two-sided',
): RareEventProportionTest {
  const test = twoProportionTest(x1, n1, x2, n2, alternative);
  if (!(n1 > 0 && n2 > 0) || alternative === 'less' || !(test.difference > 0))
    return { ...test, exact: false };
  const expected = ((x1 + x2) * n2) / (n1 + n2);
  if (!(expected < SMALL_EXPECTED_EVENTS)) return { ...test, exact: false };
  const tail = binomialUpperTail(x2, x1 + x2, n2 / (n1 + n2));
  return { ...test, pValue: alternative === 'two-sided' ? Math.min(1, 2 * tail) : tail, exact: true };
}
