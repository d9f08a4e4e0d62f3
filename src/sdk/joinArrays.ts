/**
 * Builds the sampled parallel arrays of the delayed-label join (`ml.prediction.ids` with
 * classes/scores/values, `ml.label.ids` with classes/values). Only rows whose value is present
 * are eligible, so the arrays never hold null, NaN or Infinity (OTLP/JSON cannot carry them).
 */

import {
  batchRowIds,
  DEFAULT_JOIN_SAMPLE_SIZE,
  type IdSource,
  idsFrom,
  sampleJoinRows,
} from './joinSampler.js';
import { RecordInputError } from './predictionColumns.js';
import { exportedId, type PrivacyOptions } from './privacy.js';

/** Ids by row from explicit ids, or `${batchId}:${position}` (positions default to 0..n-1). */
export function rowIds(
  n: number,
  ids: ArrayLike<string> | undefined,
  batchId: string | undefined,
  rows: ArrayLike<number> | undefined,
  where: string,
): IdSource | undefined {
  if (ids !== undefined) {
    if (ids === null || typeof ids.length !== 'number' || ids.length !== n) {
      throw new RecordInputError(`${where}: options.ids must have one id per row (${n}), got ${ids?.length}`);
    }
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(String(ids[i]));
    return idsFrom(out);
  }
  if (batchId === undefined) return undefined;
  if (typeof batchId !== 'string' || batchId === '') {
    throw new RecordInputError(`${where}: options.batchId must be a non-empty string`);
  }
  if (rows !== undefined) {
    if (rows === null || typeof rows.length !== 'number' || rows.length !== n) {
      throw new RecordInputError(
        `${where}: options.rows must have one position per label (${n}), got ${rows?.length}`,
      );
    }
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      if (!Number.isSafeInteger(r) || r < 0) {
        throw new RecordInputError(`${where}: options.rows[${i}] must be a non-negative integer, got ${r}`);
      }
    }
    return batchRowIds(batchId, n, rows);
  }
  return batchRowIds(batchId, n);
}

/** The validated sample bound. */
export function sampleSize(k: number | undefined, where: string): number {
  if (k === undefined) return DEFAULT_JOIN_SAMPLE_SIZE;
  if (!Number.isInteger(k) || k < 0) {
    throw new RecordInputError(`${where}: options.joinSampleSize must be a non-negative integer, got ${k}`);
  }
  return k;
}

/**
 * Sampled join rows and their ids, restricted to rows where `present` holds. Rows are sampled by
 * the raw ids (so prediction and label batches sample the same rows); the ids that leave the
 * process are keyed hashes unless privacy says raw.
 */
export function joinArrays(
  ids: IdSource,
  k: number,
  present: (row: number) => boolean,
  privacy?: PrivacyOptions,
): { rows: number[]; ids: string[] } {
  const rows = sampleJoinRows(ids, k, present);
  return { rows, ids: rows.map((i) => exportedId(ids.id(i), privacy)) };
}

/** Row predicate: the value is a finite number (what a join array may carry). */
export function finiteAt(values: ArrayLike<unknown>): (row: number) => boolean {
  return (row) => {
    const v = values[row];
    return typeof v === 'number' && Number.isFinite(v);
  };
}
