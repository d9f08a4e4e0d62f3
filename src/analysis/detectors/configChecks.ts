/**
 * Range checks shared by the detectors' config resolvers, so that one kind of field is
 * accepted by one rule and refused with one wording in every detector. Each throws a
 * RangeError naming the detector's config path, the field and the value it got.
 */

/** A level or quantile strictly between 0 and 1 (alpha, latency's quantile). */
export function requireOpenUnit(path: string, name: string, value: number): void {
  if (!(value > 0 && value < 1)) throw new RangeError(`${path}: ${name} must be in (0, 1), got ${value}`);
}

/** A share of values or runs: above 0, at most 1. */
export function requireShare(path: string, name: string, value: number): void {
  if (!(value > 0 && value <= 1)) throw new RangeError(`${path}: ${name} must be in (0, 1], got ${value}`);
}

/** A finite number above 0 (floors, critical effects, calibration k). */
export function requirePositive(path: string, name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0))
    throw new RangeError(`${path}: ${name} must be a number > 0, got ${value}`);
}

/** A whole number of at least `min` (sample minimums, bins). */
export function requireWholeAtLeast(path: string, name: string, value: number, min: number): void {
  if (!(Number.isInteger(value) && value >= min))
    throw new RangeError(`${path}: ${name} must be an integer ≥ ${min}, got ${value}`);
}
