/**
 * mlobs' model-library instrumentations, ready for `registerInstrumentations` or a `NodeSDK`'s
 * `instrumentations` option. Creating them loads neither library; each patches its library when
 * the app loads it.
 */
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { OnnxRuntimeInstrumentation } from './onnxruntime-node/instrumentation.js';
import type { MlInstrumentationConfig } from './shared/types.js';
import { TfjsInstrumentation } from './tfjs/instrumentation.js';

/** The onnxruntime-node and @tensorflow/tfjs instrumentations, both with `config`. */
export function mlobsInstrumentations(config: MlInstrumentationConfig = {}): Instrumentation[] {
  return [new OnnxRuntimeInstrumentation(config), new TfjsInstrumentation(config)];
}
