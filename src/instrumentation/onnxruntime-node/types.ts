/** Public configuration of the onnxruntime-node instrumentation. */
import type { MlInstrumentationConfig } from '../shared/types.js';

export type { ModelConfig, SamplingConfig } from '../shared/types.js';

/**
 * Configuration of {@link OnnxRuntimeInstrumentation}: sampling and per-model names (see
 * {@link MlInstrumentationConfig}) plus how much of a model file is read for its metadata.
 */
export interface OnnxRuntimeInstrumentationConfig extends MlInstrumentationConfig {
  /**
   * Model files larger than this (bytes) are not read for their metadata (name, version,
   * column and class names), so creating a session on a multi-gigabyte model costs nothing
   * extra; runs are then named after the file. Default 64 MiB.
   */
  maxMetadataBytes?: number;
}
