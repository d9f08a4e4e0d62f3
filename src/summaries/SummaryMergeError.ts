/**
 * Thrown when two summaries cannot be merged exactly (different kinds, or sketches built with
 * different accuracies or precisions). Merging them anyway would silently void the stated
 * error guarantees, so the caller has to choose what to do instead.
 */
export class SummaryMergeError extends Error {
  /** Stable error code for catalogues and tests. */
  readonly code = 'MLOBS_ERR_SUMMARY_MERGE';

  /** @param message which parameters differ, with both values. */
  constructor(message: string) {
    super(message);
    this.name = 'SummaryMergeError';
  }
}
