/**
 * Configuration shared by mlobs' model-library instrumentations (onnxruntime-node, tfjs): how
 * often a call's inputs and outputs are summarised, and how a model's columns and classes are
 * named. Each call is always one `inference` component run (latency, errors and volume are never
 * sampled); only the summaries cost in proportion to the rows, so only they are sampled.
 */
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/**
 * How often a model's calls get summaries: exactly one of
 * - `{ every: 1 }` every call, `{ every: N }` one call in N;
 * - `{ rowsPerSecond: R }` a budget of about R summarised rows per second (a token bucket
 *   holding at most one second of budget; a call is summarised whenever the bucket is not
 *   empty, and its rows plus `CALL_COST_ROWS` (200, the fixed cost of a summary) are then
 *   taken, so a large batch is never skipped for being large and a 1-row call costs 201).
 */
export type SamplingConfig = { every: number } | { rowsPerSecond: number };

/** The default: about 1,000 summarised rows per second per model. */
export const DEFAULT_SAMPLING: Readonly<SamplingConfig> = Object.freeze({ rowsPerSecond: 1000 });

/** Per-model settings, looked up by model name. */
export interface ModelConfig {
  /** `ml.component.name` of the model's runs; default the model's name. */
  component?: string;
  /** Column names of each input, by input name (default: the model's metadata, else `<input>[i]`). */
  featureNames?: Record<string, readonly string[]>;
  /** Class names of the probabilities output, by column (default: the model's metadata, else the index). */
  classNames?: readonly string[];
  /** Which output holds the predictions (default: the first output). */
  output?: string;
  /** Summary sampling of this model (default: the instrumentation's `sampling`). */
  sampling?: SamplingConfig;
  /** `ml.model.version` when the model carries none. */
  version?: string;
}

/** Configuration of an mlobs model-library instrumentation. */
export interface MlInstrumentationConfig extends InstrumentationConfig {
  /** Summary sampling for models without their own (default {@link DEFAULT_SAMPLING}). */
  sampling?: SamplingConfig;
  /** Per-model settings by model name. */
  models?: Record<string, ModelConfig>;
}
