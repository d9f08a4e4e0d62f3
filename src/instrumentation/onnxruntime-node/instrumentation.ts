/**
 * Zero-code instrumentation of `onnxruntime-node`: every `InferenceSession#run` is one `inference`
 * component run named after the model, with its batch size, its input tensors summarised as
 * features and its chosen output as predictions, and its error recorded; which calls are recorded
 * (the others only counted) is sampled per model.
 *
 * `InferenceSession.create` is wrapped to learn which model a session runs: the model file (or
 * buffer) is scanned for its version, graph name and `metadata_props`, which may name the model
 * (`mlobs.model.name`, `mlobs.model.version`, `mlobs.model.trained_at`), an input's columns
 * (`mlobs.features.<input>`: a JSON array), an output's classes (`mlobs.classes.<output>`) and the
 * output holding the predictions (`mlobs.output`). Without them, runs are named after the file.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  isWrapped,
} from '@opentelemetry/instrumentation';
import { type ModelInfo, sdkDrops, type TracerLike } from '../../sdk/index.js';
import { MLOBS_VERSION } from '../../sdk/version.js';
import { instrumentModelCall } from '../shared/instrumentModelCall.js';
import { SummarySampler } from '../shared/SummarySampler.js';
import { type TensorView, tensorFeatures, tensorPredictions } from '../shared/tensors.js';
import { DEFAULT_SAMPLING, type ModelConfig } from '../shared/types.js';
import type { OrtModule, OrtSession, OrtSessionClass, OrtTensor, RunFunction } from './internalTypes.js';
import { readOnnxMetadata } from './onnxMetadata.js';
import type { OnnxRuntimeInstrumentationConfig } from './types.js';

/** The onnxruntime-node versions the patch is written and tested against. */
export const ONNXRUNTIME_SUPPORTED_VERSIONS = ['>=1.14.0 <2'];

const DEFAULT_MAX_METADATA_BYTES = 64 * 1024 * 1024;
const FRAMEWORK = 'onnxruntime';

/** What the instrumentation knows about the model a session runs. */
interface SessionModel {
  name: string;
  version?: string;
  trainedAt?: string;
  featureNames: Map<string, string[]>;
  classNames: Map<string, string[]>;
  output?: string;
  run?: RunFunction;
}

/** Records onnxruntime-node inference as mlobs component runs. */
export class OnnxRuntimeInstrumentation extends InstrumentationBase<OnnxRuntimeInstrumentationConfig> {
  private readonly sessions = new WeakMap<object, SessionModel>();
  private readonly samplers = new Map<string, SummarySampler>();
  // Spans go through the instrumentation's tracer, read at each call so setTracerProvider holds.
  private readonly tracerProxy: TracerLike = {
    startSpan: (name, options, ctx) => this.tracer.startSpan(name, options, ctx),
  };

  /** `config` as described in {@link OnnxRuntimeInstrumentationConfig}. */
  constructor(config: OnnxRuntimeInstrumentationConfig = {}) {
    super('mlobs-instrumentation-onnxruntime-node', MLOBS_VERSION, config);
  }

