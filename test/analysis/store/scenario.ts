/**
 * A deterministic pipeline stream for persistence tests: a `featurize` component whose
 * `monthly_spend` turns 30% null and shifts from window 10, a `score` component whose
 * predictions carry ids, and label spans that arrive two windows after their prediction,
 * so a restart falls between predictions and their labels.
 */
import type { AnalysisListener } from '../../../src/analysis/AnalysisListener.js';
import { createDetectors } from '../../../src/analysis/detectors/index.js';
import type { AnalysisStore } from '../../../src/analysis/store/AnalysisStore.js';
import { DurableAnalyzer } from '../../../src/analysis/store/DurableAnalyzer.js';
import { InMemoryAnalysisStore } from '../../../src/analysis/store/InMemoryAnalysisStore.js';
import type { Finding, Incident } from '../../../src/model/finding.js';
import type { SpanRecord } from '../../../src/model/spanRecord.js';
import {
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_LABEL_CLASS,
  ATTR_ML_PREDICTION_CLASS,
  ATTR_ML_PREDICTION_ID,
} from '../../../src/semconv/index.js';
import { componentSpan, hexId, normals, rng, withNulls } from '../fixtures.js';

/** One minute, the window length. */
export const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);

let cached: SpanRecord[][] | undefined;

/** The default scenario, built once per test file (spans are not modified by the analysis). */
export function scenario(): SpanRecord[][] {
  cached ??= buildScenario(16, 3);
  return cached;
}

let straight: RunResult | undefined;

/** The uninterrupted run on the in-memory store, computed once per test file. */
export function straightRun(): RunResult {
  straight ??= run(() => new InMemoryAnalysisStore(), 0);
  return straight;
}

/** Spans in batches of `perBatch`, in end-time order. */
export function buildScenario(windows: number, perBatch: number): SpanRecord[][] {
  const r = rng(11);
  const spans: SpanRecord[] = [];
  const plans = ['basic', 'plus', 'pro'];
  for (let w = 0; w < windows; w++)
    for (let b = 0; b < 4; b++) {
      const end = T0 + w * MIN + b * (MIN / 4) + 500;
      const bad = w >= 10;
      spans.push(
        componentSpan({
          endMs: end,
          features: {
            tenure: normals(120, r, 24, 6),
            monthly_spend: withNulls(normals(120, r, bad ? 80 : 50, 10), bad ? 0.3 : 0),
            plan: Array.from({ length: 120 }, () => plans[Math.floor(r() * 3)]!),
          },
        }),
      );
      const id = `req-${w}-${b}`;
      const s = componentSpan({ endMs: end + 100, component: 'score', model: 'churn-v1' });
      s.attributes[ATTR_ML_PREDICTION_ID] = id;
      s.attributes[ATTR_ML_PREDICTION_CLASS] = r() < 0.5 ? 'stay' : 'churn';
      spans.push(s);
      if (w >= 2) {
        const label: SpanRecord = {
          ...componentSpan({ endMs: end + 200 }),
          attributes: {
            [ATTR_ML_PREDICTION_ID]: `req-${w - 2}-${b}`,
            [ATTR_ML_LABEL_CLASS]: r() < 0.5 ? 'stay' : 'churn',
          },
          spanId: hexId(16),
        };
        delete label.attributes[ATTR_ML_COMPONENT_NAME];
        spans.push(label);
      }
    }
  const out: SpanRecord[][] = [];
  for (let i = 0; i < spans.length; i += perBatch) out.push(spans.slice(i, i + perBatch));
  return out;
}

/** What a run reports. */
export interface RunResult {
  findings: string[];
  incidents: string[];
  labelsJoined: number;
  windowsClosed: number;
}

/** A listener recording findings and incident changes as comparable strings. */
export function recorder(): { listener: AnalysisListener; findings: Finding[]; incidents: string[] } {
  const findings: Finding[] = [];
  const incidents: string[] = [];
  return {
    findings,
    incidents,
    listener: {
      onFinding: (f) => findings.push(f),
      onIncident: (c, i: Incident) => incidents.push(`${c} ${JSON.stringify(i)}`),
    },
  };
}

/** Builds a DurableAnalyzer with the scenario's settings. */
export function durable(store: AnalysisStore, listener: AnalysisListener): DurableAnalyzer {
  return new DurableAnalyzer(
    { window: { lengthMs: MIN }, detectors: createDetectors(), reference: { windows: 5 }, listener },
    store,
  );
}

/**
 * Runs the scenario; `restartEvery` batches the analyzer is dropped and rebuilt from
 * `reopen()` (0: never). Ends with a flush.
 */
export function run(openStore: () => AnalysisStore, restartEvery: number, batches = scenario()): RunResult {
  const rec = recorder();
  let store = openStore();
  let d = durable(store, rec.listener);
  batches.forEach((batch, i) => {
    if (restartEvery > 0 && i > 0 && i % restartEvery === 0) {
      store = openStore();
      d = durable(store, rec.listener);
    }
    d.apply((a) => {
      for (const s of batch) a.ingest(s);
    });
  });
  d.apply((a) => a.flush());
  return {
    // Whole findings: values, thresholds, p-values, exemplars and details must all survive a restart.
    findings: rec.findings.map((f) => JSON.stringify(f)),
    incidents: rec.incidents,
    labelsJoined: d.analyzer.stats.labelsJoined,
    windowsClosed: d.analyzer.stats.windowsClosed,
  };
}
