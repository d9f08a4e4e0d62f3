/** Writes `ml.batch.rows` and `ml.batch.id`, the attributes every record function adds. */
import { ATTR_ML_BATCH_ID, ATTR_ML_BATCH_ROWS } from '../semconv/index.js';
import type { SpanLike } from './types.js';

/** Sets the batch size and the batch id on `span`, each only when given. */
export function setBatchAttributes(
  span: SpanLike,
  rows: number | undefined,
  batchId: string | undefined,
): void {
  if (rows !== undefined) span.setAttribute(ATTR_ML_BATCH_ROWS, rows);
  if (typeof batchId === 'string' && batchId !== '') span.setAttribute(ATTR_ML_BATCH_ID, batchId);
}
