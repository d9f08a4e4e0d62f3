/**
 * `instrumentPredict(fn, options)`: wraps any predict function so each call is one `inference`
 * component run carrying summaries of its inputs and outputs. It is the generic piece the
 * framework instrumentations build on, and what users reach for with a model object mlobs does
 * not know. As in opentelemetry-js-contrib, instrumentation never changes the call: when an
 * extractor or the tracer fails, the user's function still runs once with the same arguments and
 * `this` and its value is returned as is; the failure is counted and warned about through the
 * SDK's drop counter. The user's own error is recorded on the span and rethrown unchanged.
 */
import { type ComponentOptions, type ComponentRun, component, sdkDrops } from '../sdk/index.js';
import type { InstrumentPredictOptions, PredictFunction } from './types.js';

/** Wraps `fn` (sync or async, used as a function or a method) so every call is recorded. */
export function instrumentPredict<F extends PredictFunction>(
  fn: F,
  options: InstrumentPredictOptions<F> = {},
): F {
  if (typeof fn !== 'function') {
    throw new TypeError(
      `mlobs instrumentPredict(): the function to wrap must be a function, got ${kindOf(fn)}`,
    );
  }
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`mlobs instrumentPredict(): options must be an object, got ${kindOf(options)}`);
  }
  const {
    name = 'predict',
    features,
    predictions,
    batchId,
    featureOptions,
    predictionOptions,
    ...rest
  } = options;
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(
      `mlobs instrumentPredict(): options.name must be a non-empty string, got ${kindOf(name)}`,
    );
  }
  const where = `instrumentPredict('${name}')`;
  for (const [key, value] of [
    ['features', features],
    ['predictions', predictions],
    ['batchId', batchId],
  ] as const) {
    if (value !== undefined && typeof value !== 'function') {
      throw new TypeError(`mlobs ${where}: options.${key} must be a function, got ${kindOf(value)}`);
    }
  }
  const componentOptions: ComponentOptions = { ...rest, kind: 'inference' };
  const call = (self: ThisParameterType<F>, args: Parameters<F>): ReturnType<F> =>
    Reflect.apply(fn, self, args) as ReturnType<F>;

  function instrumented(this: ThisParameterType<F>, ...args: Parameters<F>): ReturnType<F> {
    let called = false;
    try {
      return component(name, componentOptions, (run) => {
        const recording = isRecording(run);
        const id = recording && batchId ? guarded(where, 'batchId', () => batchId(args)) : undefined;
        if (recording && features) {
          const data = guarded(where, 'features', () => features(args));
          if (data !== undefined) run.recordFeatures(data, { ...featureOptions, batchId: id });
        }
        called = true;
        const result = call(this, args);
        if (!recording || !predictions) return result;
        const record = (value: Awaited<ReturnType<F>>): void => {
          const outputs = guarded(where, 'predictions', () => predictions(value, args));
          if (outputs !== undefined) run.recordPredictions(outputs, { ...predictionOptions, batchId: id });
        };
        if (isThenable(result)) {
          // Chained before component() ends the span, so the predictions land on it.
          return result.then((value) => {
            record(value as Awaited<ReturnType<F>>);
            return value;
          }) as ReturnType<F>;
        }
        record(result as Awaited<ReturnType<F>>);
        return result;
      });
    } catch (err) {
      // Once the user's function ran, what escapes is its own error: never run it twice.
      if (called) throw err;
      sdkDrops.drop('instrumentPredict wrapper failed', `${where}: ${message(err)}`);
      return call(this, args);
    }
  }
  return instrumented as unknown as F;
}

// An extractor's failure costs the summary, never the prediction.
function guarded<T>(where: string, key: string, extract: () => T): T | undefined {
  try {
    return extract();
  } catch (err) {
    sdkDrops.drop(`instrumentPredict options.${key} threw`, `${where}: ${message(err)}`);
    return undefined;
  }
}

function isRecording(run: ComponentRun): boolean {
  try {
    return run.span.isRecording();
  } catch {
    return false;
  }
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (
    x !== null &&
    (typeof x === 'object' || typeof x === 'function') &&
    typeof (x as { then?: unknown }).then === 'function'
  );
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function kindOf(x: unknown): string {
  return x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x;
}
