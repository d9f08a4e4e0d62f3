/**
 * Categorical drift: did the mix of categories change, did categories appear that the
 * reference never had, or disappear?
 *
 * Counts come from Misra–Gries top-k summaries, where a listed count over-counts by at most
 * `topError` and an unlisted category has at most `topError` values. The detector uses the
 * lower bounds (count − topError, 0 when unlisted) and puts the rest in an "other" cell, so
 * each side's estimated distribution is within total variation ε = K·topError/n of the
 * truth (K categories compared). The Jensen–Shannon distance is a metric with JS ≤ √TV, so
 * the estimate is within √ε_ref + √ε_cur of the true distance in either direction; the
 * decision raises the floor by that amount (a miss, never a false alarm). With fewer
 * distinct values than the summary's k, topError is 0 and everything is exact.
 *
 * Statistics:
 * - `js`: Jensen–Shannon distance (base 2, in [0, 1]); significance from the chi-square test
 *   of homogeneity on the same table (p-value via the regularized incomplete gamma). `js` and
 *   `chi2` share that test (`test: 'chi2'`) and count as one hypothesis per feature.
 * - `chi2` (opt-in): Pearson's X² with Cramér's V as its effect size.
 * - `new_categories`: share of current values in categories the reference did not have,
 *   with p = P(the reference saw ≤ topError of a category that common).
 * - `vanished_categories`: reference share of categories now absent, with p = P(seeing at
 *   most what the current summary could hide, if they had kept their share).
 */
import type { CategoricalSummary, TopEntry } from '../../summaries/index.js';
import { binomialCdf } from '../stats/beta.js';
import { chiSquareHomogeneity, jensenShannonDistance } from '../stats/categorical.js';
import { requireOpenUnit, requirePositive, requireWholeAtLeast } from './configChecks.js';
import type { Candidate, Detector, FeatureSchema, Reference, WindowData } from './detector.js';
import { calibratedThreshold, DEFAULT_CALIBRATION_K, fmt, severityOf } from './thresholds.js';

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

/** Lower-bound counts of `categories` plus an "other" cell holding the rest of `total`. */
function table(
  top: readonly TopEntry[],
  error: number,
  categories: readonly string[],
  total: number,
): number[] {
  const listed = new Map(top.map((t) => [t.value, Math.max(0, t.count - error)]));
  const counts = categories.map((c) => listed.get(c) ?? 0);
  const rest = total - counts.reduce((s, x) => s + x, 0);
  return [...counts, Math.max(0, rest)];
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
): Candidate[] {
  const n = reference.count;
  const m = current.count;
  if (n < config.minCount || m < config.minCount) return [];
  const refTop = reference.top();
  const curTop = current.top();
  const refError = reference.topError;
  const curError = current.topError;
  const categories = [
    ...new Set(
      [...refTop.slice(0, config.maxCategories), ...curTop.slice(0, config.maxCategories)].map(
        (t) => t.value,
      ),
    ),
  ];
  const r = table(refTop, refError, categories, n);
  const c = table(curTop, curError, categories, m);
  const base = { feature, referenceCount: n, currentCount: m, compared: { reference, current } };
  const sides: Sides = { refTop, refError, n, curTop, curError, m };
  const out: Candidate[] = [];
  const chi = chiSquareHomogeneity(r, c);
  for (const statistic of config.statistics) {
    if (statistic === 'js') {
      const js = jensenShannonDistance(r, c);
      const k = categories.length;
      const sketchError =
        Math.sqrt(Math.min(1, (k * refError) / n)) + Math.sqrt(Math.min(1, (k * curError) / m));
      const cal = calibratedThreshold(refData, detectorId, feature, 'js', config.calibrationK);
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
        severity: severityOf(anomalous, js, config.jsCritical),
        message: `${feature}: Jensen–Shannon distance ${fmt(js)} over ${k} categories + other vs threshold ${fmt(threshold)}, chi-square p = ${fmt(chi.pValue)}`,
        details: {
          chi2: chi.statistic,
          df: chi.df,
          sketchError,
          categories,
          reference: r,
          current: c,
          calibrated: cal,
        },
      });
    } else if (statistic === 'chi2') {
      const v = Math.sqrt(chi.statistic / (n + m));
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
        severity: severityOf(anomalous, v, 3 * config.cramersVFloor),
        message: `${feature}: chi-square ${fmt(chi.statistic)} on ${chi.df} df (Cramér's V ${fmt(v)}), p = ${fmt(chi.pValue)}`,
        details: { df: chi.df, cramersV: v, pooled: chi.pooled },
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
}

function newCategories(
  feature: string,
  base: Base,
  { refTop, refError, n, curTop, curError, m }: Sides,
  config: ResolvedCategoricalDriftConfig,
  schema: FeatureSchema | undefined,
): Candidate {
  const known = new Set([...refTop.map((t) => t.value), ...(schema?.categories ?? [])]);
  // A category the reference did not list may still have had up to refError values there.
  const fresh = curTop.filter((t) => !known.has(t.value) && (t.count - curError) / m > refError / n);
  const share = fresh.reduce((s, t) => s + (t.count - curError), 0) / m;
  const pValue = share > 0 ? binomialCdf(refError, n, Math.min(1, share)) : 1;
  return shareCandidate(
    base,
    'new_categories',
    share,
    config.newCategoryShare,
    pValue,
    config.alpha,
    fresh,
    `${feature}: ${fmt(share * 100)}% of values in ${fresh.length} categories unseen in the reference`,
  );
}

function vanishedCategories(
  feature: string,
  base: Base,
  { refTop, refError, n, curTop, curError, m }: Sides,
  config: ResolvedCategoricalDriftConfig,
): Candidate {
  const present = new Set(curTop.map((t) => t.value));
  // An unlisted current category has at most curError values (Misra–Gries keeps every value above it).
  const gone = refTop.filter(
    (t) => !present.has(t.value) && (t.count - refError) / n >= config.vanishedCategoryShare,
  );
  const share = Math.min(1, gone.reduce((s, t) => s + (t.count - refError), 0) / n);
  const pValue = share > 0 ? binomialCdf(gone.length * curError, m, share) : 1;
  return shareCandidate(
    base,
    'vanished_categories',
    share,
    config.vanishedCategoryShare,
    pValue,
    config.alpha,
    gone,
    `${feature}: categories holding ${fmt(share * 100)}% of the reference are absent`,
  );
}

/**
 * A finding about the share of values in some categories (new or vanished): anomalous when
 * the share reaches `threshold` and is significant, critical at ten times the threshold;
 * names the first ten categories.
 */
function shareCandidate(
  base: Base,
  statistic: CategoricalStatistic,
  share: number,
  threshold: number,
  pValue: number,
  alpha: number,
  categories: readonly TopEntry[],
  message: string,
): Candidate {
  const anomalous = share >= threshold && pValue < alpha;
  const names = categories.slice(0, 10).map((t) => t.value);
  return {
    ...base,
    statistic,
    value: share,
    threshold,
    pValue,
    effectSize: share,
    anomalous,
    severity: severityOf(anomalous, share, 10 * threshold),
    message: `${message}${names.length ? ` (${names.join(', ')})` : ''}`,
    details: { categories: names },
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
          ),
        );
      }
      return out;
    },
  };
}
