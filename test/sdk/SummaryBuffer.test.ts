import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { component } from '../../src/sdk/component.js';
import { sampleJoinRows } from '../../src/sdk/joinSampler.js';
import { configurePrivacy } from '../../src/sdk/privacy.js';
import { recordFeatures } from '../../src/sdk/recordFeatures.js';
import {
  ATTR_ML_BATCH_ID,
  ATTR_ML_BATCH_ROWS,
  ATTR_ML_PREDICTION_CLASSES,
  ATTR_ML_PREDICTION_IDS,
  ATTR_ML_PREDICTION_SCORES,
  EVENT_ML_FEATURES,
  EVENT_ML_PREDICTIONS,
} from '../../src/semconv/index.js';
import { decodeSummaryEvents, type NumericSummary } from '../../src/summaries/index.js';
import { eventsNamed, SpanHarness } from './spanHarness.js';

// These tests are about join sampling, so ids stay raw here; the default (keyed hashes) is
// tested in privacy.test.ts.
configurePrivacy({ ids: 'raw' });

describe('summaries recorded in several batches', () => {
  const h = new SpanHarness();
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer(
    't',
  );
  beforeEach(() => {
    h.install();
    exporter.reset();
  });
  afterEach(() => h.uninstall());

  it('merges the mini-batches of one component run into one event per kind with the totals', () => {
    const all = Array.from({ length: 300 }, (_, i) => (i % 17 === 0 ? null : Math.sin(i) * 50));
    const cities = Array.from({ length: 300 }, (_, i) => ['a', 'b', 'c'][i % 3]);
    component('ingest', { tracer }, (run) => {
      for (let start = 0; start < 300; start += 100) {
        run.recordFeatures({ x: all.slice(start, start + 100), city: cities.slice(start, start + 100) });
      }
    });
    const span = exporter.getFinishedSpans()[0];
    const events = eventsNamed(span, EVENT_ML_FEATURES);
    assert.equal(events.length, 2, 'numeric and categorical, once each');
    assert.equal(span.attributes[ATTR_ML_BATCH_ROWS], 300);
    const batch = decodeSummaryEvents(events);
    const x = batch.features.get('x') as NumericSummary;
    const finite = all.filter((v): v is number => v !== null);
    assert.equal(x.count, finite.length);
    assert.equal(x.nullCount, 300 - finite.length);
    assert.equal(x.min, Math.min(...finite));
    const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
    assert.ok(Math.abs(x.mean - mean) <= 1e-9 * Math.abs(mean));
    assert.equal(batch.features.get('city')?.count, 300);
  });

  it('keeps the join sample equal to bottom-k over all batches of the run', () => {
    component('score', { tracer }, (run) => {
      for (const b of ['b1', 'b2', 'b3']) {
        const probabilities = Array.from({ length: 100 }, (_, i) => [i / 100, 1 - i / 100]);
        run.recordPredictions(
          { probabilities, classNames: ['no', 'yes'] },
          { batchId: b, joinSampleSize: 40 },
        );
      }
    });
    const span = exporter.getFinishedSpans()[0];
    const events = eventsNamed(span, EVENT_ML_PREDICTIONS);
    const withIds = events.filter((e) => e.attributes[ATTR_ML_PREDICTION_IDS]);
    assert.equal(withIds.length, 1);
    const ids = withIds[0].attributes[ATTR_ML_PREDICTION_IDS] as string[];
    const union = ['b1', 'b2', 'b3'].flatMap((b) => Array.from({ length: 100 }, (_, i) => `${b}:${i}`));
    const expected = sampleJoinRows(union, 40).map((r) => union[r]);
    assert.deepEqual([...ids].sort(), [...expected].sort());
    const scores = withIds[0].attributes[ATTR_ML_PREDICTION_SCORES] as number[];
    const classes = withIds[0].attributes[ATTR_ML_PREDICTION_CLASSES] as string[];
    ids.forEach((id, k) => {
      const row = Number(id.split(':')[1]);
      assert.equal(scores[k], 1 - row / 100, `score of ${id} stays parallel`);
      assert.equal(classes[k], row / 100 > 1 - row / 100 ? 'no' : 'yes');
    });
    assert.equal(decodeSummaryEvents(events).features.get('class')?.count, 300);
    assert.equal(span.attributes[ATTR_ML_BATCH_ID], 'b3');
  });

  it('refuses a batch whose task contradicts an earlier one in the same run', () => {
    component('mixed', { tracer }, (run) => {
      run.recordPredictions({ classes: ['a', 'b'] });
      run.recordPredictions({ values: [1, 2] });
    });
    const span = exporter.getFinishedSpans()[0];
    const batch = decodeSummaryEvents(eventsNamed(span, EVENT_ML_PREDICTIONS));
    assert.deepEqual([...batch.features.keys()], ['class']);
    assert.match(
      h.warnings[0],
      /ml\.prediction\.task is regression but an earlier batch on this span had classification/,
    );
  });

  it('still attaches what a failing run recorded before it failed', () => {
    assert.throws(() =>
      component('crashes', { tracer }, (run) => {
        run.recordFeatures({ x: [1, 2, 3] });
        throw new Error('late failure');
      }),
    );
    const span = exporter.getFinishedSpans()[0];
    assert.equal(decodeSummaryEvents(eventsNamed(span, EVENT_ML_FEATURES)).features.get('x')?.count, 3);
  });

  it('on a span not started by component(), refuses a second batch naming the same feature', () => {
    const span = h.record((s) => {
      recordFeatures({ x: [1, 2] }, { span: s });
      recordFeatures({ x: [3] }, { span: s });
      recordFeatures({ y: [4] }, { span: s });
    });
    const batch = decodeSummaryEvents(eventsNamed(span, EVENT_ML_FEATURES));
    assert.equal(batch.features.get('x')?.count, 2);
    assert.equal(batch.features.get('y')?.count, 1);
    assert.match(h.warnings[0], /'x' was already recorded as ml\.features on this span/);
  });
});
