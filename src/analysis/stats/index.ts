/** Statistics of the analysis core: distributions, tests, sketch comparisons and metrics. */

export { type BhResult, benjaminiHochberg } from './benjaminiHochberg.js';
export {
  betaBinomialUpperTail,
  betaBinomialUpperTails,
  binomialCdf,
  binomialUpperTail,
  regularizedBeta,
  studentTSurvival,
  studentTUpperQuantile,
} from './beta.js';
export { type Bucket, bucketQuantile, cdfAtPoints } from './binnedCdf.js';
export { type ChiSquareResult, chiSquareHomogeneity, jensenShannonDistance } from './categorical.js';
export {
  chiSquareSurvival,
  logGamma,
  poissonCdf,
  poissonUpperTail,
  regularizedGammaP,
  regularizedGammaQ,
} from './gamma.js';
export {
  kolmogorovQuantile,
  kolmogorovSurvival,
  ksCriticalDistance,
  ksEffectiveSize,
  ksPValue,
} from './kolmogorov.js';
export { type KsExactOptions, type KsResult, ksTwoSampleExact } from './ksTwoSampleExact.js';
export { normalCdf, normalQuantile, normalSurvival, normalTwoSided } from './normal.js';
export {
  type AucResult,
  type ClassificationMetrics,
  classificationMetrics,
  type Estimate,
  mannWhitneyAuc,
  type RegressionMetrics,
  regressionMetrics,
} from './performanceMetrics.js';
export {
  type Alternative,
  type Interval,
  type ProportionTest,
  type RareEventProportionTest,
  rareEventProportionTest,
  SMALL_EXPECTED_EVENTS,
  twoProportionTest,
  wilsonInterval,
} from './proportions.js';
export {
  type BinnedKs,
  type BinnedPsi,
  type BinnedWasserstein,
  binnedKs,
  binnedPsi,
  binnedWasserstein,
  bucketIqr,
  populationStabilityIndex,
} from './sketchComparison.js';
