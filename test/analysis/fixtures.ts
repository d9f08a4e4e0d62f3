/**
 * Builders for analysis tests: component-run SpanRecords whose summary events come from the
 * real summaries library, and a small null-rate detector so engine tests do not depend on
 * the detector set.
 */
import type { Candidate, Detector, Reference, WindowData } from '../../src/analysis/detectors/detector.js';
import type { PlainAttributes, SpanRecord } from '../../src/model/spanRecord.js';
import {
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_PIPELINE_NAME,
  EVENT_ML_FEATURES,
  EVENT_ML_PREDICTIONS,
} from '../../src/semconv/index.js';
import { encodeSummaryEvents, summarize } from '../../src/summaries/index.js';

let seq = 0;

/** A hex id of `digits` digits, unique per call. */
export function hexId(digits: number): string {
  seq++;
  return seq.toString(16).padStart(digits, '0');
}

/** Options of {@link componentSpan}. */
export interface SpanSpec {
  endMs: number;
  durationMs?: number;
  service?: string;
  pipeline?: string;
  component?: string;
  model?: string;
  features?: Record<string, ArrayLike<unknown>>;
  predictions?: Record<string, ArrayLike<unknown>>;
  attributes?: PlainAttributes;
  error?: boolean;
  traceId?: string;
}

/** A component-run span with summary events built from columns. */
export function componentSpan(spec: SpanSpec): SpanRecord {
  const events: SpanRecord['events'] = [];
  const add = (cols: Record<string, ArrayLike<unknown>> | undefined, name: string) => {
    if (!cols) return;
    for (const e of encodeSummaryEvents(summarize(cols), name))
      events.push({ name: e.name, timeMs: spec.endMs, attributes: e.attributes as PlainAttributes });
  };
  add(spec.features, EVENT_ML_FEATURES);
  add(spec.predictions, EVENT_ML_PREDICTIONS);
  const attributes: PlainAttributes = {
    [ATTR_ML_PIPELINE_NAME]: spec.pipeline ?? 'churn',
    [ATTR_ML_COMPONENT_NAME]: spec.component ?? 'featurize',
    ...(spec.model ? { [ATTR_ML_MODEL_NAME]: spec.model } : {}),
    ...spec.attributes,
  };
  return {
    traceId: spec.traceId ?? hexId(32),
    spanId: hexId(16),
    parentSpanId: '',
    name: 'run',
    startMs: spec.endMs - (spec.durationMs ?? 10),
    endMs: spec.endMs,
    status: spec.error ? 'error' : 'unset',
    resource: { 'service.name': spec.service ?? 'svc' },
    attributes,
    events,
    links: [],
  };
}

/** Deterministic pseudo-random numbers (mulberry32) so tests are reproducible. */
export { seededRandom as rng } from './stats/random.js';

/** Normal deviates by Box–Muller. */
export function normals(n: number, next: () => number, mean = 0, sd = 1): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = Math.max(next(), 1e-12);
    out.push(mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next()));
  }
  return out;
}

/**
 * Test-only detector: flags a feature whose null rate exceeds the reference's by more than
 * `margin`. It exists so engine tests exercise windows, references and incidents on their own.
 */
export class NullRateTestDetector implements Detector {
  readonly id = 'test_null_rate';
  constructor(
    private readonly margin = 0.1,
    private readonly pValue?: (ref: number, cur: number) => number,
  ) {}

  detect(reference: Reference, current: WindowData): Candidate[] {
    const out: Candidate[] = [];
    for (const [name, cur] of current.features) {
      const ref = reference.features.get(name);
      if (!ref) continue;
      const rate = (s: { count: number; nullCount: number }) =>
        s.nullCount / Math.max(1, s.count + s.nullCount);
      const r = rate(ref);
      const c = rate(cur);
      const anomalous = c - r > this.margin;
      out.push({
        feature: name,
        statistic: 'null_rate',
        value: c,
        threshold: r + this.margin,
        ...(this.pValue ? { pValue: this.pValue(r, c) } : {}),
        effectSize: c - r,
        anomalous,
        severity: c - r > 0.5 ? 'critical' : 'warning',
        referenceCount: ref.count + ref.nullCount,
        currentCount: cur.count + cur.nullCount,
        message: `${name} null rate ${c.toFixed(3)} vs ${r.toFixed(3)}`,
        details: {},
      });
    }
    return out;
  }
}

/** A column of `n` numbers of which a share `nullShare` (deterministically spread) is null. */
export function withNulls<T>(values: T[], nullShare: number): (T | null)[] {
  const every = nullShare > 0 ? 1 / nullShare : Number.POSITIVE_INFINITY;
  let next = every / 2;
  return values.map((v, i) => {
    if (i + 1 >= next) {
      next += every;
      return null;
    }
    return v;
  });
}
