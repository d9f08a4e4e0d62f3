/**
 * Categorical drift: did the mix of categories change, did categories appear that the
 * reference never had, or disappear?
 *
 * Counts come from Misra–Gries top-k summaries, where a listed count over-counts by at most
 * `topError` and an unlisted category has at most `topError` values. Each cell takes the
 * midpoint of what it can be and the rest goes to an "other" cell. The Jensen–Shannon
 * distance is a metric, so the estimate is within the two sides' per-cell bounds of the true
 * distance (see `sketchBound`); the decision raises the floor by them (a miss, never a false
 * alarm). The bound uses each cell's own uncertainty, so a long-tailed feature with hundreds
 * of categories is not held to a threshold that grows with its cardinality. With fewer
 * distinct values than the summary's k, topError is 0 and everything is exact.
 *
 * Statistics:
 * - `js`: Jensen–Shannon distance (base 2, in [0, 1]); significance from the chi-square test
 *   of homogeneity on the same table (p-value via the regularized incomplete gamma). `js` and
 *   `chi2` share that test (`test: 'chi2'`) and count as one hypothesis per feature.
 * - `chi2` (opt-in): Pearson's X² with Cramér's V as its effect size.
 * - `new_categories`: share of current values in categories the reference summary does not
 *   list, against the reference's own unlisted and never-drawn (Good–Turing) mass.
 * - `vanished_categories`: reference share of categories now absent, with p = P(seeing at
 *   most what the current summary could hide, if they had kept their share).
 *
 * Date-like columns are skipped (see `valueShapes.ts`), and when rows repeat the current
 * side's counts are scaled to its effective size (see `rowRepetition.ts`).
 */
import type { CategoricalSummary, TopEntry } from '../../summaries/index.js';
import { binomialCdf } from '../stats/beta.js';
import { chiSquareHomogeneity, jensenShannonDistance } from '../stats/categorical.js';
import { requireOpenUnit, requirePositive, requireWholeAtLeast } from './configChecks.js';
import type { Candidate, Detector, FeatureSchema, Reference, WindowData } from './detector.js';
import { effectiveCount, rowRepetition } from './rowRepetition.js';
import { calibratedThreshold, DEFAULT_CALIBRATION_K, fmt, fmtP, scaledSeverity } from './thresholds.js';
import { looksLikeDates } from './valueShapes.js';

/** Statistics the categorical drift detector can compute. */
export type CategoricalStatistic = 'js' | 'chi2' | 'new_categories' | 'vanished_categories';

/** Configuration of {@link createCategoricalDriftDetector}; every field has a documented default. */
export interface CategoricalDriftConfig {
  /** Statistics to compute. Default `js`, `new_categories`, `vanished_categories` (chi2 duplicates js). */
  statistics?: CategoricalStatistic[];
  /** Raw significance level per test. Default 0.01. */
  alpha?: number;
  /**
   * JS distance floor. Default 0.1: a binary feature moving from 50/50 to 62/38 scores ≈ 0.1
   * (JSD ≈ Σ(p−q)²/(8 ln 2 · m)); it is also Evidently's default JS threshold.
   */
  jsFloor?: number;
  /** JS distance from which a finding is critical. Default 0.2 (≈ a 50/50 → 74/26 move). */
  jsCritical?: number;
  /** Cramér's V floor for `chi2`. Default 0.1, Cohen's "small" association. */
  cramersVFloor?: number;
  /** Most frequent categories of each side compared individually; the rest is "other". Default 20. */
  maxCategories?: number;
  /** Share of current values in unseen categories that is worth a finding. Default 0.01. */
  newCategoryShare?: number;
  /** Reference share a category must have had for its disappearance to matter. Default 0.01. */
  vanishedCategoryShare?: number;
  /**
   * Fewest non-null values on each side. Default 10: the chi-square test pools categories
   * expected fewer than 5 times, so tiny windows test few cells but stay valid, and a renamed
   * or new category is decided by its own exact binomial test at any size.
   */
  minCount?: number;
  /** k of calibrated thresholds. Default 3. */
  calibrationK?: number;
}

