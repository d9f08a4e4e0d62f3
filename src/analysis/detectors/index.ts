/**
 * The detector catalogue: every detector's factory under its id, and `createDetectors`,
 * which builds the enabled set from one config object (the `detectors:` block of the ml
 * processor). Every detector is on by default; `false` turns one off.
 */
import {
  CATEGORICAL_DRIFT_DEFAULTS,
  type CategoricalDriftConfig,
  createCategoricalDriftDetector,
} from './categoricalDrift.js';
import type { Detector } from './detector.js';
import { createErrorRateDetector, ERROR_RATE_DEFAULTS, type ErrorRateConfig } from './errorRate.js';
import { createLatencyDetector, LATENCY_DEFAULTS, type LatencyConfig } from './latency.js';
import { createMissingRateDetector, MISSING_RATE_DEFAULTS, type MissingRateConfig } from './missingRate.js';
import {
  createNumericDriftDetector,
  NUMERIC_DRIFT_DEFAULTS,
  type NumericDriftConfig,
} from './numericDrift.js';
import { createPerformanceDetector, PERFORMANCE_DEFAULTS, type PerformanceConfig } from './performance.js';
import { createPredictionDriftDetector, type PredictionDriftConfig } from './predictionDrift.js';
import { createSchemaDetector, SCHEMA_DEFAULTS, type SchemaConfig } from './schema.js';
import { createStalenessDetector, STALENESS_DEFAULTS, type StalenessConfig } from './staleness.js';
import { createVolumeDetector, VOLUME_DEFAULTS, type VolumeConfig } from './volume.js';

export {
  type CategoricalDriftConfig,
  categoricalDriftCandidates,
  createCategoricalDriftDetector,
} from './categoricalDrift.js';
export type {
  Calibration,
  Candidate,
  Detector,
  FeatureSchema,
  JoinedOutcomes,
  Reference,
  RunProfile,
  RunWindow,
  WindowData,
} from './detector.js';
export { createErrorRateDetector, type ErrorRateConfig } from './errorRate.js';
export { createLatencyDetector, type LatencyConfig } from './latency.js';
export { createMissingRateDetector, type MissingRateConfig } from './missingRate.js';
export {
  createNumericDriftDetector,
  type NumericDriftConfig,
  numericDriftCandidates,
} from './numericDrift.js';
export { createPerformanceDetector, type PerformanceConfig } from './performance.js';
export { createPredictionDriftDetector, type PredictionDriftConfig } from './predictionDrift.js';
export { createSchemaDetector, type SchemaConfig } from './schema.js';
export { createStalenessDetector, type StalenessConfig } from './staleness.js';
export { createVolumeDetector, type VolumeConfig } from './volume.js';

/** Config of every detector by id; `false` disables one, absent means defaults. */
export interface DetectorsConfig {
  /** Numeric feature drift. */
  numeric_drift?: NumericDriftConfig | false;
  /** Categorical feature drift. */
  categorical_drift?: CategoricalDriftConfig | false;
  /** Null-rate rises. */
  missing_rate?: MissingRateConfig | false;
  /** Type, presence, range and validity of features. */
  schema?: SchemaConfig | false;
  /** Rows per window. */
  volume?: VolumeConfig | false;
  /** Drift of prediction outputs. */
  prediction_drift?: PredictionDriftConfig | false;
  /** Performance on joined labels. */
  performance?: PerformanceConfig | false;
  /** Run-duration quantile. */
  latency?: LatencyConfig | false;
  /** Share of failed runs. */
  error_rate?: ErrorRateConfig | false;
  /** Model and input age. */
  staleness?: StalenessConfig | false;
}

/** Factories by detector id, in the order detectors run. */
export const DETECTOR_FACTORIES: {
  readonly [K in keyof DetectorsConfig]-?: (config?: Exclude<DetectorsConfig[K], false>) => Detector;
} = Object.freeze({
  schema: createSchemaDetector,
  missing_rate: createMissingRateDetector,
  numeric_drift: createNumericDriftDetector,
  categorical_drift: createCategoricalDriftDetector,
  prediction_drift: createPredictionDriftDetector,
  performance: createPerformanceDetector,
  volume: createVolumeDetector,
  latency: createLatencyDetector,
  error_rate: createErrorRateDetector,
  staleness: createStalenessDetector,
});

/** Detector ids in run order. */
export const DETECTOR_IDS = Object.keys(DETECTOR_FACTORIES) as (keyof DetectorsConfig)[];

/**
 * The settings each detector accepts (camelCase, as in its config type), so a typo is refused
 * instead of silently running the default. Settings ending in `Ms` are durations.
 */
export const DETECTOR_SETTINGS: { readonly [K in keyof DetectorsConfig]-?: readonly string[] } =
  Object.freeze({
    schema: Object.keys(SCHEMA_DEFAULTS),
    missing_rate: Object.keys(MISSING_RATE_DEFAULTS),
    numeric_drift: Object.keys(NUMERIC_DRIFT_DEFAULTS),
    categorical_drift: Object.keys(CATEGORICAL_DRIFT_DEFAULTS),
    prediction_drift: ['numeric', 'categorical'],
    performance: Object.keys(PERFORMANCE_DEFAULTS),
    volume: Object.keys(VOLUME_DEFAULTS),
    latency: Object.keys(LATENCY_DEFAULTS),
    error_rate: Object.keys(ERROR_RATE_DEFAULTS),
    staleness: Object.keys(STALENESS_DEFAULTS),
  });

/** Refuses settings a detector does not have, naming the path and the known ones. */
function checkSettings(path: string, config: object, known: readonly string[]): void {
  for (const key of Object.keys(config)) {
    if (!known.includes(key))
      throw new RangeError(`${path}: unknown setting '${key}' (known: ${known.join(', ')})`);
  }
}

/**
 * Builds the enabled detectors. Throws a RangeError naming the path for an unknown id or
 * a bad value, so a typo in YAML is refused before anything starts.
 */
export function createDetectors(config: DetectorsConfig = {}, path = 'detectors'): Detector[] {
  for (const key of Object.keys(config)) {
    if (!(DETECTOR_IDS as string[]).includes(key)) {
      throw new RangeError(`${path}: unknown detector '${key}' (known: ${DETECTOR_IDS.join(', ')})`);
    }
  }
  const out: Detector[] = [];
  for (const id of DETECTOR_IDS) {
    const c = config[id];
    if (c === false) continue;
    if (c !== undefined && (c === null || typeof c !== 'object')) {
      throw new RangeError(
        `${path}::${id}: must be a mapping or false, got ${c === null ? 'null' : typeof c}`,
      );
    }
    if (c !== undefined) {
      checkSettings(`${path}::${id}`, c, DETECTOR_SETTINGS[id]);
      if (id === 'prediction_drift') {
        const p = c as PredictionDriftConfig;
        if (p.numeric) checkSettings(`${path}::${id}::numeric`, p.numeric, DETECTOR_SETTINGS.numeric_drift);
        if (p.categorical)
          checkSettings(`${path}::${id}::categorical`, p.categorical, DETECTOR_SETTINGS.categorical_drift);
      }
    }
    try {
      out.push((DETECTOR_FACTORIES[id] as (config?: object) => Detector)(c));
    } catch (error) {
      throw new RangeError(`${path}::${(error as Error).message}`);
    }
  }
  return out;
}
