import type { FeatureKind } from './types.js';

/** What inference decided for one column. */
export interface Inferred {
  /** The winning kind. */
  kind: FeatureKind;
  /** True when numbers count as categorical values (only when declared, never when inferred). */
  acceptNumbers: boolean;
}

/** True for typed arrays (not DataView): one contiguous numeric type. */
export function isTypedArray(v: unknown): v is ArrayLike<number> {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/**
 * Infers a column's kind: typed arrays are numeric; otherwise the majority among numbers
 * (and bigints), strings-or-booleans, and vectors (arrays / typed arrays) wins, ties in that
 * order; a string majority whose mean length exceeds `textThreshold` is text. Nulls and
 * other objects do not vote. An all-null column is numeric.
 */
export function inferKind(values: ArrayLike<unknown>, textThreshold: number): Inferred {
  if (isTypedArray(values)) return { kind: 'numeric', acceptNumbers: false };
  let numbers = 0;
  let strings = 0;
  let booleans = 0;
  let vectors = 0;
  let totalLength = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    switch (typeof v) {
      case 'number':
        if (!Number.isNaN(v)) numbers++;
        break;
      case 'bigint':
        numbers++;
        break;
      case 'string':
        strings++;
        totalLength += v.length;
        break;
      case 'boolean':
        booleans++;
        break;
      case 'object':
        if (v !== null && (Array.isArray(v) || isTypedArray(v))) vectors++;
        break;
    }
  }
  const categorical = strings + booleans;
  if (numbers >= categorical && numbers >= vectors) return { kind: 'numeric', acceptNumbers: false };
  if (categorical >= vectors) {
    const text = strings > 0 && totalLength / strings > textThreshold;
    return { kind: text ? 'text' : 'categorical', acceptNumbers: false };
  }
  return { kind: 'vector', acceptNumbers: false };
}