/** {@link CategoricalDriftConfig} with defaults applied. */
export type ResolvedCategoricalDriftConfig = Required<CategoricalDriftConfig>;

/** Defaults of {@link CategoricalDriftConfig}. */
export const CATEGORICAL_DRIFT_DEFAULTS: Readonly<ResolvedCategoricalDriftConfig> = Object.freeze({
  statistics: ['js', 'new_categories', 'vanished_categories'] as CategoricalStatistic[],
  alpha: 0.01,
  jsFloor: 0.1,
  jsCritical: 0.2,
  cramersVFloor: 0.1,
  maxCategories: 20,
  newCategoryShare: 0.01,
  vanishedCategoryShare: 0.01,
  minCount: 10,
  calibrationK: DEFAULT_CALIBRATION_K,
});

const STATISTICS: readonly CategoricalStatistic[] = ['js', 'chi2', 'new_categories', 'vanished_categories'];

/** Applies defaults and validates; the error names the detector and the field. */
export function resolveCategoricalDriftConfig(
  config: CategoricalDriftConfig = {},
  path = 'categorical_drift',
): ResolvedCategoricalDriftConfig {
  const c = { ...CATEGORICAL_DRIFT_DEFAULTS, ...config };
  requireOpenUnit(path, 'alpha', c.alpha);
  for (const key of [
    'jsFloor',
    'jsCritical',
    'cramersVFloor',
    'newCategoryShare',
    'vanishedCategoryShare',
    'calibrationK',
  ] as const) {
    requirePositive(path, key, c[key]);
  }
  for (const key of ['maxCategories', 'minCount'] as const) requireWholeAtLeast(path, key, c[key], 1);
  for (const s of c.statistics) {
    if (!STATISTICS.includes(s)) throw new RangeError(`${path}: unknown statistic '${String(s)}'`);
  }
  return { ...c, statistics: [...c.statistics] };
}

/**
 * Estimated counts of `categories` plus an "other" cell holding the rest of `total`. A listed
 * count is known to within `error` (true ∈ [count − error, count]) and an unlisted category
 * has at most `error` values, so each cell takes the midpoint of what it can be.
 */
function table(
  top: readonly TopEntry[],
  error: number,
  categories: readonly string[],
  total: number,
): number[] {
  const listed = new Map(top.map((t) => [t.value, Math.max(0, t.count - error / 2)]));
  const counts = categories.map((c) => Math.min(total, listed.get(c) ?? error / 2));
  const rest = total - counts.reduce((s, x) => s + x, 0);
  return [...counts, Math.max(0, rest)];
}

/**
 * How far the Jensen–Shannon distance of an estimated table can be from that of the true one,
 * for one side. JS distance is a metric and JSD (bits) ≤ Δ/2 with Δ = Σ δ²/(p + p̂) the
 * triangular discrimination (Topsøe 2000); each listed cell is off by at most half the
 * summary's error and the "other" cell by at most the sum of those, so cells the summary knows
 * well add next to nothing. Unlike a worst-case K·error/n total variation, this does not grow
 * with the number of categories of a long-tailed feature, only with how uncertain its cells are.
 */
function sketchBound(counts: readonly number[], error: number, total: number): number {
  if (error === 0 || total <= 0) return 0;
  const half = error / 2 / total;
  let delta = 0;
  const k = counts.length - 1;
  for (let i = 0; i < counts.length; i++) {
    const off = i === k ? Math.min(1, k * half) : half;
    const p = (counts[i] as number) / total;
    delta += (off * off) / Math.max(off, 2 * p - off);
  }
  return Math.sqrt(Math.min(1, delta / 2));
}

/**
 * The compared categories: the reference's most frequent ones, cut where a category's share is
 * within the summaries' uncertainty about it. Chosen from the reference alone, so the table
 * does not depend on the window it tests (a window's own rare values, picked because they
 * appeared, would leave its "other" cell empty and fake a shift); a category the reference
 * lacks lands in the window's "other" cell, which grows.
 */
