/**
 * The members of @tensorflow/tfjs mlobs touches, typed structurally so the instrumentation never
 * imports the library. Not exported from the package.
 */

/** `tf.Tensor`: shape, dtype and a synchronous read of its values. */
export interface TfTensor {
  readonly shape: readonly number[];
  readonly dtype: string;
  dataSync(): ArrayLike<unknown>;
  readonly isDisposed?: boolean;
}

/** What `predict` / `execute` take and return: a tensor, a list of them or a map by name. */
export type TfTensors = TfTensor | TfTensor[] | Record<string, TfTensor>;

/** `tf.LayersModel` / `tf.Sequential` instance members read for naming. */
export interface TfLayersModel {
  readonly name?: string;
  readonly inputNames?: readonly string[];
  readonly outputNames?: readonly string[];
  /** Symbolic inputs and outputs; a Sequential has them before it is built. */
  readonly inputs?: readonly { name?: unknown }[];
  readonly outputs?: readonly { name?: unknown }[];
  getUserDefinedMetadata?(): unknown;
}

/** `tf.GraphModel` instance members read for naming. */
export interface TfGraphModel {
  readonly modelUrl?: unknown;
  readonly modelVersion?: string;
  readonly inputNodes?: readonly string[];
  readonly outputNodes?: readonly string[];
  readonly metadata?: unknown;
}

/** A patched method: `this` is the model. */
export type ModelMethod = (this: TfLayersModel & TfGraphModel, x: TfTensors, ...rest: unknown[]) => unknown;

/** A class whose prototype holds patched methods. */
export interface TfClass {
  prototype: Record<string, unknown>;
}

/** The module's exports (CommonJS object or ESM namespace). */
export interface TfModule {
  LayersModel?: TfClass;
  Sequential?: TfClass;
  GraphModel?: TfClass;
  default?: { LayersModel?: TfClass; Sequential?: TfClass; GraphModel?: TfClass };
}
