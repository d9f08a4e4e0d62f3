/**
 * A churn pipeline whose `score` step runs whichever model is current, shared by the
 * reaction tests in-process and through a collector. Its upstream sends 30% nulls in
 * monthly_spend during {@link FAULT}, in simulated time.
 */
import type { Tracer } from '@opentelemetry/api';
import { recordFeatures } from '../../src/sdk/index.js';
import {
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_PIPELINE_NAME,
} from '../../src/semconv/index.js';
import { normals, withNulls } from '../analysis/fixtures.js';

/** Window length. */
export const MIN = 60_000;
/** Start of simulated time (in the past: processors drop spans far in the future). */
export const T0 = Date.UTC(2020, 0, 1);
/** Component runs per window. */
export const BATCHES = 4;
/** Windows in which the upstream is broken. */
export const FAULT = { from: 8, until: 12 };
/** The pipeline's own model and the rule-based fallback the policy names. */
export const PRIMARY = 'churn-gbm';
/** See {@link PRIMARY}. */
export const FALLBACK = 'churn-rules-v1';

/** Runs window `w`; `currentModel` is asked before each batch. Returns the models the window used. */
export function runWindow(tracer: Tracer, w: number, currentModel: () => string, r: () => number): string {
  const models = new Set<string>();
  for (let b = 0; b < BATCHES; b++) {
    const end = T0 + w * MIN + b * (MIN / BATCHES) + 500;
    const model = currentModel();
    models.add(model);
    const span = tracer.startSpan('score', {
      startTime: end - 120,
      attributes: {
        [ATTR_ML_PIPELINE_NAME]: 'churn',
        [ATTR_ML_COMPONENT_NAME]: 'score',
        [ATTR_ML_MODEL_NAME]: PRIMARY,
        'app.model.in_use': model,
      },
    });
    const faulty = w >= FAULT.from && w < FAULT.until;
    recordFeatures(
      { tenure: normals(100, r, 24, 6), monthly_spend: withNulls(normals(100, r, 50, 10), faulty ? 0.3 : 0) },
      { span },
    );
    span.end(end);
  }
  return [...models].join('+');
}

/** The policy both tests configure: fall back while monthly_spend is broken. */
export const FALLBACK_POLICY = {
  name: 'fallback-on-broken-spend',
  when: { feature: 'monthly_spend', severity: 'warning' as const },
  actions: [{ type: 'fallback' as const, to: FALLBACK }],
};

/** Checks the models each window used: primary, then the fallback from soon after the fault until after it, then primary. */
export function checkSwitches(used: readonly string[]): string | undefined {
  const onFallback = used.map((m) => m.includes(FALLBACK));
  const first = onFallback.indexOf(true);
  const last = onFallback.lastIndexOf(true);
  const ok =
    first >= FAULT.from &&
    first <= FAULT.from + 2 &&
    last >= FAULT.until &&
    last < used.length - 1 &&
    used.slice(0, FAULT.from).every((m) => m === PRIMARY) &&
    used.slice(first + 1, last).every((m) => m === FALLBACK) &&
    used.at(-1) === PRIMARY;
  return ok ? undefined : `models used per window: ${used.join(' ')}`;
}
