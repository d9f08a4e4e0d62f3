/**
 * Zero-code instrumentation of `@tensorflow/tfjs`: `LayersModel#predict` (and `Sequential`'s),
 * `GraphModel#predict`, `#execute` and `#executeAsync` each become one `inference` component run
 * named after the model, with the batch size, the input tensors summarised as features and the
 * first (or configured) output as predictions, for the calls sampled per model (the others are
 * counted on the next recorded run); a call that throws is recorded (or counted) and rethrown. A call made inside another instrumented call (Sequential → LayersModel,
 * GraphModel#predict → #execute) is not recorded twice.
 *
 * Names come from the model's user-defined metadata when it has `mlobs.model.name`,
 * `mlobs.model.version`, `mlobs.features.<input>` (array of column names) or
 * `mlobs.classes.<output>`; else from a LayersModel's `name` or a GraphModel's file name.
 */
import { basename } from 'node:path';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  isWrapped,
} from '@opentelemetry/instrumentation';
import type { ModelInfo, TracerLike } from '../../sdk/index.js';
import { MLOBS_VERSION } from '../../sdk/version.js';
import { instrumentModelCall } from '../shared/instrumentModelCall.js';
import { SummarySampler } from '../shared/SummarySampler.js';
import { batchRows, type TensorView, tensorFeatures, tensorPredictions } from '../shared/tensors.js';
import { DEFAULT_SAMPLING, type ModelConfig } from '../shared/types.js';
import type {
  ModelMethod,
  TfClass,
  TfGraphModel,
  TfLayersModel,
  TfModule,
  TfTensor,
  TfTensors,
} from './internalTypes.js';
import type { TfjsInstrumentationConfig } from './types.js';

/** The @tensorflow/tfjs versions the patch is written and tested against. */
export const TFJS_SUPPORTED_VERSIONS = ['>=3.0.0 <5'];

const PATCHES: readonly [keyof Omit<TfModule, 'default'>, readonly string[]][] = [
  ['LayersModel', ['predict']],
  ['Sequential', ['predict']],
  ['GraphModel', ['predict', 'execute', 'executeAsync']],
];

/** What the instrumentation knows about one model object. */
interface ModelState {
  name: string;
  info: ModelInfo;
  own: ModelConfig;
  featureNames: Map<string, string[]>;
  classNames: Map<string, string[]>;
  /** Read at each call: a Sequential has no input names until its first predict builds it. */
  inputNames: () => readonly string[];
  outputNames: () => readonly string[];
  calls: Map<string, ModelMethod>;
}

/** Records @tensorflow/tfjs inference as mlobs component runs. */
export class TfjsInstrumentation extends InstrumentationBase<TfjsInstrumentationConfig> {
  private readonly models = new WeakMap<object, ModelState>();
  private readonly samplers = new Map<string, SummarySampler>();
  private depth = 0;
  private readonly tracerProxy: TracerLike = {
    startSpan: (name, options, ctx) => this.tracer.startSpan(name, options, ctx),
  };

  /** `config` as described in {@link TfjsInstrumentationConfig}. */
  constructor(config: TfjsInstrumentationConfig = {}) {
    super('mlobs-instrumentation-tfjs', MLOBS_VERSION, config);
  }

