/**
 * Configuration shared by mlobs' model-library instrumentations (onnxruntime-node, tfjs): which
 * calls are recorded, and how a model's columns and classes are named. A recorded call is one
 * `inference` component run with its summaries; a call that is not recorded is only counted, and
 * the counts (calls, rows, errors) travel on the next recorded run (`ml.sampling.*`), so volume
 * and error rates stay right while a fast model pays for a span only now and then. This is
 * OpenTelemetry's head sampling (decide before the span starts, adjust counts afterwards) applied
 * per model.
 */
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/**
 * Which of a model's calls are recorded: exactly one of
 * - `{ every: 1 }` every call, `{ every: N }` one call in N;
 * - `{ rowsPerSecond: R }` a budget of about R summarised rows per second (a token bucket
 *   holding at most one second of budget; a call is recorded whenever the bucket is not
 *   empty, and its rows plus `CALL_COST_ROWS` (200, the fixed cost of a summary) are then
 *   taken, so a large batch is never skipped for being large and a 1-row call costs 201);
 * - `{ costShare: S, maxGapMs?: G }` recording costs at most the share S of the model's own
 *   time: the cost of each recorded call and the model's time are measured, and enough calls
 *   are only counted in between to spread that cost; whatever the share, a call is recorded
 *   when G milliseconds (default 1000) have passed since the last recorded one, so a model
 *   called rarely is still seen at least once a second.
 */
export type SamplingConfig =
  | { every: number }
  | { rowsPerSecond: number }
  | { costShare: number; maxGapMs?: number };

/** The default: recording costs at most 2% of the model's time, and a call is recorded at least once a second. */
export const DEFAULT_SAMPLING: Readonly<SamplingConfig> = Object.freeze({ costShare: 0.02 });

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
