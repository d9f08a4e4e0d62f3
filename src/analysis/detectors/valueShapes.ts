/**
 * Shapes of categorical values that change what a comparison means. A column of dates or
 * timestamps takes a new value every day by construction: in a time-ordered stream its
 * "new categories" and its category mix always differ from any reference, which says nothing
 * about the data going wrong. Such columns are compared by the drift detectors only through
 * their null and invalid rates.
 */

const DATE = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const DAY_FIRST = /^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}([ T]\d{1,2}:\d{2}(:\d{2})?)?$/;
const MONTHS = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?';
const MONTH_FIRST = new RegExp(`^${MONTHS}[- ]\\d{1,2}(st|nd|rd|th)?,?([- ]\\d{2,4})?$`, 'i');
const DAY_MONTH = new RegExp(`^\\d{1,2}[- ]${MONTHS}([- ,]+\\d{2,4})?$`, 'i');

/** Whether one value reads as a calendar date or timestamp. */
export function isDateLike(value: string): boolean {
  const v = value.trim();
  return DATE.test(v) || DAY_FIRST.test(v) || MONTH_FIRST.test(v) || DAY_MONTH.test(v);
}

/** Whether at least 90% of `values` (and at least 3) read as dates: a date-like column. */
export function looksLikeDates(values: readonly string[]): boolean {
  if (values.length < 3) return false;
  let dates = 0;
  for (const v of values) if (isDateLike(v)) dates++;
  return dates >= 0.9 * values.length;
}
