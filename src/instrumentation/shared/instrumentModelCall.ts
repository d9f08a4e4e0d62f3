/**
 * The piece both library instrumentations share: wraps one model's call function with
 * `instrumentPredict` (so the error and "never break the call" contract is the SDK's), adds the
 * batch size to every run, and summarises inputs and outputs only for the calls its sampler picks.
 */
import { trace } from '@opentelemetry/api';
import { activeBatchId, type ModelInfo, type PredictionOutputs, type TracerLike } from '../../sdk/index.js';
import { ATTR_ML_BATCH_ROWS } from '../../semconv/index.js';
import { instrumentPredict } from '../instrumentPredict.js';
import type { FeatureInput, PredictFunction } from '../types.js';
import type { SummarySampler } from './SummarySampler.js';

/** What a library instrumentation knows about one model. */
export interface ModelCallSpec<F extends PredictFunction> {
  /** `ml.component.name` of each call. */
  component: string;
  /** `ml.model.*` of each call. */
  model: ModelInfo;
  /** The instrumentation's tracer (so `setTracerProvider` on it is honoured). */
  tracer: TracerLike;
  /** Decides which calls get summaries. */
  sampler: SummarySampler;
  /** Rows in the call's batch, read from its arguments; undefined when unknown. */
  rows(args: Parameters<F>): number | undefined;
  /** The call's inputs as features (only called for sampled calls). */
  features(args: Parameters<F>): FeatureInput | undefined;
  /** The call's outputs as predictions (only called for sampled calls). */
  predictions(result: Awaited<ReturnType<F>>, args: Parameters<F>): PredictionOutputs | undefined;
}

/** `fn` wrapped so every call is an `inference` component run of `spec.model`. */
export function instrumentModelCall<F extends PredictFunction>(fn: F, spec: ModelCallSpec<F>): F {
  // One call's `args` array is the same object in every extractor instrumentPredict calls.
  const sampled = new WeakSet<object>();
  return instrumentPredict(fn, {
    name: spec.component,
    model: spec.model,
    tracer: spec.tracer,
    batchId: () => activeBatchId(),
    features: (args) => {
      const rows = spec.rows(args);
      if (rows !== undefined) trace.getActiveSpan()?.setAttribute(ATTR_ML_BATCH_ROWS, rows);
      if (!spec.sampler.take(rows ?? 1)) return undefined;
      sampled.add(args);
      return spec.features(args);
    },
    predictions: (result, args) => (sampled.has(args) ? spec.predictions(result, args) : undefined),
  });
}
