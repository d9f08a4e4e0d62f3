/**
 * `mlobs/instrumentation`: wrappers that record model calls as `inference` component runs.
 * `instrumentPredict` works for any predict function today; the onnxruntime-node and tfjs
 * instrumentations will live beside it in `src/instrumentation/<lib>/` and build on it.
 */
export { instrumentPredict } from './instrumentPredict.js';
export type { FeatureInput, InstrumentPredictOptions, PredictFunction } from './types.js';
