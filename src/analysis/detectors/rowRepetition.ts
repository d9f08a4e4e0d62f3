/**
 * Rows that repeat. A join that fans one upstream record out to several rows (a lookup
 * table, a one-to-many key) puts the same values in a window several times; every per-row
 * test then counts each record as if it were several independent draws and alarms on clean
 * windows. The window's effective sample size is read off the distinct-value counts the
 * categorical summaries carry: m independent draws from the reference's distribution show
 * E[D(m)] = Σ_v 1 − (1 − p_v)^m distinct values, so a window with fewer distinct values than
 * that (beyond its sampling spread) behaves like the x draws with E[D(x)] = observed. Numeric
 * summaries (format 3 on) carry a distinct count too but no value frequencies: there the
 * reference's n values with D distinct are read as draws from K equally likely values,
 * K(1 − (1 − 1/K)^n) = D (K = ∞ when every value was distinct, as on a continuous feature,
 * and exact for a table sampled with replacement); a skewed discrete feature (rain, 0 on half
 * the days) has fewer distinct values in x draws than that model says, and so do the unlisted
 * values of a long-tailed categorical: a feature's share errs low, never high. Rows repeat in
 * every column at once, so the window's share m_eff / m is the largest over the features where
 * a repetition of two would be visible (a clean window read as repeated costs power: clean
 * 100-row windows of seattle-weather read 0.5–0.8 by their median, 1 in most by their largest);
 * detectors scale their current-side counts by it (the first-order Rao–Scott correction: a
 * design effect of 1/share on the current side).
 */
import type { CategoricalSummary, NumericSummary } from '../../summaries/index.js';
import type { Reference, WindowData } from './detector.js';
import { looksLikeDates } from './valueShapes.js';

/** The window's effective sample size relative to its rows, and what it was read from. */
export interface Repetition {
  /** m_eff / m in (0, 1]; 1 when no feature shows repetition or none can tell. */
  share: number;
  /** Features whose distinct counts were informative, with each one's own share. */
  features: { feature: string; share: number }[];
  /** The informative shares, ascending. */
  sorted: number[];
  /** Position of each informative feature's share in `sorted`. */
  rank: Map<string, number>;
}

/** Repetition ratios below this are treated as none: a 10% design effect is within rounding. */
const NEGLIGIBLE = 0.9;
/** Spread (in standard deviations) a distinct count must fall short by to count as repetition. */
const Z = 3;
/**
 * The same for a numeric feature, whose counter is coarser (6.5% against 1.6%): a feature
 * that errs low is outvoted, the window's share being the largest over its features.
 */
const NUMERIC_Z = 2;
/**
 * Smallest window (non-null values of a feature) judged for repetition: the detectors' own
 * default minCount, so every window they judge is also judged for repetition (10 rows from 3
 * records show 3 distinct values of a continuous feature, a plain signal).
 */
const MIN_VALUES = 10;

/** Category probabilities of the reference: listed values at their midpoint, the rest spread evenly. */
function probabilities(ref: CategoricalSummary): { listed: number[]; restCount: number; restP: number } {
  const n = ref.count;
  const err = ref.topError;
  const listed = ref.top().map((t) => Math.max(0, t.count - err / 2) / n);
  const listedMass = listed.reduce((s, p) => s + p, 0);
  const restCount = Math.max(0, ref.distinct() - listed.length);
  const restMass = Math.max(0, 1 - listedMass);
  return { listed, restCount, restP: restCount > 0 ? restMass / restCount : 0 };
}

/**
 * Expected distinct values in x draws and the variance of that count, with the (negative)
 * covariances of the cells kept: Var = Σ_i q_i(1−q_i) + Σ_{i≠j} ((1−p_i−p_j)^x − q_i q_j),
 * q_i = (1−p_i)^x. The unlisted values form one block of K equally likely cells. Without the
 * covariances the variance of a many-valued feature is overstated several- to a hundredfold and
 * no repetition could ever show.
 */
function expectedDistinct(
  p: ReturnType<typeof probabilities>,
  x: number,
): { mean: number; variance: number } {
  const pow = (base: number) => (base <= 0 ? 0 : Math.exp(x * Math.log(base)));
  const listed = p.listed;
  const q = listed.map((prob) => pow(1 - prob));
  let mean = 0;
  let variance = 0;
  for (let i = 0; i < listed.length; i++) {
    const qi = q[i] as number;
    mean += 1 - qi;
    variance += qi * (1 - qi);
    for (let j = i + 1; j < listed.length; j++)
      variance += 2 * (pow(1 - (listed[i] as number) - (listed[j] as number)) - qi * (q[j] as number));
  }
  if (p.restCount > 0) {
    const k = p.restCount;
    const r = p.restP;
    const qr = pow(1 - r);
    mean += k * (1 - qr);
    variance += k * qr * (1 - qr) + k * (k - 1) * (pow(1 - 2 * r) - qr * qr);
    for (let i = 0; i < listed.length; i++)
      variance += 2 * k * (pow(1 - (listed[i] as number) - r) - (q[i] as number) * qr);
  }
  return { mean, variance: Math.max(0, variance) };
}

