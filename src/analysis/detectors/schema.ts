/**
 * Schema breaks: a feature changed type, went missing or appeared, numeric values left the
 * training range, or invalid values (wrong type, ±Infinity) rose. These are the bugs that
 * do not fail a pipeline: a column renamed upstream arrives as missing plus new, a unit
 * change pushes values far outside the range the model was trained on.
 *
 * Out of range: the sketch says which values are surely outside [min, max] (buckets entirely
 * beyond a bound) and which might be (buckets straddling it); the fraction reported is the
 * sure one, raised to one value when the exact window min or max is outside. Under no
 * change a fresh value falls outside the range of n reference values with probability
 * 2/(n+1), but not independently of the others: the range is the reference sample's own
 * min and max, so a mild reference lets several values out at once. The p-value is the
 * exact exchangeable (order-statistic) tail of `rangeExceedanceTail`, not the binomial one,
 * which is 25 times too small for six values of 500 outside the range of 2 000. The range is
 * called the "training range" when the reference is a profile, the "reference range" when it
 * is the stream's own warm-up or trailing windows.
 *
 * Fractional rate: a feature that was whole-numbered in the reference (ages, counts, cents)
 * starts arriving with fractions, as when an upstream job averages or converts units. Judged
 * only for features that were at least `wholeNumberShare` whole numbers in the reference, with
 * the same exact rare-event test as the invalid rate; it needs summaries of format version 2.
 *
 * Constant: a numeric feature stuck at one value (a default filled in upstream, a frozen
 * sensor) is in range and may sit at the median, where the drift tests need many values to
 * see it. When every value of the window is equal (exact min = max), the chance of that under
 * the reference is at most Σ_b π_b^m over the reference's sketch buckets (equal values share a
 * bucket; π_b are the reference's exact bucket shares), which is the p-value.
 */
import type { FeatureSummary, NumericSummary } from '../../summaries/index.js';
import { rareEventProportionTest } from '../stats/proportions.js';
import { rangeExceedanceTail } from '../stats/rangeExceedance.js';
import { requireOpenUnit, requireShare, requireWholeAtLeast } from './configChecks.js';
import type { Candidate, Detector, FeatureSchema, Reference, WindowData } from './detector.js';
import { effectiveCount, repetitionFor, rowRepetition } from './rowRepetition.js';
import { DATA_QUALITY_WEIGHT, fmt, fmtP, scaledSeverity, totalCount } from './thresholds.js';

/** Configuration of {@link createSchemaDetector}; every field has a documented default. */
export interface SchemaConfig {
  /** Raw significance level of the range, constant and invalid-rate tests. Default 0.01. */
  alpha?: number;
  /** Fraction of values outside the training range worth a finding. Default 0.01. */
  outOfRangeFloor?: number;
  /** Out-of-range fraction from which a finding is critical. Default 0.1. */
  outOfRangeCritical?: number;
  /** Smallest invalid-rate increase (absolute) worth a finding. Default 0.01. */
  invalidRateFloor?: number;
  /** Invalid-rate increase from which a finding is critical. Default 0.1. */
  invalidRateCritical?: number;
  /** Share of whole numbers from which a reference feature counts as whole-numbered. Default 0.99. */
  wholeNumberShare?: number;
  /** Smallest rise (absolute) in the share of fractional values worth a finding. Default 0.01. */
  fractionalRateFloor?: number;
  /** Fractional-share rise from which a finding is critical. Default 0.5. */
  fractionalRateCritical?: number;
  /** Whether a feature the reference never had is reported (severity info). Default true. */
  reportNewFeatures?: boolean;
  /**
   * Fewest values in the window for range, constant and invalid-rate tests. Default 5: their
   * p-values are exact at any size, and a break is decisive early (5 values all outside the
   * range of 10 000 reference values: p ≈ 10⁻¹⁹), so a window of 10 rows with a null or two is
   * still judged.
   */
  minCount?: number;
}

/** {@link SchemaConfig} with defaults applied. */
export type ResolvedSchemaConfig = Required<SchemaConfig>;

