/**
 * `component(name, options, fn)`: one component run = one span. The span is active while `fn`
 * runs (sync or async), carries the component, pipeline, model and io attributes, links to the
 * runs that wrote its inputs, and records the user's error before rethrowing it unchanged. If
 * mlobs itself fails to start the span, `fn` still runs (with a non-recording run handle).
 */
import {
  type Attributes,
  type Context,
  context,
  createContextKey,
  INVALID_SPAN_CONTEXT,
  type Link,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_ML_BATCH_ID,
  ATTR_ML_COMPONENT_KIND,
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_COMPONENT_VERSION,
  ATTR_ML_IO_INPUT_FINGERPRINTS,
  ATTR_ML_IO_INPUTS,
  ATTR_ML_IO_OUTPUT_FINGERPRINTS,
  ATTR_ML_IO_OUTPUTS,
  ATTR_ML_MODEL_FRAMEWORK,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_MODEL_TRAINED_AT,
  ATTR_ML_MODEL_VERSION,
  ATTR_ML_PIPELINE_NAME,
  ATTR_ML_PIPELINE_RUN_ID,
  ML_COMPONENT_KIND_VALUE_FEATURES,
  ML_COMPONENT_KIND_VALUE_INFERENCE,
  ML_COMPONENT_KIND_VALUE_LABEL,
  ML_COMPONENT_KIND_VALUE_POSTPROCESS,
  ML_COMPONENT_KIND_VALUE_SINK,
  ML_COMPONENT_KIND_VALUE_SOURCE,
  ML_COMPONENT_KIND_VALUE_TRANSFORM,
} from '../semconv/index.js';
import { ComponentRun, checkedRef, ioLink } from './ComponentRun.js';
import { sdkDrops } from './DropCounter.js';
import { IoLinkRegistry } from './IoLinkRegistry.js';
import { SummaryBuffer } from './SummaryBuffer.js';
import type { ComponentOptions, IoRef, SpanLike, TracerLike } from './types.js';
import { MLOBS_VERSION } from './version.js';

const KINDS: ReadonlySet<string> = new Set([
  ML_COMPONENT_KIND_VALUE_SOURCE,
  ML_COMPONENT_KIND_VALUE_TRANSFORM,
  ML_COMPONENT_KIND_VALUE_FEATURES,
  ML_COMPONENT_KIND_VALUE_INFERENCE,
  ML_COMPONENT_KIND_VALUE_POSTPROCESS,
  ML_COMPONENT_KIND_VALUE_SINK,
  ML_COMPONENT_KIND_VALUE_LABEL,
]);

/** The process-wide registry of who wrote which reference (bounded LRU). */
export const ioLinks = new IoLinkRegistry();

interface PipelineScope {
  pipeline?: string;
  runId?: string;
  batchId?: string;
}

// Lets nested components inherit the pipeline name and run id of the enclosing one.
const PIPELINE_KEY = createContextKey('mlobs pipeline scope');

/** Runs `fn` as one component run inside an active span and returns what `fn` returns. */
export function component<T>(name: string, fn: (run: ComponentRun) => T): T;
/** Runs `fn` as one component run inside an active span and returns what `fn` returns. */
export function component<T>(name: string, options: ComponentOptions, fn: (run: ComponentRun) => T): T;
export function component<T>(
  name: string,
  optionsOrFn: ComponentOptions | ((run: ComponentRun) => T),
  maybeFn?: (run: ComponentRun) => T,
): T {
  const fn = typeof optionsOrFn === 'function' ? optionsOrFn : maybeFn;
  const options = typeof optionsOrFn === 'function' ? {} : (optionsOrFn ?? {});
  if (typeof fn !== 'function') {
    throw new TypeError(`mlobs component('${name}'): the last argument must be the function to run`);
  }
  const parent = context.active();
  const started = startRun(name, options, parent);
  if (!started) {
    const noop = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    return fn(new ComponentRun(noop, ioLinks, [], []));
  }
  const { run, ctx } = started;
  let result: T;
  try {
    result = context.with(ctx, fn, undefined, run);
  } catch (err) {
    fail(run.span, err);
    throw err;
  }
  if (isThenable(result)) {
    return result.then(
      (value: unknown) => {
        succeed(run);
        return value;
      },
      (err: unknown) => {
        fail(run.span, err);
        throw err;
      },
    ) as T;
  }
  succeed(run);
  return result;
}

/**
 * The batch id declared by the innermost enclosing `component()` (its `batchId` option), so
 * that a model call recorded by an instrumentation gets the pipeline's batch id and delayed
 * labels recorded with it join to its predictions.
 */
export function activeBatchId(): string | undefined {
  return (context.active().getValue(PIPELINE_KEY) as PipelineScope | undefined)?.batchId;
}

/**
 * The pipeline name of the innermost enclosing `component()`, '' outside any: a sampled model
 * call is counted per pipeline, since each pipeline's runs of the model are a stream of their own.
 */
export function activePipeline(): string {
  return (context.active().getValue(PIPELINE_KEY) as PipelineScope | undefined)?.pipeline ?? '';
}

