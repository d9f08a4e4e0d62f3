/**
 * Turns model outputs into the columns that get summarised (`class`, `confidence`, `entropy`,
 * `score.<class>` for small class counts, or `value` for regression) and the per-row values of
 * the join arrays. Derived numeric columns are Float64Arrays with NaN for a missing value (the
 * summaries count NaN as null), so a 100k-row batch costs no per-value allocation. Pure; a
 * malformed container throws `RecordInputError` naming what was wrong, which the record
 * functions count and report instead of letting it reach the user's program.
 */
import {
  ML_PREDICTION_TASK_VALUE_CLASSIFICATION,
  ML_PREDICTION_TASK_VALUE_REGRESSION,
} from '../semconv/index.js';
import type { PredictionOutputs, Tensor2D } from './types.js';

/** Bad input to a record function; caught by the SDK, never surfaced to the user's program. */
export class RecordInputError extends Error {
  override readonly name = 'RecordInputError';
}

/** Summary columns plus per-row join values derived from one batch of outputs. */
export interface PredictionColumns {
  /** `classification` or `regression`. */
  task: typeof ML_PREDICTION_TASK_VALUE_CLASSIFICATION | typeof ML_PREDICTION_TASK_VALUE_REGRESSION;
  /** Rows in the batch. */
  rows: number;
  /** Columns to summarise. */
  columns: Record<string, ArrayLike<unknown>>;
  /** Feature kinds of the columns (class is categorical even when class names look numeric). */
  kinds: Record<string, 'numeric' | 'categorical'>;
  /** Predicted class per row (classification); null when the row was unusable. */
  classes?: (string | null)[];
  /** Score per row: positive-class probability (binary) or predicted-class probability; NaN when unusable. */
  scores?: Float64Array;
  /** Regression output per row, as given (the summaries count non-numbers as invalid). */
  values?: ArrayLike<unknown>;
}

/** Default largest class count that still gets one score distribution per class. */
export const DEFAULT_MAX_SCORE_CLASSES = 10;

/** Derives summary columns and join values from `outputs`. */
export function predictionColumns(outputs: PredictionOutputs, maxScoreClasses: number): PredictionColumns {
  if (outputs === null || typeof outputs !== 'object') {
    throw new RecordInputError('outputs must be an object with probabilities, classes or values');
  }
  if ('probabilities' in outputs) {
    return fromProbabilities(outputs.probabilities, outputs.classNames, maxScoreClasses);
  }
  if ('classes' in outputs) {
    const classes = labelStrings(outputs.classes, 'outputs.classes');
    return {
      task: ML_PREDICTION_TASK_VALUE_CLASSIFICATION,
      rows: classes.length,
      columns: { class: classes },
      kinds: { class: 'categorical' },
      classes,
    };
  }
  if ('values' in outputs) {
    const values = arrayLike(outputs.values, 'outputs.values');
    return {
      task: ML_PREDICTION_TASK_VALUE_REGRESSION,
      rows: values.length,
      columns: { value: values },
      kinds: { value: 'numeric' },
      values,
    };
  }
  throw new RecordInputError('outputs must have one of probabilities, classes or values');
}

/** Class labels as strings (null for missing), validating the container. */
export function labelStrings(labels: unknown, where: string): (string | null)[] {
  const arr = arrayLike(labels, where);
  const out: (string | null)[] = [];
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    out.push(v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : String(v));
  }
  return out;
}

/** `x` as an array-like, or a `RecordInputError` naming `where`. */
export function arrayLike(x: unknown, where: string): ArrayLike<unknown> {
  if (
    x === null ||
    x === undefined ||
    typeof x === 'string' ||
    typeof (x as { length?: unknown }).length !== 'number'
  ) {
    throw new RecordInputError(`${where} must be an array or typed array`);
  }
  return x as ArrayLike<unknown>;
}

function fromProbabilities(
  probabilities: ArrayLike<ArrayLike<number>> | Tensor2D,
  classNames: readonly string[] | undefined,
  maxScoreClasses: number,
): PredictionColumns {
  const { rows, cols, at } = matrix(probabilities);
  if (cols < 1 && rows > 0) throw new RecordInputError('outputs.probabilities has no class columns');
  if (classNames !== undefined && classNames.length !== cols) {
    throw new RecordInputError(
      `outputs.classNames has ${classNames.length} names but probabilities have ${cols} columns`,
    );
  }
  const names = classNames ? classNames.map(String) : Array.from({ length: cols }, (_, j) => String(j));
  const classes: (string | null)[] = [];
  const confidence = new Float64Array(rows);
  const entropy = new Float64Array(rows);
  const scores = new Float64Array(rows);
  const perClass = cols <= maxScoreClasses ? names.map(() => new Float64Array(rows)) : [];
  for (let i = 0; i < rows; i++) {
    let best = -1;
    let bestP = -1;
    let h = 0;
    let valid = true;
    for (let j = 0; j < cols; j++) {
      const p = at(i, j);
      const ok = typeof p === 'number' && p >= 0 && p <= 1; // false for NaN too
      if (perClass.length > 0) perClass[j][i] = ok ? p : Number.NaN;
      if (!ok) {
        valid = false;
        continue;
      }
      if (p > bestP) {
        bestP = p;
        best = j;
      }
      if (p > 0) h -= p * Math.log(p);
    }
    classes.push(valid ? names[best] : null);
    confidence[i] = valid ? bestP : Number.NaN;
    entropy[i] = valid ? h : Number.NaN;
    scores[i] = valid ? (cols === 2 ? at(i, 1) : bestP) : Number.NaN;
  }
  const columns: PredictionColumns['columns'] = { class: classes, confidence, entropy };
  const kinds: PredictionColumns['kinds'] = {
    class: 'categorical',
    confidence: 'numeric',
    entropy: 'numeric',
  };
  for (let j = 0; j < perClass.length; j++) {
    columns[`score.${names[j]}`] = perClass[j];
    kinds[`score.${names[j]}`] = 'numeric';
  }
  return { task: ML_PREDICTION_TASK_VALUE_CLASSIFICATION, rows, columns, kinds, classes, scores };
}

function matrix(p: unknown): { rows: number; cols: number; at: (i: number, j: number) => number } {
  if (p !== null && typeof p === 'object' && 'shape' in p && 'data' in p) {
    const t = p as Tensor2D;
    const shape = Array.from(t.shape ?? []);
    if (shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new RecordInputError(
        `outputs.probabilities.shape must be [rows, classes], got ${JSON.stringify(shape)}`,
      );
    }
    const [rows, cols] = shape;
    const data = arrayLike(t.data, 'outputs.probabilities.data') as ArrayLike<number>;
    if (data.length !== rows * cols) {
      throw new RecordInputError(
        `outputs.probabilities.data has ${data.length} values, shape ${rows}x${cols} needs ${rows * cols}`,
      );
    }
    return { rows, cols, at: (i, j) => data[i * cols + j] };
  }
  const outer = arrayLike(p, 'outputs.probabilities') as ArrayLike<ArrayLike<number>>;
  const rows = outer.length;
  const cols = rows > 0 ? arrayLike(outer[0], 'outputs.probabilities[0]').length : 0;
  for (let i = 0; i < rows; i++) {
    const row = arrayLike(outer[i], `outputs.probabilities[${i}]`);
    if (row.length !== cols) {
      throw new RecordInputError(`outputs.probabilities[${i}] has ${row.length} classes, row 0 has ${cols}`);
    }
  }
  return { rows, cols, at: (i, j) => outer[i][j] };
}
