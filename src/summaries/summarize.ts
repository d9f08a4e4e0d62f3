import { CategoricalSummary } from './CategoricalSummary.js';
import { type Inferred, inferKind, isTypedArray } from './inferKind.js';
import { NumericSummary } from './NumericSummary.js';
import { TextSummary } from './TextSummary.js';
import type {
  BatchSummary,
  ColumnsInput,
  FeatureSpec,
  FeatureSummary,
  RowsInput,
  SummarizeOptions,
  TensorInput,
} from './types.js';
import { VectorSummary } from './VectorSummary.js';

/**
 * Summarizes one batch given as columns, rows or a 2-D tensor. Cells never make it throw:
 * missing values count as null, values of the wrong type as invalid (see README). Only a
 * malformed container (not an object, a tensor whose shape does not match) is an error.
 */
export function summarize(
  data: ColumnsInput | RowsInput | TensorInput,
  options: SummarizeOptions = {},
): BatchSummary {
  if (Array.isArray(data)) return summarizeColumns(rowsToColumns(data), data.length, options);
  if (data === null || typeof data !== 'object') {
    throw new TypeError(
      `summarize: data must be columns, rows or a tensor, got ${data === null ? 'null' : typeof data}`,
    );
  }
  if (isTensor(data)) return summarizeColumns(tensorToColumns(data), data.shape[0], options);
  const columns = data as ColumnsInput;
  let rows = 0;
  for (const [name, values] of Object.entries(columns)) {
    if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
      throw new TypeError(
        `summarize: column "${name}" must be an array or typed array, got ${typeof values}`,
      );
    }
    rows = Math.max(rows, values.length);
  }
  return summarizeColumns(columns, rows, options);
}

function isTensor(data: object): data is TensorInput {
  const t = data as Partial<TensorInput>;
  return (
    Array.isArray(t.shape) &&
    Array.isArray(t.columns) &&
    t.data !== undefined &&
    Object.keys(data).length === 3
  );
}

function summarizeColumns(columns: ColumnsInput, rows: number, options: SummarizeOptions): BatchSummary {
  const features = new Map<string, FeatureSummary>();
  for (const [name, values] of Object.entries(columns)) {
    const spec = options.schema?.[name];
    const summary = named(name, () =>
      spec === undefined ? inferred(values, options) : declared(spec, name, values, options),
    );
    // Shorter columns are padded: the missing tail is missing data, not absent data.
    summary.nullCount += rows - values.length;
    features.set(name, summary);
  }
  // Declared features absent from the batch are reported as all-null, which a schema check can see.
  for (const [name, spec] of Object.entries(options.schema ?? {})) {
    if (features.has(name)) continue;
    const summary = named(name, () => declared(spec, name, [], options));
    summary.nullCount += rows;
    features.set(name, summary);
  }
  return { rows, features };
}

/** Runs a feature's build, prefixing a parameter error with the feature it came from. */
function named(name: string, build: () => FeatureSummary): FeatureSummary {
  try {
    return build();
  } catch (err) {
    if (err instanceof RangeError) throw new RangeError(`summarize: feature "${name}": ${err.message}`);
    throw err;
  }
}

function inferred(values: ArrayLike<unknown>, options: SummarizeOptions): FeatureSummary {
  return build(inferKind(values, options.textLengthThreshold ?? 64), values, options, {});
}

function declared(spec: FeatureSpec, name: string, values: ArrayLike<unknown>, options: SummarizeOptions) {
  const specObj = typeof spec === 'string' ? { kind: spec } : spec;
  if (!['numeric', 'categorical', 'text', 'vector'].includes(specObj.kind)) {
    throw new TypeError(
      `summarize: schema.${name}.kind must be numeric, categorical, text or vector, got ${specObj.kind}`,
    );
  }
  return build({ kind: specObj.kind, acceptNumbers: true }, values, options, specObj);
}

function build(
  inf: Inferred,
  values: ArrayLike<unknown>,
  defaults: SummarizeOptions,
  spec: object,
): FeatureSummary {
  const o = { ...defaults, schema: undefined, ...spec };
  switch (inf.kind) {
    case 'numeric': {
      const s = new NumericSummary(o);
      if (isTypedArray(values) && !(values instanceof BigInt64Array || values instanceof BigUint64Array)) {
        s.addNumbers(values);
      } else {
        s.addValues(values);
      }
      return s;
    }
    case 'categorical': {
      const s = new CategoricalSummary(o);
      s.addValues(values, inf.acceptNumbers);
      return s;
    }
    case 'text': {
      const s = new TextSummary(o);
      s.addValues(values);
      return s;
    }
    case 'vector': {
      const s = new VectorSummary(o);
      s.addValues(values);
      return s;
    }
  }
}

/** Stands for a cell of a row that was not an object: invalid for every kind. */
const BAD_ROW = Symbol('bad row');

/** Rows → columns over the union of keys; a missing key is undefined (null); a non-object row is invalid everywhere. */
function rowsToColumns(rows: RowsInput): ColumnsInput {
  const columns: Record<string, unknown[]> = {};
  const badRows: number[] = [];
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      badRows.push(r);
      for (const col of Object.values(columns)) col[r] = BAD_ROW;
      continue;
    }
    for (const key in row) {
      let col = columns[key];
      if (col === undefined) {
        col = new Array(rows.length).fill(undefined);
        for (const b of badRows) col[b] = BAD_ROW;
        columns[key] = col;
      }
      col[r] = row[key];
    }
  }
  return columns;
}

/** Tensor → columns (strided copy); validates shape against data length and column names. */
function tensorToColumns(t: TensorInput): ColumnsInput {
  const [rows, cols] = t.shape;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new TypeError(
      `summarize: tensor shape must be two non-negative integers, got [${t.shape.join(', ')}]`,
    );
  }
  if (t.data.length !== rows * cols) {
    throw new TypeError(
      `summarize: tensor data has ${t.data.length} values but shape [${rows}, ${cols}] needs ${rows * cols}`,
    );
  }
  if (t.columns.length !== cols) {
    throw new TypeError(`summarize: tensor has ${cols} columns but ${t.columns.length} column names`);
  }
  const typed = isTypedArray(t.data);
  const out: ColumnsInput = {};
  for (let c = 0; c < cols; c++) {
    const col = typed ? new Float64Array(rows) : new Array<unknown>(rows);
    for (let r = 0; r < rows; r++) col[r] = t.data[r * cols + c];
    out[t.columns[c]] = col;
  }
  return out;
}
