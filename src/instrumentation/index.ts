/**
 * `mlobs/instrumentation`: model calls recorded as `inference` component runs. `instrumentPredict`
 * wraps any predict function; the onnxruntime-node and @tensorflow/tfjs instrumentations patch
 * those libraries (`registerInstrumentations({ instrumentations: mlobsInstrumentations() })`, or
 * `node --import mlobs/register`).
 */
export { instrumentPredict } from './instrumentPredict.js';
export { mlobsInstrumentations } from './mlobsInstrumentations.js';
export {
  ONNXRUNTIME_SUPPORTED_VERSIONS,
  OnnxRuntimeInstrumentation,
} from './onnxruntime-node/instrumentation.js';
export type { OnnxRuntimeInstrumentationConfig } from './onnxruntime-node/types.js';
export { parseSampling, SummarySampler } from './shared/SummarySampler.js';
export {
  DEFAULT_SAMPLING,
  type MlInstrumentationConfig,
  type ModelConfig,
  type SamplingConfig,
} from './shared/types.js';
export { TFJS_SUPPORTED_VERSIONS, TfjsInstrumentation } from './tfjs/instrumentation.js';
export type { TfjsInstrumentationConfig } from './tfjs/types.js';
export type { FeatureInput, InstrumentPredictOptions, PredictFunction } from './types.js';
