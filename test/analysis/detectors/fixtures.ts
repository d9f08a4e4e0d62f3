/** Hand-built references and windows for detector tests, from real `summarize()` summaries. */
import type {
  Calibration,
  FeatureSchema,
  Reference,
  WindowData,
} from '../../../src/analysis/detectors/detector.js';
import { summarize } from '../../../src/summaries/summarize.js';
import type { ColumnsInput, FeatureSummary, SummarizeOptions } from '../../../src/summaries/types.js';

export const STREAM = { service: 'svc', pipeline: 'p', component: 'model', model: 'm' };

/** Schema as a reference learns it: kind, nulls seen, numeric range, categories seen. */
export function schemaOf(features: Map<string, FeatureSummary>): Map<string, FeatureSchema> {
  const out = new Map<string, FeatureSchema>();
  for (const [name, s] of features) {
    const schema: FeatureSchema = { kind: s.kind, nullable: s.nullCount > 0 };
    if (s.kind === 'numeric' && s.count > 0) {
      schema.min = s.min;
      schema.max = s.max;
    }
    if (s.kind === 'categorical') schema.categories = s.top().map((t) => t.value);
    out.set(name, schema);
  }
  return out;
}

/** A reference from columns of training data. */
export function referenceOf(
  columns: ColumnsInput,
  extra: Partial<Reference> = {},
  predictions: ColumnsInput = {},
  options: SummarizeOptions = {},
): Reference {
  const batch = summarize(columns, options);
  return {
    source: 'profile',
    features: batch.features,
    predictions: Object.keys(predictions).length ? summarize(predictions, options).features : new Map(),
    schema: schemaOf(batch.features),
    calibration: new Map<string, Calibration>(),
    ...extra,
  };
}

/** A window from columns of current data. */
export function windowOf(
  columns: ColumnsInput,
  extra: Partial<WindowData> = {},
  predictions: ColumnsInput = {},
  options: SummarizeOptions = {},
): WindowData {
  const batch = summarize(columns, options);
  return {
    stream: STREAM,
    startMs: 1_700_000_000_000,
    endMs: 1_700_000_060_000,
    runs: 1,
    errorRuns: 0,
    durationMs: undefined,
    rows: batch.rows,
    features: batch.features,
    predictions: Object.keys(predictions).length ? summarize(predictions, options).features : new Map(),
    outcomes: undefined,
    modelTrainedAtMs: undefined,
    inputLastWrittenMs: new Map(),
    exemplarTraceIds: [],
    ...extra,
  };
}
