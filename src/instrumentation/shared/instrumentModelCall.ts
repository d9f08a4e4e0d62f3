/**
 * The piece both library instrumentations share: wraps one model's call function so the calls its
 * sampler picks are `inference` component runs (through `instrumentPredict`, so the error and
 * "never break the call" contract is the SDK's) with the batch size and summaries, and every other
 * call is only counted. The counts since the last recorded run go on the next one
 * (`ml.sampling.skipped_*`), and each recorded run tells the sampler what it cost next to the
 * model's own time.
 */
import { trace } from '@opentelemetry/api';
import {
  activeBatchId,
  activePipeline,
  type ModelInfo,
  type PredictionOutputs,
  sdkDrops,
  type TracerLike,
} from '../../sdk/index.js';
import {
  ATTR_ML_BATCH_ROWS,
  ATTR_ML_SAMPLING_SKIPPED_ERRORS,
  ATTR_ML_SAMPLING_SKIPPED_ROWS,
  ATTR_ML_SAMPLING_SKIPPED_RUNS,
} from '../../semconv/index.js';
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
  /** The sampler deciding which of the model's calls in `pipeline` ('' outside any) are recorded. */
  sampler(pipeline: string): SummarySampler;
  /** Rows in the call's batch, read from its arguments (on every call: keep it cheap); undefined when unknown. */
  rows(args: Parameters<F>): number | undefined;
  /** The call's inputs as features (only called for recorded calls). */
  features(args: Parameters<F>): FeatureInput | undefined;
  /** The call's outputs as predictions (only called for recorded calls). */
  predictions(result: Awaited<ReturnType<F>>, args: Parameters<F>): PredictionOutputs | undefined;
}

/** One recorded call in progress: what it carries and when the model ran. */
interface Recording {
  rows: number | undefined;
  skippedRuns: number;
  skippedRows: number;
  skippedErrors: number;
  start: number;
  modelStart: number;
  modelEnd: number;
}

/**
 * The calls of one pipeline: its sampler and what it skipped since its last recorded run. The
 * counts go on that pipeline's next run, never another's, since each is a stream of its own.
 */
interface Lane {
  sampler: SummarySampler;
  skippedRuns: number;
  skippedRows: number;
  skippedErrors: number;
  countError: () => void;
}

/** Most pipelines one model call keeps lanes for; calls of further pipelines share one. */
const MAX_LANES = 256;

/** `fn` wrapped so the sampled calls are `inference` component runs of `spec.model` and the rest are counted. */
export function instrumentModelCall<F extends PredictFunction>(fn: F, spec: ModelCallSpec<F>): F {
  const lanes = new Map<string, Lane>();
  const laneFor = (pipeline: string): Lane => {
    let lane = lanes.get(pipeline);
    if (lane === undefined) {
      if (lanes.size >= MAX_LANES) return laneFor('\0overflow');
      const l: Lane = {
        sampler: spec.sampler(pipeline),
        skippedRuns: 0,
        skippedRows: 0,
        skippedErrors: 0,
        countError: () => {
          l.skippedErrors++;
        },
      };
      lane = l;
      lanes.set(pipeline, lane);
    }
    return lane;
  };
  // Set just before a recorded call enters instrumentPredict, which runs the extractors and then
  // the model synchronously: they read it there, so concurrent calls never see another's.
  let current: Recording | undefined;

  function timed(this: ThisParameterType<F>, ...args: Parameters<F>): ReturnType<F> {
    const rec = current;
    current = undefined;
    if (rec === undefined) return Reflect.apply(fn, this, args) as ReturnType<F>;
    rec.modelStart = performance.now();
    const result = Reflect.apply(fn, this, args) as ReturnType<F>;
    if (isThenable(result)) {
      const ended = (): void => {
        rec.modelEnd = performance.now();
      };
      result.then(ended, ended);
    } else rec.modelEnd = performance.now();
    return result;
  }

  const recorded = instrumentPredict(timed as unknown as F, {
    name: spec.component,
    model: spec.model,
    tracer: spec.tracer,
    batchId: () => activeBatchId(),
    features: (args) => {
      const rec = current;
      const span = trace.getActiveSpan();
      if (rec && span) {
        if (rec.rows !== undefined) span.setAttribute(ATTR_ML_BATCH_ROWS, rec.rows);
        if (rec.skippedRuns > 0) {
          span.setAttribute(ATTR_ML_SAMPLING_SKIPPED_RUNS, rec.skippedRuns);
          span.setAttribute(ATTR_ML_SAMPLING_SKIPPED_ROWS, rec.skippedRows);
          span.setAttribute(ATTR_ML_SAMPLING_SKIPPED_ERRORS, rec.skippedErrors);
        }
      }
      return spec.features(args);
    },
    predictions: (result, args) => spec.predictions(result, args),
  });

  function instrumented(this: ThisParameterType<F>, ...args: Parameters<F>): ReturnType<F> {
    let rows: number | undefined;
    let lane: Lane;
    let take: boolean;
    try {
      rows = spec.rows(args);
      lane = laneFor(activePipeline());
      take = lane.sampler.take(rows ?? 1);
    } catch (err) {
      sdkDrops.drop(
        'model call not sampled',
        `${spec.component}: ${err instanceof Error ? err.message : String(err)}`,
      );
      return Reflect.apply(fn, this, args) as ReturnType<F>;
    }
    if (!take) {
      lane.skippedRuns++;
      if (rows !== undefined) lane.skippedRows += rows;
      let result: ReturnType<F>;
      try {
        result = Reflect.apply(fn, this, args) as ReturnType<F>;
      } catch (err) {
        lane.skippedErrors++;
        throw err;
      }
      // A side branch: the caller still gets (and must handle) the very promise the model returned.
      if (isThenable(result)) result.then(undefined, lane.countError);
      return result;
    }
    const rec: Recording = {
      rows,
      skippedRuns: lane.skippedRuns,
      skippedRows: lane.skippedRows,
      skippedErrors: lane.skippedErrors,
      start: performance.now(),
      modelStart: -1,
      modelEnd: -1,
    };
    lane.skippedRuns = 0;
    lane.skippedRows = 0;
    lane.skippedErrors = 0;
    current = rec;
    let result: ReturnType<F>;
    try {
      result = Reflect.apply(recorded, this, args) as ReturnType<F>;
    } finally {
      current = undefined;
    }
    const sampler = lane.sampler;
    const done = (): void => {
      if (rec.modelStart < 0 || rec.modelEnd < rec.modelStart) return;
      const model = rec.modelEnd - rec.modelStart;
      sampler.report(performance.now() - rec.start - model, model);
    };
    if (isThenable(result)) result.then(done, done);
    else done();
    return result;
  }
  return instrumented as unknown as F;
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (
    x !== null &&
    (typeof x === 'object' || typeof x === 'function') &&
    typeof (x as { then?: unknown }).then === 'function'
  );
}