/** Defaults of {@link SchemaConfig}. */
export const SCHEMA_DEFAULTS: Readonly<ResolvedSchemaConfig> = Object.freeze({
  alpha: 0.01,
  outOfRangeFloor: 0.01,
  outOfRangeCritical: 0.1,
  invalidRateFloor: 0.01,
  invalidRateCritical: 0.1,
  wholeNumberShare: 0.99,
  fractionalRateFloor: 0.01,
  fractionalRateCritical: 0.5,
  reportNewFeatures: true,
  minCount: 5,
});

/** Applies defaults and validates; the error names the detector and the field. */
export function resolveSchemaConfig(config: SchemaConfig = {}, path = 'schema'): ResolvedSchemaConfig {
  const c = { ...SCHEMA_DEFAULTS, ...config };
  requireOpenUnit(path, 'alpha', c.alpha);
  for (const key of [
    'outOfRangeFloor',
    'outOfRangeCritical',
    'invalidRateFloor',
    'invalidRateCritical',
    'wholeNumberShare',
    'fractionalRateFloor',
    'fractionalRateCritical',
  ] as const) {
    requireShare(path, key, c[key]);
  }
  requireWholeAtLeast(path, 'minCount', c.minCount, 1);
  return c;
}

function invalidOf(s: FeatureSummary): number {
  return s.invalidCount + (s.kind === 'numeric' ? s.infiniteCount : 0);
}

function flag(
  feature: string,
  statistic: string,
  message: string,
  severity: Candidate['severity'],
  details: Record<string, unknown>,
  m: number,
): Candidate {
  return {
    feature,
    statistic,
    value: 1,
    threshold: 1,
    effectSize: 1,
    anomalous: true,
    severity,
    referenceCount: 0,
    currentCount: m,
    message,
    details,
  };
}

function outOfRange(
  feature: string,
  s: NumericSummary,
  schema: FeatureSchema,
  refCount: number,
  c: ResolvedSchemaConfig,
  context: JudgeContext,
): Candidate | undefined {
  const lo = schema.min ?? Number.NEGATIVE_INFINITY;
  const hi = schema.max ?? Number.POSITIVE_INFINITY;
  const m = s.count;
  if (m < c.minCount || (schema.min === undefined && schema.max === undefined)) return undefined;
  let surelyBelow = 0;
  let surelyAbove = 0;
  let possibly = 0;
  for (const b of s.sketch.buckets()) {
    if (b.upper < lo) surelyBelow += b.count;
    else if (b.lower > hi) surelyAbove += b.count;
    else if (b.lower < lo || b.upper > hi) possibly += b.count;
  }
  // The exact min/max catch what a straddling bucket hides: at least one value is outside.
  if (surelyBelow === 0 && s.min < lo) surelyBelow = 1;
  if (surelyAbove === 0 && s.max > hi) surelyAbove = 1;
  const outside = surelyBelow + surelyAbove;
  const fraction = outside / m;
  // Repeated rows repeat their out-of-range values too: both counts shrink to the effective size.
  const share = context.repetition;
  const pValue =
    outside > 0
      ? refCount > 0
        ? rangeExceedanceTail(
            Math.max(1, Math.round(effectiveCount(outside, share))),
            refCount,
            Math.max(1, Math.round(effectiveCount(m, share))),
          )
        : 0
      : 1;
  const anomalous = fraction >= c.outOfRangeFloor && pValue < c.alpha;
  return {
    feature,
    statistic: 'out_of_range',
    value: fraction,
    threshold: c.outOfRangeFloor,
    pValue,
    effectSize: fraction,
    anomalous,
    severity: scaledSeverity(anomalous, fraction, c.outOfRangeFloor, c.outOfRangeFloor, c.outOfRangeCritical),
    referenceCount: refCount,
    currentCount: m,
    message: `${feature}: ${fmt(fraction * 100)}% of values outside the ${context.rangeName} [${fmt(lo)}, ${fmt(hi)}] (window ${fmt(s.min)}…${fmt(s.max)}), ${fmtP(pValue)} (n ${refCount} vs ${m})`,
    details: {
      below: surelyBelow,
      above: surelyAbove,
      possiblyOutside: outside + possibly,
      min: lo,
      max: hi,
      currentMin: s.min,
      currentMax: s.max,
      range: context.rangeName,
      ...(share < 1 ? { effectiveCurrentCount: effectiveCount(m, share) } : {}),
    },
  };
}

