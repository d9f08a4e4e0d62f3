import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Finding, Incident } from '../../src/model/finding.js';
import { recordLabels, recordPredictions } from '../../src/sdk/index.js';
import {
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_PIPELINE_NAME,
} from '../../src/semconv/index.js';
import { MlSpanProcessor } from '../../src/stream/index.js';
import { rng } from '../analysis/fixtures.js';

const MIN = 60_000;
// In the past on any machine: processors drop spans from far in the future (clock skew guard).
const T0 = Date.UTC(2020, 0, 1);
const N = 200;

describe('delayed labels through MlSpanProcessor', () => {
  it('joins labels that arrive a window later and raises a performance incident when accuracy drops', async () => {
    const findings: Finding[] = [];
    const incidents: [string, Incident][] = [];
    const processor = new MlSpanProcessor({
      window: { lengthMs: MIN },
      meter: null,
      tracer: null,
      listener: {
        onFinding: (f) => findings.push(f),
        onIncident: (c, i) => incidents.push([c, structuredClone(i)]),
      },
    });
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop' }),
      spanProcessors: [processor],
    });
    const tracer = provider.getTracer('pipeline');
    const r = rng(5);
    const drop = 12;
    let previous: { ids: string[]; truth: string[] } | undefined;
    for (let w = 0; w < 16; w++) {
      const end = T0 + w * MIN + 30_000;
      // This window's predictions: the model is right 90% of the time, 60% from `drop` on.
      const ids = Array.from({ length: N }, (_, i) => `w${w}-${i}`);
      const predicted = ids.map(() => (r() < 0.5 ? 'churn' : 'stay'));
      const accuracy = w >= drop ? 0.6 : 0.9;
      const truth = predicted.map((p) => (r() < accuracy ? p : p === 'churn' ? 'stay' : 'churn'));
      const score = tracer.startSpan('score', {
        startTime: end - 100,
        attributes: {
          [ATTR_ML_PIPELINE_NAME]: 'churn',
          [ATTR_ML_COMPONENT_NAME]: 'score',
          [ATTR_ML_MODEL_NAME]: 'gbm',
        },
      });
      recordPredictions({ classes: predicted }, { span: score, ids });
      score.end(end);
      // The labels of the previous window's predictions arrive now.
      if (previous) {
        const fb = tracer.startSpan('feedback', {
          startTime: end,
          attributes: { [ATTR_ML_PIPELINE_NAME]: 'churn', [ATTR_ML_COMPONENT_NAME]: 'feedback' },
        });
        recordLabels({ classes: previous.truth }, { span: fb, ids: previous.ids });
        fb.end(end + 10);
      }
      previous = { ids, truth };
    }
    await provider.shutdown();
    const stats = processor.analyzer.stats;
    assert.equal(stats.labelsJoined, 15 * N);
    assert.equal(stats.labelsUnmatched, 0);
    const perf = findings.filter((f) => f.detector === 'performance');
    assert.ok(perf.length > 0, `findings: ${findings.map((f) => `${f.detector}/${f.statistic}`)}`);
    // Labels of window `drop` arrive in window `drop + 1`: nothing earlier may be flagged.
    assert.ok(perf.every((f) => f.windowStartMs >= T0 + (drop + 1) * MIN));
    assert.equal(perf[0]!.stream.component, 'score', 'outcomes are judged on the predicting stream');
    const opened = incidents.filter(([c]) => c === 'opened').map(([, i]) => i);
    assert.equal(opened.length, 1);
    assert.ok(opened[0]!.openedAtMs <= T0 + (drop + 3) * MIN);
  });
});
