/**
 * Thrown when bytes or an event cannot be turned back into a summary. The message names what
 * was wrong and where (byte offset, event and attribute) so a corrupt span can be traced back
 * to its producer; `code` lets callers tell decode failures apart from programming errors.
 */
export class SummaryDecodeError extends Error {
  /** Stable error code for catalogues and tests. */
  readonly code = 'MLOBS_ERR_SUMMARY_DECODE';

  /** @param message what was wrong and where it was found. */
  constructor(message: string) {
    super(message);
    this.name = 'SummaryDecodeError';
  }
}
