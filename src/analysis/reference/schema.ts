/**
 * Schema learned from reference summaries: what kind each feature is, whether nulls occur,
 * the numeric range seen and the categories seen. A user schema (or a profile's) overrides
 * field by field, so declaring only `nullable: true` keeps the learned range.
 */
import type { FeatureSummary } from '../../summaries/index.js';
import type { FeatureSchema } from '../detectors/detector.js';

/** Learns one feature's schema from its reference summary. */
export function learnFeatureSchema(s: FeatureSummary): FeatureSchema {
  const out: FeatureSchema = { kind: s.kind, nullable: s.nullCount > 0 };
  if (s.kind === 'numeric' && s.count > 0) {
    out.min = s.min;
    out.max = s.max;
  } else if (s.kind === 'categorical') {
    out.categories = s.top().map((t) => t.value);
  }
  return out;
}

/** Learns a schema for every feature and applies overrides (a partial schema per feature). */
export function learnSchema(
  features: ReadonlyMap<string, FeatureSummary>,
  ...overrides: (ReadonlyMap<string, Partial<FeatureSchema>> | undefined)[]
): Map<string, FeatureSchema> {
  const out = new Map<string, FeatureSchema>();
  for (const [name, s] of features) out.set(name, learnFeatureSchema(s));
  for (const o of overrides) {
    if (!o) continue;
    for (const [name, partial] of o) {
      const base = out.get(name);
      const merged = { ...base, ...stripUndefined(partial) };
      // A declared feature the reference never saw still needs a kind to be usable.
      if (merged.kind === undefined) continue;
      out.set(name, { nullable: false, ...merged } as FeatureSchema);
    }
  }
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