function comparedCategories(
  refTop: readonly TopEntry[],
  sides: { n: number; m: number; refError: number; curError: number },
  max: number,
): string[] {
  const noise = sides.refError / sides.n + sides.curError / sides.m;
  return refTop
    .filter((t) => t.count / sides.n > 2 * noise)
    .slice(0, max)
    .map((t) => t.value);
}

/** Drift candidates of one categorical summary against its reference (shared with prediction drift). */
export function categoricalDriftCandidates(
  detectorId: string,
  feature: string,
  reference: CategoricalSummary,
  current: CategoricalSummary,
  refData: Reference,
  config: ResolvedCategoricalDriftConfig,
  schema?: FeatureSchema,
  repetition = 1,
): Candidate[] {
  const n = reference.count;
  const m = current.count;
  if (n < config.minCount || m < config.minCount) return [];
  const refTop = reference.top();
  const curTop = current.top();
  // A date column takes new values by construction; its mix says nothing about the data.
  if (looksLikeDates(refTop.map((t) => t.value))) return [];
  const refError = reference.topError;
  const curError = current.topError;
  const categories = comparedCategories(refTop, { n, m, refError, curError }, config.maxCategories);
  const r = table(refTop, refError, categories, n);
  const c = table(curTop, curError, categories, m);
  const mEff = effectiveCount(m, repetition);
  const base = { feature, referenceCount: n, currentCount: m, compared: { reference, current } };
  const sides: Sides = {
    refTop,
    refError,
    n,
    curTop,
    curError,
    m,
    mEff,
    referenceDistinct: reference.distinct(),
  };
  const out: Candidate[] = [];
  // Repeated rows: the current side counts as its effective size (Rao–Scott's first-order correction).
  const chi = chiSquareHomogeneity(
    r,
    c.map((x) => x * (mEff / m)),
  );
  const repeated = mEff < m ? { effectiveCurrentCount: mEff } : {};
  for (const statistic of config.statistics) {
    if (statistic === 'js') {
      const js = jensenShannonDistance(r, c);
      const k = categories.length;
      const sketchError = sketchBound(r, refError, n) + sketchBound(c, curError, m);
      const cal = calibratedThreshold(refData, detectorId, feature, 'js', config.calibrationK, 'above', {
        n,
        m: mEff,
        order: 'distance',
      });
      const threshold = Math.max(config.jsFloor + sketchError, cal ?? 0);
      const anomalous =
        js >= config.jsFloor + sketchError && chi.pValue < config.alpha && (cal === undefined || js > cal);
      out.push({
        ...base,
        statistic,
        value: js,
        threshold,
        pValue: chi.pValue,
        test: 'chi2',
        effectSize: js,
        anomalous,
        severity: scaledSeverity(anomalous, js, threshold, config.jsFloor, config.jsCritical),
        message: `${feature}: Jensen–Shannon ${fmt(js)} > ${fmt(threshold)} over ${k} categories + other, chi-square ${fmtP(chi.pValue)} (n ${n} vs ${m})`,
        details: {
          chi2: chi.statistic,
          df: chi.df,
          sketchError,
          categories,
          reference: r,
          current: c,
          calibrated: cal,
          ...repeated,
        },
      });
    } else if (statistic === 'chi2') {
      const v = Math.sqrt(chi.statistic / (n + mEff));
      const anomalous = v >= config.cramersVFloor && chi.pValue < config.alpha;
      out.push({
        ...base,
        statistic,
        value: chi.statistic,
        threshold: chi.df,
        pValue: chi.pValue,
        test: 'chi2',
        effectSize: v,
        anomalous,
        severity: scaledSeverity(
          anomalous,
          v,
          config.cramersVFloor,
          config.cramersVFloor,
          3 * config.cramersVFloor,
        ),
        message: `${feature}: chi-square ${fmt(chi.statistic)} on ${chi.df} df (Cramér's V ${fmt(v)}), ${fmtP(chi.pValue)}`,
        details: { df: chi.df, cramersV: v, pooled: chi.pooled, ...repeated },
      });
    } else if (statistic === 'new_categories') {
      out.push(newCategories(feature, base, sides, config, schema));
    } else {
      out.push(vanishedCategories(feature, base, sides, config));
    }
  }
  return out;
}