function startRun(
  name: string,
  options: ComponentOptions,
  parent: Context,
): { run: ComponentRun; ctx: Context } | undefined {
  try {
    const inherited = (parent.getValue(PIPELINE_KEY) as PipelineScope | undefined) ?? {};
    const scope: PipelineScope = {
      pipeline: options.pipeline ?? inherited.pipeline,
      runId: options.runId ?? inherited.runId,
      batchId: options.batchId ?? inherited.batchId,
    };
    const inputs = refs(options.inputs, 'inputs');
    const outputs = refs(options.outputs, 'outputs');
    const links: Link[] = [];
    for (const io of inputs) {
      const writer = ioLinks.findWriter(io.ref, io.fingerprint ?? '');
      if (writer) links.push(ioLink(writer, io.ref));
    }
    const tracer: TracerLike = options.tracer ?? trace.getTracer('mlobs', MLOBS_VERSION);
    const span = tracer.startSpan(
      name,
      { kind: SpanKind.INTERNAL, attributes: startAttributes(name, options, scope, inputs, outputs), links },
      parent,
    );
    const ctx = trace
      .setSpan(parent, span as Parameters<typeof trace.setSpan>[1])
      .setValue(PIPELINE_KEY, scope);
    if (span.isRecording()) SummaryBuffer.attach(span);
    return { run: new ComponentRun(span, ioLinks, inputs, outputs), ctx };
  } catch (err) {
    sdkDrops.drop('component span not started', `component('${name}'): ${String(err)}`);
    return undefined;
  }
}

function startAttributes(
  name: string,
  options: ComponentOptions,
  scope: PipelineScope,
  inputs: readonly IoRef[],
  outputs: readonly IoRef[],
): Attributes {
  const a: Attributes = { ...options.attributes, [ATTR_ML_COMPONENT_NAME]: name };
  if (options.kind !== undefined) {
    // A kind outside the enum would split one component's stream in the collector: refuse it.
    if (KINDS.has(options.kind)) a[ATTR_ML_COMPONENT_KIND] = options.kind;
    else
      sdkDrops.drop(
        'invalid component kind',
        `component('${name}'): kind '${options.kind}' is not one of ${[...KINDS].join(', ')}`,
      );
  }
  if (options.version !== undefined) a[ATTR_ML_COMPONENT_VERSION] = options.version;
  if (scope.pipeline !== undefined) a[ATTR_ML_PIPELINE_NAME] = scope.pipeline;
  if (scope.runId !== undefined) a[ATTR_ML_PIPELINE_RUN_ID] = scope.runId;
  if (scope.batchId !== undefined) a[ATTR_ML_BATCH_ID] = scope.batchId;
  const model = options.model;
  if (model) {
    if (typeof model.name === 'string') a[ATTR_ML_MODEL_NAME] = model.name;
    if (model.version !== undefined) a[ATTR_ML_MODEL_VERSION] = model.version;
    if (model.framework !== undefined) a[ATTR_ML_MODEL_FRAMEWORK] = model.framework;
    if (model.trainedAt !== undefined) {
      a[ATTR_ML_MODEL_TRAINED_AT] =
        model.trainedAt instanceof Date ? model.trainedAt.toISOString() : String(model.trainedAt);
    }
  }
  if (inputs.length > 0) {
    a[ATTR_ML_IO_INPUTS] = inputs.map((r) => r.ref);
    if (inputs.some((r) => r.fingerprint !== undefined)) {
      a[ATTR_ML_IO_INPUT_FINGERPRINTS] = inputs.map((r) => r.fingerprint ?? '');
    }
  }
  if (outputs.length > 0) {
    a[ATTR_ML_IO_OUTPUTS] = outputs.map((r) => r.ref);
    if (outputs.some((r) => r.fingerprint !== undefined)) {
      a[ATTR_ML_IO_OUTPUT_FINGERPRINTS] = outputs.map((r) => r.fingerprint ?? '');
    }
  }
  return a;
}

function refs(list: ComponentOptions['inputs'], where: string): IoRef[] {
  const out: IoRef[] = [];
  for (const item of list ?? []) {
    const io =
      typeof item === 'string'
        ? checkedRef(item, undefined, where)
        : checkedRef(item?.ref, item?.fingerprint, where);
    if (io) out.push(io);
  }
  return out;
}

function succeed(run: ComponentRun): void {
  flushSummaries(run.span);
  try {
    run.publishOutputs();
    run.span.end();
  } catch (err) {
    sdkDrops.drop('component span not ended cleanly', String(err));
  }
}

function fail(span: SpanLike, err: unknown): void {
  // What the run recorded before failing did flow through it: keep it on the span.
  flushSummaries(span);
  try {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    span.end();
  } catch (inner) {
    sdkDrops.drop('component error not recorded', String(inner));
  }
}

function flushSummaries(span: SpanLike): void {
  try {
    SummaryBuffer.flush(span);
  } catch (err) {
    sdkDrops.drop('summaries not attached', String(err));
  }
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (
    x !== null &&
    (typeof x === 'object' || typeof x === 'function') &&
    typeof (x as { then?: unknown }).then === 'function'
  );
}