/** What every check of one window shares: the rows' repetition and what the range is called. */
interface JudgeContext {
  /** m_eff / m of the window (see `rowRepetition.ts`). */
  repetition: number;
  /** "training range" for a profile reference, "reference range" for the stream's own windows. */
  rangeName: string;
}

/** Events (invalid values, fractional values) counted on both sides, with what a rise needs. */
interface RateRise {
  statistic: string;
  referenceEvents: number;
  n: number;
  currentEvents: number;
  m: number;
  floor: number;
  critical: number;
  /** Describes the rates (current, reference) in the finding's message. */
  describe: (rate: string, referenceRate: string) => string;
}

/**
 * A rise in the share of rare events. Such events are rare, so in a small window the z-test
 * would alarm on a single one; the shared test switches to the exact conditional tail there
 * (as missing_rate does).
 */
function rateRise(feature: string, r: RateRise, alpha: number, repetition: number): Candidate {
  const test = rareEventProportionTest(
    r.referenceEvents,
    r.n,
    Math.round(effectiveCount(r.currentEvents, repetition)),
    Math.max(1, Math.round(effectiveCount(r.m, repetition))),
    'greater',
  );
  const rate = r.currentEvents / r.m;
  const referenceRate = r.referenceEvents / r.n;
  const anomalous = test.difference >= r.floor && test.pValue < alpha;
  return {
    feature,
    statistic: r.statistic,
    value: rate,
    threshold: referenceRate + r.floor,
    // With no event on either side the exact conditional test cannot reject whatever the level
    // (its smallest attainable p-value is 1), so it is no hypothesis (Tarone 1990).
    ...(r.referenceEvents + r.currentEvents > 0 ? { pValue: test.pValue } : {}),
    effectSize: test.difference,
    anomalous,
    severity: scaledSeverity(anomalous, test.difference, r.floor, r.floor, r.critical),
    referenceCount: r.n,
    currentCount: r.m,
    message: `${feature}: ${r.describe(fmt(rate * 100), fmt(referenceRate * 100))}, ${fmtP(test.pValue)} (n ${r.n} vs ${r.m})`,
    details: { referenceRate, difference: test.difference, exact: test.exact },
  };
}

function invalidRate(
  feature: string,
  ref: FeatureSummary,
  cur: FeatureSummary,
  c: ResolvedSchemaConfig,
  repetition: number,
): Candidate | undefined {
  const n = totalCount(ref);
  const m = totalCount(cur);
  if (n === 0 || m < c.minCount) return undefined;
  return rateRise(
    feature,
    {
      statistic: 'invalid_rate',
      referenceEvents: invalidOf(ref),
      n,
      currentEvents: invalidOf(cur),
      m,
      floor: c.invalidRateFloor,
      critical: c.invalidRateCritical,
      describe: (rate, was) => `${rate}% invalid values (wrong type or infinite) vs ${was}% in the reference`,
    },
    c.alpha,
    repetition,
  );
}

/** A rise of fractional values in a feature the reference had as whole numbers. */
function fractionalRate(
  feature: string,
  ref: NumericSummary,
  cur: NumericSummary,
  c: ResolvedSchemaConfig,
  repetition: number,
): Candidate | undefined {
  const n = ref.count;
  const m = cur.count;
  if (ref.integerCount === undefined || cur.integerCount === undefined) return undefined;
  if (n === 0 || m < c.minCount || ref.integerCount < c.wholeNumberShare * n) return undefined;
  return rateRise(
    feature,
    {
      statistic: 'fractional_rate',
      referenceEvents: n - ref.integerCount,
      n,
      currentEvents: m - cur.integerCount,
      m,
      floor: c.fractionalRateFloor,
      critical: c.fractionalRateCritical,
      describe: (rate, was) =>
        `${rate}% of values have fractions vs ${was}% in the reference (whole numbers there)`,
    },
    c.alpha,
    repetition,
  );
}