type Base = Pick<Candidate, 'feature' | 'referenceCount' | 'currentCount' | 'compared'>;

/** Both sides' top lists with their Misra–Gries error bounds and non-null counts. */
interface Sides {
  refTop: readonly TopEntry[];
  refError: number;
  n: number;
  curTop: readonly TopEntry[];
  curError: number;
  m: number;
  /** The current side's effective size (m unless rows repeat). */
  mEff: number;
  /** Distinct values of the reference (HyperLogLog). */
  referenceDistinct: number;
}

/**
 * Values in categories the reference summary does not list.
 *
 * Effect: the share of current values in such categories, above what the reference itself
 * says a new sample holds of never-drawn values: its Good–Turing missing mass F₁/n (values
 * seen once over its size; exact when the summary kept every value, else every unlisted value
 * counts as a possible singleton, an upper bound). An ID-like or long-tailed column shows new
 * values in every window, and its missing mass says so.
 *
 * Significance, with both samples' noise: given a value's count T in the two samples pooled,
 * under no change its split is binomial with the current side's share m/(n+m) of all rows, so
 * the chance that at most r of them landed in the reference is a binomial tail (r = 0 when the
 * reference summary is exact, its error bound otherwise; the current side counts its lower
 * bound). Which value to look at is read off the window, so that tail is multiplied by the
 * number of values that could have been that common in the pooled sample, at most (n+m)/T
 * (Bonferroni); the p-value is the smallest over the window's unlisted values. A value met
 * once in a small window never alarms; one met 5 times in 100 rows and never among 2 000
 * reference rows does (p ≈ 10⁻⁵).
 */
function newCategories(
  feature: string,
  base: Base,
  { refTop, refError, n, curTop, curError, m, mEff, referenceDistinct }: Sides,
  config: ResolvedCategoricalDriftConfig,
  schema: FeatureSchema | undefined,
): Candidate {
  const known = new Set([...refTop.map((t) => t.value), ...(schema?.categories ?? [])]);
  const fresh = curTop.filter((t) => !known.has(t.value) && t.count - curError > 0);
  const freshCount = fresh.reduce((s, t) => s + (t.count - curError), 0);
  const share = freshCount / m;
  const exact = refError === 0;
  const listedLower = refTop.reduce((s, t) => s + Math.max(0, t.count - refError), 0);
  const unlisted = Math.max(0, n - listedLower);
  const singletonsListed = refTop.filter((t) => t.count - refError <= 1).length;
  const unlistedDistinct = Math.max(0, referenceDistinct - refTop.length);
  const singletons = singletonsListed + (exact ? 0 : Math.min(unlisted, unlistedDistinct));
  const missingMass = Math.min(1, singletons / n);
  // Repeated rows: counts shrink to the effective size of the current side.
  const scale = mEff / m;
  const referenceShare = n / (n + mEff);
  let pValue = 1;
  let newCount = 0;
  const surprising: TopEntry[] = [];
  for (const t of fresh) {
    const x = Math.round((t.count - curError) * scale);
    if (x < 1) continue;
    const pooled = x + refError;
    const p = Math.min(1, binomialCdf(refError, pooled, referenceShare) * ((n + mEff) / pooled));
    pValue = Math.min(pValue, p);
    if (p < config.alpha) {
      newCount += t.count - curError;
      surprising.push(t);
    }
  }
  // The effect counts only values in categories that are new beyond chance; the rest of the
  // unlisted share is the reference's own tail and its missing mass.
  const effect = newCount / m;
  const threshold = config.newCategoryShare;
  const anomalous = effect >= threshold && pValue < config.alpha;
  const names = (surprising.length > 0 ? surprising : fresh).slice(0, 10).map((t) => t.value);
  const where = exact ? 'not in the reference' : 'not among the reference summary’s frequent values';
  return {
    ...base,
    statistic: 'new_categories',
    value: effect,
    threshold,
    pValue,
    effectSize: effect,
    anomalous,
    severity: scaledSeverity(anomalous, effect, threshold, threshold, 10 * threshold),
    message: `${feature}: ${fmt(effect * 100)}% of values in ${surprising.length} categories ${where} > ${fmt(threshold * 100)}% (${fmt(share * 100)}% in all unlisted categories; reference missing mass ${fmt(missingMass * 100)}%), ${fmtP(pValue)} (n ${n} vs ${m})${names.length ? ` (${names.join(', ')})` : ''}`,
    details: {
      categories: names,
      unlistedShare: share,
      missingMass,
      referenceSingletons: singletons,
      exactReference: exact,
      ...(mEff < m ? { effectiveCurrentCount: mEff } : {}),
    },
  };
}

