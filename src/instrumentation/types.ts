/**
 * Public options of `instrumentPredict`. The extractors turn one call's arguments and result
 * into what the SDK's record functions take, so the wrapper works for any model object without
 * knowing its tensor or output types.
 */
import type { ComponentOptions, FeatureOptions, PredictionOptions, PredictionOutputs } from '../sdk/index.js';
import type { ColumnsInput, RowsInput, TensorInput } from '../summaries/index.js';

/** Any function `instrumentPredict` can wrap: sync or async, with or without `this`. */
export type PredictFunction = (this: never, ...args: never[]) => unknown;

/** A batch of features in one of the forms `recordFeatures` summarises. */
export type FeatureInput = ColumnsInput | RowsInput | TensorInput;

/** Options of `instrumentPredict(fn, options)`; every call becomes one `inference` component run. */
export interface InstrumentPredictOptions<F extends PredictFunction>
  extends Omit<ComponentOptions, 'kind' | 'batchId'> {
  /** Component (and span) name; default `predict`. */
  name?: string;
  /**
   * The call's inputs as a batch of features; read before `fn` runs, so inputs a model
   * consumes or disposes are still intact. Return undefined to record no features.
   */
  features?: (args: Parameters<F>) => FeatureInput | undefined;
  /** The call's outputs (the awaited value for an async `fn`); undefined records none. */
  predictions?: (result: Awaited<ReturnType<F>>, args: Parameters<F>) => PredictionOutputs | undefined;
  /**
   * `ml.batch.id` of the call, also the prefix of its prediction ids (`${batchId}:${row}`),
   * so delayed labels recorded with the same batch id join to these predictions.
   */
  batchId?: (args: Parameters<F>) => string | undefined;
  /** Summary options for the features (schema, sketch accuracy, top-k). */
  featureOptions?: Omit<FeatureOptions, 'span' | 'batchId'>;
  /** Options for the predictions (join sample size, per-class score limit). */
  predictionOptions?: Omit<PredictionOptions, 'span' | 'batchId' | 'ids'>;
}
