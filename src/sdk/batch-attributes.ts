/** Writes `ml.batch.rows` and `ml.batch.id`, the attributes every record function adds. */
import { ATTR_ML_BATCH_ID, ATTR_ML_BATCH_ROWS } from '../semconv/index.js';
import type { SpanLike } from './types.js';

/** Sets the batch size and, when given, the batch id on `span`. */
export function setBatchAttributes(span: SpanLike, rows: number, batchId: string | undefined): void {
  span.setAttribute(ATTR_ML_BATCH_ROWS, rows);
  if (typeof batchId === 'string' && batchId !== '') span.setAttribute(ATTR_ML_BATCH_ID, batchId);
}