/** Share m_eff/m of one categorical feature, or undefined when its distinct count cannot tell. */
export function featureRepetitionShare(ref: CategoricalSummary, cur: CategoricalSummary): number | undefined {
  const m = cur.count;
  if (m < MIN_VALUES || ref.count < MIN_VALUES) return undefined;
  if (looksLikeDates(ref.top().map((t) => t.value))) return undefined;
  const p = probabilities(ref);
  const full = expectedDistinct(p, m);
  const half = expectedDistinct(p, m / 2);
  const observed = cur.distinct();
  // HyperLogLog counts small cardinalities almost exactly (linear counting); allow its error above that.
  const slack = Z * Math.sqrt(full.variance) + Math.max(1, cur.distinctRelativeError * observed);
  if (full.mean - half.mean <= slack) return undefined;
  if (observed >= full.mean - slack) return 1;
  let lo = 1;
  let hi = m;
  for (let i = 0; i < 50 && hi - lo > 1e-3 * m; i++) {
    const mid = (lo + hi) / 2;
    if (expectedDistinct(p, mid).mean < observed) lo = mid;
    else hi = mid;
  }
  return Math.min(1, (lo + hi) / (2 * m));
}

/** E[D(x)] and Var[D(x)] for x draws from K equally likely values (K = ∞: x and 0). */
function uniformDistinct(k: number, x: number): { mean: number; variance: number } {
  if (!Number.isFinite(k)) return { mean: x, variance: 0 };
  const q = Math.exp(x * Math.log1p(-1 / k));
  const q2 = Math.exp(x * Math.log1p(-2 / k));
  return { mean: k * (1 - q), variance: Math.max(0, k * q * (1 - q) + k * (k - 1) * (q2 - q * q)) };
}

/** K with K(1 − (1 − 1/K)^n) = d: the equally likely values n draws with d distinct came from. */
function uniformPopulation(n: number, d: number): number {
  if (d >= n - 0.5) return Number.POSITIVE_INFINITY;
  let lo = d;
  let hi = d;
  while (uniformDistinct(hi, n).mean < d && hi < 1e12) hi *= 2;
  if (hi >= 1e12) return Number.POSITIVE_INFINITY;
  for (let i = 0; i < 60 && hi - lo > 1e-6 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (uniformDistinct(mid, n).mean < d) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Share m_eff/m of one numeric feature from its distinct counts, or undefined when they cannot tell. */
export function numericRepetitionShare(ref: NumericSummary, cur: NumericSummary): number | undefined {
  const n = ref.count;
  const m = cur.count;
  const refDistinct = ref.distinct();
  const observed = cur.distinct();
  if (refDistinct === undefined || observed === undefined) return undefined;
  if (m < MIN_VALUES || n < MIN_VALUES) return undefined;
  const k = uniformPopulation(n, Math.min(n, refDistinct));
  const full = uniformDistinct(k, m);
  const half = uniformDistinct(k, m / 2);
  // Sampling spread of the window's count, and both counters' errors (the reference's moves
  // the expectation about in proportion), in quadrature.
  const spread = Math.sqrt(
    full.variance +
      (cur.distinctRelativeError * observed) ** 2 +
      (ref.distinctRelativeError * full.mean) ** 2,
  );
  const slack = Math.max(1, NUMERIC_Z * spread);
  if (full.mean - half.mean <= slack) return undefined;
  if (observed >= full.mean - slack) return 1;
  // Invert E[D(x)] = observed in closed form.
  const x = Number.isFinite(k)
    ? Math.log1p(-Math.min(observed, k - 1e-9) / k) / Math.log1p(-1 / k)
    : observed;
  return Math.min(1, Math.max(1, x) / m);
}

const cache = new WeakMap<WindowData, WeakMap<Reference, Repetition>>();

/** The window's repetition against the reference (memoized per window and reference). */
export function rowRepetition(reference: Reference, current: WindowData): Repetition {
  let byRef = cache.get(current);
  const hit = byRef?.get(reference);
  if (hit) return hit;
  const features: Repetition['features'] = [];
  for (const [feature, cur] of current.features) {
    const ref = reference.features.get(feature);
    const share =
      ref?.kind === 'categorical' && cur.kind === 'categorical'
        ? featureRepetitionShare(ref, cur)
        : ref?.kind === 'numeric' && cur.kind === 'numeric'
          ? numericRepetitionShare(ref, cur)
          : undefined;
    if (share !== undefined) features.push({ feature, share });
  }
  const order = features.map((_, i) => i).sort((a, b) => features[a]!.share - features[b]!.share);
  const sorted = order.map((i) => features[i]!.share);
  const rank = new Map(order.map((i, r) => [features[i]!.feature, r]));
  const result: Repetition = { share: largestWithout(sorted, -1), features, sorted, rank };
  if (byRef === undefined) {
    byRef = new WeakMap();
    cache.set(current, byRef);
  }
  byRef.set(reference, result);
  return result;
}

/** Largest of ascending `sorted` without its element at `skip` (−1: none); 1 when empty or at least {@link NEGLIGIBLE}. */
function largestWithout(sorted: readonly number[], skip: number): number {
  const last = sorted.length - 1;
  const at = skip === last ? last - 1 : last;
  if (at < 0) return 1;
  const largest = sorted[at] as number;
  return largest >= NEGLIGIBLE ? 1 : largest;
}

/**
 * The window's share as the other features read it, for the schema checks of `feature` (stuck
 * at one value, rounded): such a break loses distinct values in that feature alone, and read
 * off itself it would pass for repetition and excuse itself. The drift tests take the window's
 * share with every feature (a feature that is the only one to tell, as a 400-row table's
 * weight column at 500 rows, is then still counted).
 */
export function repetitionFor(repetition: Repetition, feature: string): number {
  const r = repetition.rank.get(feature);
  return r === undefined ? repetition.share : largestWithout(repetition.sorted, r);
}

/** `count` scaled to the window's effective size (never below 1 when count ≥ 1). */
export function effectiveCount(count: number, share: number): number {
  return share >= 1 || count === 0 ? count : Math.max(1, count * share);
}
