/** Public configuration of the @tensorflow/tfjs instrumentation. */
import type { MlInstrumentationConfig } from '../shared/types.js';

export type { ModelConfig, SamplingConfig } from '../shared/types.js';

/**
 * Configuration of {@link TfjsInstrumentation}: sampling and per-model names by model name
 * (a LayersModel's `name`, a GraphModel's file name, or `mlobs.model.name` in the model's
 * user-defined metadata).
 */
export interface TfjsInstrumentationConfig extends MlInstrumentationConfig {}
