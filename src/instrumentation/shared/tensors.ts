/**
 * Library-neutral views of model tensors and their conversion into what `recordFeatures` and
 * `recordPredictions` take. Raw values are read here and summarised in-process; nothing of them
 * is put on a span.
 */
import type { PredictionOutputs } from '../../sdk/index.js';
import type { ColumnsInput, TensorInput } from '../../summaries/index.js';
import type { FeatureInput } from '../types.js';

/** One tensor as the instrumentations see it: values (already on the CPU), shape and element type. */
export interface TensorView {
  /** Input or output name. */
  name: string;
  /** Values, row-major. */
  data: ArrayLike<unknown>;
  /** Dimensions; the first is the batch. */
  dims: readonly number[];
  /** Element type as the library names it (`float32`, `int64`, `string`, `bool`, ...). */
  type: string;
}

/** Rows in a batch: the first dimension of the first tensor with one. */
export function batchRows(tensors: readonly { dims: readonly number[] }[]): number | undefined {
  for (const t of tensors) if (t.dims.length > 0) return t.dims[0];
  return undefined;
}

/** Columns of `t` per row (1 for a rank-1 tensor, the product of the other dims otherwise). */
function width(t: TensorView): number {
  let w = 1;
  for (let i = 1; i < t.dims.length; i++) w *= t.dims[i];
  return w;
}

/** Names of `t`'s columns: the configured ones when they fit, else `<name>` (one column) or `<name>[i]`. */
export function columnNames(t: TensorView, configured: readonly string[] | undefined): string[] {
  const w = width(t);
  if (configured && configured.length === w) return [...configured];
  if (w === 1) return [t.name];
  return Array.from({ length: w }, (_, i) => `${t.name}[${i}]`);
}

/**
 * The inputs of one call as features. A single numeric input is passed as a tensor (no copy);
 * several inputs, or non-numeric ones, become columns (a strided copy per column).
 */
export function tensorFeatures(
  inputs: readonly TensorView[],
  names: (input: string) => readonly string[] | undefined,
): FeatureInput | undefined {
  const usable = inputs.filter((t) => t.dims.length >= 1 && t.dims.length <= 2 && t.data.length > 0);
  if (usable.length === 0) return undefined;
  if (usable.length === 1 && isNumeric(usable[0].type)) {
    const t = usable[0];
    const tensor: TensorInput = {
      data: toNumbers(t.data),
      shape: [t.dims[0], width(t)],
      columns: columnNames(t, names(t.name)),
    };
    return tensor;
  }
  const columns: ColumnsInput = {};
  for (const t of usable) {
    const w = width(t);
    const cols = columnNames(t, names(t.name));
    const numeric = isNumeric(t.type);
    for (let c = 0; c < w; c++) {
      const out: unknown[] = new Array(t.dims[0]);
      for (let r = 0; r < t.dims[0]; r++) {
        const v = t.data[r * w + c];
        out[r] = numeric ? Number(v) : v;
      }
      columns[cols[c]] = out;
    }
  }
  return columns;
}

/**
 * An output as predictions: a float `[N, K≥2]` tensor is class probabilities; a float `[N]` or
 * `[N, 1]` one is regression values; an integer, string or boolean `[N]` one is predicted classes.
 */
export function tensorPredictions(
  t: TensorView,
  classNames: readonly string[] | undefined,
): PredictionOutputs | undefined {
  if (t.dims.length === 0 || t.dims.length > 2) return undefined;
  const rows = t.dims[0];
  const w = width(t);
  if (isFloat(t.type)) {
    if (w >= 2) {
      const names = classNames && classNames.length === w ? classNames : undefined;
      return {
        probabilities: { data: toNumbers(t.data), shape: [rows, w] },
        ...(names ? { classNames: names } : {}),
      };
    }
    return { values: toNumbers(t.data) };
  }
  if (w !== 1) return undefined;
  if (isNumeric(t.type)) {
    const values = toNumbers(t.data);
    const classes = Array.from({ length: rows }, (_, i) => {
      const k = values[i];
      return classNames?.[k] ?? String(k);
    });
    return { classes };
  }
  return { classes: t.data as ArrayLike<string | boolean> };
}

const FLOAT = new Set(['float16', 'float32', 'float64', 'float', 'double']);
const NUMERIC = new Set([
  ...FLOAT,
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'int',
]);

function isFloat(type: string): boolean {
  return FLOAT.has(type);
}

function isNumeric(type: string): boolean {
  return NUMERIC.has(type);
}

/** Numbers from any numeric array, BigInt64Array included (converted, precision beyond 2^53 lost). */
function toNumbers(data: ArrayLike<unknown>): ArrayLike<number> {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float64Array.from(data, Number);
  return data as ArrayLike<number>;
}
