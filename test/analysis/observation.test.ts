import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Analyzer } from '../../src/analysis/Analyzer.js';
import type { Detector, WindowData } from '../../src/analysis/detectors/detector.js';
import { extractObservation } from '../../src/analysis/observation.js';
import {
  ATTR_ML_BATCH_ROWS,
  ATTR_ML_IO_INPUTS,
  ATTR_ML_IO_OUTPUTS,
  ATTR_ML_MODEL_TRAINED_AT,
  ATTR_ML_PREDICTION_CLASS,
  ATTR_ML_PREDICTION_ID,
  ATTR_ML_PREDICTION_SCORE,
  ATTR_ML_SAMPLING_SKIPPED_ERRORS,
  ATTR_ML_SAMPLING_SKIPPED_ROWS,
  ATTR_ML_SAMPLING_SKIPPED_RUNS,
  ATTR_ML_SUMMARY_SKETCH,
} from '../../src/semconv/index.js';
import { componentSpan } from './fixtures.js';

describe('extractObservation', () => {
  it('reads the stream key, rows, model age, io references and summaries of a component run', () => {
    const span = componentSpan({
      endMs: 10_000,
      durationMs: 250,
      service: 'shop',
      pipeline: 'churn',
      component: 'score',
      model: 'gbm',
      features: { x: [1, 2, 3], c: ['a', 'b', null] },
      predictions: { score: [0.1, 0.9, 0.5] },
      attributes: {
        [ATTR_ML_MODEL_TRAINED_AT]: '2026-01-01T00:00:00Z',
        [ATTR_ML_IO_INPUTS]: ['table:features', ''],
        [ATTR_ML_IO_OUTPUTS]: ['table:scores'],
      },
    });
    const o = extractObservation(span);
    assert.deepEqual(o.stream, { service: 'shop', pipeline: 'churn', component: 'score', model: 'gbm' });
    assert.equal(o.durationMs, 250);
    assert.equal(o.rows, 3, 'rows fall back to the feature summary when ml.batch.rows is absent');
    assert.equal(o.modelTrainedAtMs, Date.UTC(2026, 0, 1));
    assert.deepEqual(o.inputs, ['table:features']);
    assert.deepEqual(o.outputs, ['table:scores']);
    assert.deepEqual([...(o.features?.features.keys() ?? [])], ['x', 'c']);
    assert.equal(o.features?.features.get('c')?.nullCount, 1);
    assert.deepEqual([...(o.predictions?.features.keys() ?? [])], ['score']);
    assert.deepEqual(o.decodeErrors, []);
  });

  it('prefers ml.batch.rows and reads a per-request prediction', () => {
    const span = componentSpan({
      endMs: 1,
      attributes: {
        [ATTR_ML_BATCH_ROWS]: 1000,
        [ATTR_ML_PREDICTION_ID]: 'req-1',
        [ATTR_ML_PREDICTION_CLASS]: 'churn',
        [ATTR_ML_PREDICTION_SCORE]: 0.8,
      },
    });
    const o = extractObservation(span);
    assert.equal(o.rows, 1000);
    assert.deepEqual(o.predictionSamples, [
      { id: 'req-1', predictedClass: 'churn', score: 0.8, task: 'classification' },
    ]);
  });

  it('reports a corrupt summary event and still uses the rest of the span', () => {
    const span = componentSpan({ endMs: 1, features: { x: [1, 2] }, predictions: { p: [0.5] } });
    const features = span.events.find((e) => e.name === 'ml.features')!;
    features.attributes[ATTR_ML_SUMMARY_SKETCH] = ['AAAA'];
    const o = extractObservation(span);
    assert.equal(o.features, undefined);
    assert.equal(o.decodeErrors.length, 1);
    assert.match(o.decodeErrors[0]!, /^ml\.features: /);
    assert.ok(o.predictions?.features.has('p'));
    assert.ok(o.stream);
  });
});

describe('input staleness', () => {
  it('counts the runs a sampled instrumentation skipped, with their rows and errors, in the window', () => {
    const seen: WindowData[] = [];
    const spy: Detector = {
      id: 'spy',
      detect: (_r, w) => {
        seen.push(w);
        return [];
      },
    };
    const a = new Analyzer({ window: { lengthMs: 60_000 }, detectors: [spy], reference: { windows: 1 } });
    const skipped = (runs: number, rows: number | string, errors: number) => ({
      [ATTR_ML_BATCH_ROWS]: 10,
      [ATTR_ML_SAMPLING_SKIPPED_RUNS]: runs,
      [ATTR_ML_SAMPLING_SKIPPED_ROWS]: rows,
      [ATTR_ML_SAMPLING_SKIPPED_ERRORS]: errors,
    });
    // The first window is the reference; the second is judged.
    a.ingest(componentSpan({ endMs: 1_000, component: 'score' }));
    a.ingest(
      componentSpan({ endMs: 61_000, durationMs: 2, component: 'score', attributes: skipped(0, 0, 0) }),
    );
    a.ingest(
      componentSpan({ endMs: 62_000, durationMs: 4, component: 'score', attributes: skipped(99, 990, 3) }),
    );
    // Nonsense counts count nothing; errors never exceed the runs they are among.
    a.ingest(
      componentSpan({ endMs: 63_000, durationMs: 6, component: 'score', attributes: skipped(-5, 'x', 1) }),
    );
    a.ingest(
      componentSpan({ endMs: 64_000, durationMs: 8, component: 'score', attributes: skipped(2, 20, 7) }),
    );
    a.flush();
    const w = seen.find((x) => x.stream.component === 'score' && x.startMs >= 60_000);
    assert.ok(w);
    assert.equal(w.runs, 4 + 99 + 2);
    assert.equal(w.rows, 40 + 990 + 20);
    assert.equal(w.errorRuns, 3 + 2);
    assert.equal(w.durationMs?.count, 4, 'durations come from the recorded runs only');
  });

  it('tells a window when each of its inputs was last written by an upstream run', () => {
    const seen: WindowData[] = [];
    const spy: Detector = {
      id: 'spy',
      detect: (_r, w) => {
        seen.push(w);
        return [];
      },
    };
    const a = new Analyzer({ window: { lengthMs: 60_000 }, detectors: [spy], reference: { windows: 1 } });
    a.ingest(
      componentSpan({ endMs: 1_000, component: 'load', attributes: { [ATTR_ML_IO_OUTPUTS]: ['table:x'] } }),
    );
    a.ingest(
      componentSpan({ endMs: 2_000, component: 'train', attributes: { [ATTR_ML_IO_INPUTS]: ['table:x'] } }),
    );
    a.ingest(
      componentSpan({ endMs: 61_000, component: 'train', attributes: { [ATTR_ML_IO_INPUTS]: ['table:x'] } }),
    );
    a.flush();
    const w = seen.find((x) => x.stream.component === 'train');
    assert.ok(w);
    assert.deepEqual([...w.inputLastWrittenMs], [['table:x', 1_000]]);
  });
});
