/**
 * The members of onnxruntime-node mlobs touches, typed structurally so the instrumentation does
 * not import the library (an app without it never loads it). Not exported from the package.
 */

/** `ort.Tensor`: values are read only from CPU tensors. */
export interface OrtTensor {
  readonly data: ArrayLike<unknown>;
  readonly dims: readonly number[];
  readonly type: string;
  readonly location?: string;
}

/** `ort.InferenceSession` instance members. */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>, ...rest: unknown[]): Promise<Record<string, OrtTensor>>;
}

/** `ort.InferenceSession` (the class): `create` is static, `run` is on the prototype. */
export interface OrtSessionClass {
  create(...args: unknown[]): Promise<OrtSession>;
  prototype: OrtSession;
}

/** The module's exports (CommonJS object or ESM namespace). */
export interface OrtModule {
  InferenceSession?: OrtSessionClass;
  default?: { InferenceSession?: OrtSessionClass };
}

/** The run function as patched: `this` is the session. */
export type RunFunction = (
  this: OrtSession,
  feeds: Record<string, OrtTensor>,
  ...rest: unknown[]
) => Promise<Record<string, OrtTensor>>;