/**
 * Reference categories absent from the window. Which categories are absent is read off the
 * window, so the test cannot be "how likely is it that these all vanished": among dozens of
 * categories of 1–3% some are always absent from a small window. Each candidate category
 * (reference share at least `vanishedCategoryShare`) would be seen at most as often as the
 * current summary can hide with probability P(X ≤ error | its share); the p-value is the
 * smallest of those over the absent ones, Bonferroni-corrected over all candidates.
 */
function vanishedCategories(
  feature: string,
  base: Base,
  { refTop, refError, n, curTop, curError, m, mEff }: Sides,
  config: ResolvedCategoricalDriftConfig,
): Candidate {
  const present = new Set(curTop.map((t) => t.value));
  const candidates = refTop.filter((t) => (t.count - refError) / n >= config.vanishedCategoryShare);
  // An unlisted current category has at most curError values (Misra–Gries keeps every value above it).
  const gone = candidates.filter((t) => !present.has(t.value));
  const share = Math.min(1, gone.reduce((s, t) => s + (t.count - refError), 0) / n);
  const trials = Math.max(1, Math.round(mEff));
  const hidden = Math.round(curError * (mEff / m));
  let smallest = 1;
  for (const t of gone) smallest = Math.min(smallest, binomialCdf(hidden, trials, (t.count - refError) / n));
  const pValue = gone.length > 0 ? Math.min(1, smallest * candidates.length) : 1;
  const anomalous = share >= config.vanishedCategoryShare && pValue < config.alpha;
  const names = gone.slice(0, 10).map((t) => t.value);
  return {
    ...base,
    statistic: 'vanished_categories',
    value: share,
    threshold: config.vanishedCategoryShare,
    pValue,
    effectSize: share,
    anomalous,
    severity: scaledSeverity(
      anomalous,
      share,
      config.vanishedCategoryShare,
      config.vanishedCategoryShare,
      10 * config.vanishedCategoryShare,
    ),
    message: `${feature}: categories holding ${fmt(share * 100)}% of the reference are absent from ${m} values, ${fmtP(pValue)}${names.length ? ` (${names.join(', ')})` : ''}`,
    details: {
      categories: names,
      candidates: candidates.length,
      ...(curError > 0 ? { currentSummaryError: curError } : {}),
    },
  };
}

/** Categorical drift of every categorical feature present on both sides. */
export function createCategoricalDriftDetector(config: CategoricalDriftConfig = {}): Detector {
  const resolved = resolveCategoricalDriftConfig(config);
  return {
    id: 'categorical_drift',
    detect(reference: Reference, current: WindowData): Candidate[] {
      const out: Candidate[] = [];
      for (const [feature, summary] of current.features) {
        const ref = reference.features.get(feature);
        if (ref?.kind !== 'categorical' || summary.kind !== 'categorical') continue;
        out.push(
          ...categoricalDriftCandidates(
            'categorical_drift',
            feature,
            ref,
            summary,
            reference,
            resolved,
            reference.schema.get(feature),
            rowRepetition(reference, current).share,
          ),
        );
      }
      return out;
    },
  };
}
