import type { CategoricalOptions, CategoricalSummary } from './CategoricalSummary.js';
import type { NumericOptions, NumericSummary } from './NumericSummary.js';
import type { TextOptions, TextSummary } from './TextSummary.js';
import type { VectorOptions, VectorSummary } from './VectorSummary.js';

/** The four kinds of feature summary. */
export type FeatureKind = 'numeric' | 'categorical' | 'text' | 'vector';

/** Any feature summary, discriminated by `kind`. */
export type FeatureSummary = NumericSummary | CategoricalSummary | TextSummary | VectorSummary;

/** Summaries of one batch: the rows it had and one summary per feature. */
export interface BatchSummary {
  /** Rows in the batch (for columns, the longest column's length). */
  rows: number;
  /** Feature name → summary, in first-seen order. */
  features: Map<string, FeatureSummary>;
}

/** A declared feature: its kind alone, or its kind with that kind's parameters. */
export type FeatureSpec =
  | FeatureKind
  | ({ kind: 'numeric' } & NumericOptions)
  | ({ kind: 'categorical' } & CategoricalOptions)
  | ({ kind: 'text' } & TextOptions)
  | ({ kind: 'vector' } & VectorOptions);

/** Column-oriented input: feature name → values (plain arrays or typed arrays). */
export type ColumnsInput = Record<string, ArrayLike<unknown>>;

/** Row-oriented input: one object per row. */
export type RowsInput = Record<string, unknown>[];

/** A row-major 2-D numeric tensor with named columns. */
export interface TensorInput {
  /** rows × cols values, row-major. */
  data: ArrayLike<number>;
  /** [rows, cols]. */
  shape: [number, number] | readonly [number, number];
  /** One name per column. */
  columns: string[];
}

/** Options of `summarize`: defaults for every feature plus a schema that overrides inference. */
export interface SummarizeOptions extends NumericOptions, CategoricalOptions {
  /** Declared features: kind (and parameters) instead of inference. */
  schema?: Record<string, FeatureSpec>;
  /** Inferred string columns whose mean length exceeds this are text, not categorical (default 64). */
  textLengthThreshold?: number;
  /** Code units hashed per text value (default 65536). */
  maxHashLength?: number;
}
