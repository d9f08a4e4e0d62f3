/**
 * Mergeable summaries of ML features: what `summarize` builds from a batch, what span events
 * carry, and what the analysis core merges across windows, shards and instances.
 */
export { type CategoricalOptions, CategoricalSummary } from './CategoricalSummary.js';
export {
  deserializeFeature,
  deserializeFeatureBase64,
  mergeBatch,
  mergeFeature,
  mergeFeatureInto,
  SUMMARY_FORMAT_VERSION,
  serializeFeature,
  serializeFeatureBase64,
} from './featureCodec.js';
export { HyperLogLog } from './HyperLogLog.js';
export { MisraGries, type TopEntry } from './MisraGries.js';
export { type NumericOptions, NumericSummary } from './NumericSummary.js';
export {
  DEFAULT_MAX_BUCKETS,
  DEFAULT_RELATIVE_ACCURACY,
  QuantileSketch,
  type SketchBucket,
} from './QuantileSketch.js';
export { SummaryDecodeError } from './SummaryDecodeError.js';
export { SummaryMergeError } from './SummaryMergeError.js';
export { summarize } from './summarize.js';
export {
  decodeSummaryEvents,
  EVENT_HISTOGRAM_BINS,
  EVENT_QUANTILE_LEVELS,
  EVENT_TOP_VALUES,
  encodeSummaryEvents,
  type SummaryEvent,
  type SummaryEventInput,
} from './summaryEvents.js';
export { type TextOptions, TextSummary } from './TextSummary.js';
export type {
  BatchSummary,
  ColumnsInput,
  FeatureKind,
  FeatureSpec,
  FeatureSummary,
  RowsInput,
  SummarizeOptions,
  TensorInput,
} from './types.js';
export { type VectorOptions, VectorSummary } from './VectorSummary.js';