  /** @internal The module definition: `onnxruntime-node`, CommonJS and ESM. */
  protected init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      'onnxruntime-node',
      ONNXRUNTIME_SUPPORTED_VERSIONS,
      (exports: OrtModule) => this.patch(exports),
      (exports: OrtModule) => this.unpatch(exports),
    );
  }

  private patch(exports: OrtModule): OrtModule {
    const Session = sessionClass(exports);
    if (!Session) {
      this._diag.warn('onnxruntime-node has no InferenceSession export; not instrumented');
      return exports;
    }
    if (isWrapped(Session.create)) this._unwrap(Session, 'create');
    this._wrap(Session, 'create', (original) => this.wrapCreate(original));
    if (isWrapped(Session.prototype.run)) this._unwrap(Session.prototype, 'run');
    this._wrap(Session.prototype, 'run', (original) => this.wrapRun(original as RunFunction));
    return exports;
  }

  private unpatch(exports: OrtModule | undefined): void {
    const Session = exports ? sessionClass(exports) : undefined;
    if (!Session) return;
    if (isWrapped(Session.create)) this._unwrap(Session, 'create');
    if (isWrapped(Session.prototype.run)) this._unwrap(Session.prototype, 'run');
  }

  private wrapCreate(original: OrtSessionClass['create']): OrtSessionClass['create'] {
    const instrumentation = this;
    return async function create(this: unknown, ...args: unknown[]): Promise<OrtSession> {
      const session = await Reflect.apply(original, this, args);
      try {
        instrumentation.sessions.set(session, await instrumentation.describe(args));
      } catch (err) {
        sdkDrops.drop('onnxruntime-node model metadata not read', errorMessage(err));
      }
      return session;
    };
  }

  private wrapRun(original: RunFunction): RunFunction {
    const instrumentation = this;
    return function run(this: OrtSession, ...args: Parameters<RunFunction>) {
      let wrapped: RunFunction;
      try {
        wrapped = instrumentation.runFor(this, original);
      } catch (err) {
        sdkDrops.drop('onnxruntime-node run not instrumented', errorMessage(err));
        return Reflect.apply(original, this, args);
      }
      return Reflect.apply(wrapped, this, args);
    };
  }

  /** The session's instrumented run, built on its first call with the config of that moment. */
  private runFor(session: OrtSession, original: RunFunction): RunFunction {
    let model = this.sessions.get(session);
    if (!model) {
      model = { name: 'onnx-model', featureNames: new Map(), classNames: new Map() };
      this.sessions.set(session, model);
    }
    if (model.run) return model.run;
    const config = this.getConfig();
    const own: ModelConfig = config.models?.[model.name] ?? {};
    const m = model;
    const info: ModelInfo = { name: m.name, framework: FRAMEWORK };
    const version = m.version ?? own.version;
    if (version !== undefined) info.version = version;
    if (m.trainedAt !== undefined) info.trainedAt = m.trainedAt;
    const inputs = (feeds: Record<string, OrtTensor>): TensorView[] =>
      session.inputNames.filter((n) => feeds[n] !== undefined).map((n) => view(n, feeds[n]));
    m.run = instrumentModelCall(original, {
      component: own.component ?? m.name,
      model: info,
      tracer: this.tracerProxy,
      sampler: (pipeline) => this.samplerFor(m.name, pipeline, own),
      // Runs on every call, recorded or not: dims only, no views, nothing allocated.
      rows: ([feeds]) => {
        for (const n of session.inputNames) {
          const t = feeds[n];
          if (t !== undefined && t.dims.length > 0) return t.dims[0];
        }
        return undefined;
      },
      features: ([feeds]) =>
        tensorFeatures(inputs(feeds), (n) => own.featureNames?.[n] ?? m.featureNames.get(n)),
      predictions: (outputs) => {
        const name = own.output ?? m.output ?? session.outputNames.find((n) => outputs[n] !== undefined);
        const t = name === undefined ? undefined : outputs[name];
        if (!t || name === undefined) return undefined;
        return tensorPredictions(view(name, t), own.classNames ?? m.classNames.get(name));
      },
    });
    return m.run;
  }

  /** One sampler per model and pipeline, shared by every session of the model. */
  private samplerFor(name: string, pipeline: string, own: ModelConfig): SummarySampler {
    const key = `${name}\0${pipeline}`;
    let s = this.samplers.get(key);
    if (!s) {
      s = new SummarySampler(own.sampling ?? this.getConfig().sampling ?? DEFAULT_SAMPLING);
      this.samplers.set(key, s);
    }
    return s;
  }

  /** Names a session's model from what `create` was given: a path, or the model's bytes. */
  private async describe(args: unknown[]): Promise<SessionModel> {
    const [source, offset, length] = args;
    const model: SessionModel = { name: 'onnx-model', featureNames: new Map(), classNames: new Map() };
    let bytes: Uint8Array | undefined;
    const limit = this.getConfig().maxMetadataBytes ?? DEFAULT_MAX_METADATA_BYTES;
    if (typeof source === 'string') {
      model.name = basename(source).replace(/\.onnx$/i, '') || model.name;
      if ((await stat(source)).size <= limit) bytes = await readFile(source);
    } else if (source instanceof Uint8Array) {
      bytes = source;
    } else if (source instanceof ArrayBuffer || source instanceof SharedArrayBuffer) {
      const start = typeof offset === 'number' ? offset : 0;
      bytes = new Uint8Array(source, start, typeof length === 'number' ? length : source.byteLength - start);
    }
    if (!bytes || bytes.byteLength > limit) return model;
    const meta = readOnnxMetadata(bytes);
    const props = meta.props;
    // The file name, when there is one, says more than a graph name exporters often leave generic.
    model.name =
      props.get('mlobs.model.name') ||
      (typeof source === 'string' ? model.name : meta.graphName || model.name);
    model.version =
      props.get('mlobs.model.version') || (meta.modelVersion > 0 ? String(meta.modelVersion) : undefined);
    model.trainedAt = props.get('mlobs.model.trained_at') || undefined;
    model.output = props.get('mlobs.output') || undefined;
    for (const [key, value] of props) {
      const list = key.startsWith('mlobs.features.')
        ? model.featureNames
        : key.startsWith('mlobs.classes.')
          ? model.classNames
          : undefined;
      if (!list) continue;
      const names = parseNames(value);
      if (names) list.set(key.slice(key.indexOf('.', 6) + 1), names);
      else sdkDrops.drop('onnx metadata ignored', `${model.name}: ${key} is not a JSON array of strings`);
    }
    return model;
  }
}

function sessionClass(exports: OrtModule): OrtSessionClass | undefined {
  return exports.InferenceSession ?? exports.default?.InferenceSession;
}

/** A tensor's values, only for CPU tensors (reading a GPU tensor would copy it back). */
function view(name: string, t: OrtTensor): TensorView {
  if (t.location !== undefined && t.location !== 'cpu') {
    // Caught by instrumentPredict's extractor guard, which counts this run's summary as dropped
    // with this message; the model call itself is never affected.
    throw new Error(`tensor '${name}' is on '${t.location}', not summarised`);
  }
  return { name, data: t.data, dims: t.dims, type: t.type };
}

function parseNames(text: string): string[] | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