/** A window whose numeric values are all equal, judged by how improbable the reference makes that. */
function stuckAtConstant(
  feature: string,
  ref: NumericSummary,
  cur: NumericSummary,
  c: ResolvedSchemaConfig,
  repetition: number,
): Candidate | undefined {
  const m = cur.count;
  const n = ref.count;
  if (m < c.minCount || n === 0 || cur.min !== cur.max) return undefined;
  // Repeated rows are fewer independent draws: the chance that they all agree is Σ π^m_eff.
  const draws = effectiveCount(m, repetition);
  let pValue = 0;
  let largest = 0;
  for (const b of ref.sketch.buckets()) {
    const share = b.count / n;
    pValue += share ** draws;
    largest = Math.max(largest, share);
  }
  pValue = Math.min(1, pValue);
  const anomalous = pValue < c.alpha;
  return {
    feature,
    statistic: 'constant',
    value: cur.min,
    threshold: largest,
    pValue,
    effectSize: 1 - largest,
    anomalous,
    severity: anomalous ? 'critical' : 'info',
    referenceCount: n,
    currentCount: m,
    message: `${feature}: all ${m} values equal ${fmt(cur.min)}; the reference's most common value range holds ${fmt(largest * 100)}% (${pValue < 1e-300 ? 'p < 1e-300' : `p ≤ ${fmt(pValue)}`})`,
    details: { constant: cur.min, referenceLargestBucketShare: largest },
  };
}

/** Type changes, missing and new features, range violations, stuck values and invalid-value rises. */
export function createSchemaDetector(config: SchemaConfig = {}): Detector {
  const c = resolveSchemaConfig(config);
  return {
    id: 'schema',
    weight: DATA_QUALITY_WEIGHT,
    detect(reference: Reference, current: WindowData): Candidate[] {
      const out: Candidate[] = [];
      // A window without any summaries (spans that record none) says nothing about features.
      const hasData = current.features.size > 0;
      const rows = hasData ? rowRepetition(reference, current) : undefined;
      const rangeName = reference.source === 'profile' ? 'training range' : 'reference range';
      for (const [feature, schema] of reference.schema) {
        const repetition = rows === undefined ? 1 : repetitionFor(rows, feature);
        const context: JudgeContext = { repetition, rangeName };
        const summary = current.features.get(feature);
        if (summary === undefined) {
          if (hasData)
            out.push(
              flag(
                feature,
                'feature_missing',
                `${feature}: expected feature is missing from the window`,
                'critical',
                { kind: schema.kind },
                0,
              ),
            );
          continue;
        }
        const m = totalCount(summary);
        // An all-null column's kind is a guess of the summarizer; only real values can change type.
        if (summary.kind !== schema.kind && summary.count > 0) {
          out.push(
            flag(
              feature,
              'type_change',
              `${feature}: arrives as ${summary.kind}, expected ${schema.kind}`,
              'critical',
              { expected: schema.kind, actual: summary.kind },
              m,
            ),
          );
          continue;
        }
        const ref = reference.features.get(feature);
        const compared = { reference: ref, current: summary };
        const found: (Candidate | undefined)[] = [];
        if (summary.kind === 'numeric') {
          found.push(outOfRange(feature, summary, schema, ref?.count ?? 0, c, context));
          found.push(
            ref?.kind === 'numeric' ? stuckAtConstant(feature, ref, summary, c, repetition) : undefined,
          );
          found.push(
            ref?.kind === 'numeric' ? fractionalRate(feature, ref, summary, c, repetition) : undefined,
          );
        }
        if (ref !== undefined) found.push(invalidRate(feature, ref, summary, c, repetition));
        for (const cand of found) if (cand) out.push({ ...cand, compared });
      }
      if (c.reportNewFeatures) {
        for (const [feature, summary] of current.features) {
          if (reference.schema.has(feature)) continue;
          out.push(
            flag(
              feature,
              'feature_new',
              `${feature}: feature not in the reference schema`,
              'info',
              { kind: summary.kind },
              totalCount(summary),
            ),
          );
        }
      }
      return out;
    },
  };
}
