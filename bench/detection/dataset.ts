/**
 * What the benchmark needs from a table: named numeric and categorical columns, a way to
 * draw a window of rows, and which columns the single-feature shifts hit. Numeric nulls are
 * NaN (which `summarize` counts as null), categorical nulls are `null`.
 */
import type { Random } from './Random.js';

/** One window (or reference sample) of rows, column by column. */
export interface Batch {
  /** Rows. */
  n: number;
  /** Numeric columns; NaN is a null. */
  numeric: Record<string, Float64Array>;
  /** Categorical columns. */
  categorical: Record<string, (string | null)[]>;
}

/** A table the benchmark draws windows from. */
export interface Dataset {
  /** Short name used in tables and seeds. */
  readonly name: string;
  /** Where it comes from, for the report. */
  readonly description: string;
  /** Numeric feature names. */
  readonly numeric: readonly string[];
  /** Categorical feature names (the class column is one of them). */
  readonly categorical: readonly string[];
  /** Categorical column whose prior the knockout shift changes. */
  readonly classColumn: string;
  /** Numeric column hit by the unit change, null injection and stuck-value shifts. */
  readonly shiftNumeric: string;
  /** Categorical column whose most frequent category gets renamed. */
  readonly shiftCategorical: string;
  /** Long-tailed categorical column that the new-category faults hit (default: `shiftCategorical`). */
  readonly longTail?: string;
  /** Categorical columns the KS reference method cannot rank-code (ID-, date-like, long-tailed). */
  readonly ksExclude?: readonly string[];
  /** Rows of each reference sample, when the table sets its own (default: the plan's). */
  readonly referenceRows?: number;
  /**
   * Draws `n` rows. `accept`, when given, is asked once per candidate row with its class value
   * and may refuse it (rejection sampling, for class-prior shifts).
   */
  sample(n: number, rng: Random, accept?: (classValue: string | null) => boolean): Batch;
}

/** A deep copy, so a shift never alters the rows another method sees. */
export function cloneBatch(b: Batch): Batch {
  const numeric: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(b.numeric)) numeric[k] = v.slice();
  const categorical: Record<string, (string | null)[]> = {};
  for (const [k, v] of Object.entries(b.categorical)) categorical[k] = v.slice();
  return { n: b.n, numeric, categorical };
}