  /** @internal The module definition: `@tensorflow/tfjs`, CommonJS and ESM. */
  protected init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      '@tensorflow/tfjs',
      TFJS_SUPPORTED_VERSIONS,
      (exports: TfModule) => this.patch(exports),
      (exports: TfModule) => this.unpatch(exports),
    );
  }

  private patch(exports: TfModule): TfModule {
    for (const [cls, methods] of PATCHES) {
      const proto = classOf(exports, cls)?.prototype;
      if (!proto) continue;
      for (const method of methods) {
        // Sequential inherits what LayersModel has; only its own methods are wrapped.
        if (!Object.hasOwn(proto, method) || typeof proto[method] !== 'function') continue;
        if (isWrapped(proto[method])) this._unwrap(proto, method);
        this._wrap(proto, method, (original) => this.wrapMethod(method, original as ModelMethod) as never);
      }
    }
    return exports;
  }

  private unpatch(exports: TfModule | undefined): void {
    if (!exports) return;
    for (const [cls, methods] of PATCHES) {
      const proto = classOf(exports, cls)?.prototype;
      if (!proto) continue;
      for (const method of methods) if (isWrapped(proto[method])) this._unwrap(proto, method);
    }
  }

  private wrapMethod(method: string, original: ModelMethod): ModelMethod {
    const instrumentation = this;
    return function instrumented(this: TfLayersModel & TfGraphModel, ...args: Parameters<ModelMethod>) {
      if (instrumentation.depth > 0) return Reflect.apply(original, this, args);
      let call: ModelMethod;
      try {
        call = instrumentation.callFor(this, method, original);
      } catch {
        return Reflect.apply(original, this, args);
      }
      instrumentation.depth++;
      try {
        return Reflect.apply(call, this, args);
      } finally {
        instrumentation.depth--;
      }
    };
  }

  private callFor(model: TfLayersModel & TfGraphModel, method: string, original: ModelMethod): ModelMethod {
    const state = this.stateOf(model);
    const cached = state.calls.get(method);
    if (cached) return cached;
    const inputs = (x: TfTensors): TensorView[] => views(x, state.inputNames(), 'input');
    const call = instrumentModelCall(original, {
      component: state.own.component ?? state.name,
      model: state.info,
      tracer: this.tracerProxy,
      sampler: (pipeline) => this.samplerFor(state, pipeline),
      rows: ([x]) => batchRows(shapes(x)),
      features: ([x]) =>
        tensorFeatures(inputs(x), (n) => state.own.featureNames?.[n] ?? state.featureNames.get(n)),
      predictions: (result) => {
        const outs = views(result as TfTensors, state.outputNames(), 'output');
        const chosen = outs.find((o) => o.name === state.own.output) ?? outs[0];
        return chosen
          ? tensorPredictions(chosen, state.own.classNames ?? state.classNames.get(chosen.name))
          : undefined;
      },
    });
    state.calls.set(method, call);
    return call;
  }

  private stateOf(model: TfLayersModel & TfGraphModel): ModelState {
    const known = this.models.get(model);
    if (known) return known;
    const meta = metadataOf(model);
    const url =
      typeof model.modelUrl === 'string' ? basename(model.modelUrl).replace(/\.json$/i, '') : undefined;
    const name =
      str(meta['mlobs.model.name']) ??
      (typeof model.name === 'string' ? model.name : undefined) ??
      url ??
      'tfjs-model';
    const own = this.getConfig().models?.[name] ?? {};
    const info: ModelInfo = { name, framework: 'tfjs' };
    const version = str(meta['mlobs.model.version']) ?? own.version ?? (model.modelVersion || undefined);
    if (version !== undefined) info.version = version;
    const trainedAt = str(meta['mlobs.model.trained_at']);
    if (trainedAt !== undefined) info.trainedAt = trainedAt;
    const state: ModelState = {
      name,
      info,
      own,
      featureNames: namesWithPrefix(meta, 'mlobs.features.'),
      classNames: namesWithPrefix(meta, 'mlobs.classes.'),
      inputNames: () =>
        nonEmpty(model.inputNames) ?? nonEmpty(namesOf(model.inputs)) ?? model.inputNodes ?? [],
      outputNames: () =>
        nonEmpty(model.outputNames) ?? nonEmpty(namesOf(model.outputs)) ?? model.outputNodes ?? [],
      calls: new Map(),
    };
    this.models.set(model, state);
    return state;
  }

  /** One sampler per model and pipeline, shared by the model's methods. */
  private samplerFor(state: ModelState, pipeline: string): SummarySampler {
    const key = `${state.name}\0${pipeline}`;
    let s = this.samplers.get(key);
    if (!s) {
      s = new SummarySampler(state.own.sampling ?? this.getConfig().sampling ?? DEFAULT_SAMPLING);
      this.samplers.set(key, s);
    }
    return s;
  }
}

function classOf(exports: TfModule, name: keyof Omit<TfModule, 'default'>): TfClass | undefined {
  return exports[name] ?? exports.default?.[name];
}

function isTensor(x: unknown): x is TfTensor {
  return (
    x !== null &&
    typeof x === 'object' &&
    Array.isArray((x as TfTensor).shape) &&
    typeof (x as TfTensor).dataSync === 'function'
  );
}

/** The tensors of `x` with their names (positional names for a tensor or a list). */
function named(x: TfTensors, names: readonly string[], fallback: string): [string, TfTensor][] {
  if (isTensor(x)) return [[names[0] ?? fallback, x]];
  if (Array.isArray(x)) return x.filter(isTensor).map((t, i) => [names[i] ?? `${fallback}${i}`, t]);
  if (x !== null && typeof x === 'object')
    return Object.entries(x).filter((e): e is [string, TfTensor] => isTensor(e[1]));
  return [];
}

function shapes(x: TfTensors): { dims: readonly number[] }[] {
  return named(x, [], 'input').map(([, t]) => ({ dims: t.shape }));
}

/** Views with values read back synchronously (only for sampled calls). */
function views(x: TfTensors, names: readonly string[], fallback: string): TensorView[] {
  return named(x, names, fallback)
    .filter(([, t]) => !t.isDisposed)
    .map(([name, t]) => ({ name, data: t.dataSync(), dims: t.shape, type: t.dtype }));
}

function metadataOf(model: TfLayersModel & TfGraphModel): Record<string, unknown> {
  let meta: unknown;
  try {
    meta =
      typeof model.getUserDefinedMetadata === 'function' ? model.getUserDefinedMetadata() : model.metadata;
  } catch {
    meta = undefined;
  }
  return meta !== null && typeof meta === 'object' ? (meta as Record<string, unknown>) : {};
}

function namesWithPrefix(meta: Record<string, unknown>, prefix: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, value] of Object.entries(meta)) {
    if (key.startsWith(prefix) && Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      out.set(key.slice(prefix.length), value);
    }
  }
  return out;
}

function namesOf(list: readonly { name?: unknown }[] | undefined): string[] | undefined {
  return Array.isArray(list) ? list.map((t) => String(t?.name ?? '')) : undefined;
}

function nonEmpty(names: readonly string[] | undefined): readonly string[] | undefined {
  return names && names.length > 0 ? names : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
