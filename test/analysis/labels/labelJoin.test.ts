import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Analyzer } from '../../../src/analysis/Analyzer.js';
import type { Detector, JoinedOutcomes, Reference } from '../../../src/analysis/detectors/detector.js';
import { InMemoryLabelJoinStore } from '../../../src/analysis/labels/InMemoryLabelJoinStore.js';
import type { StoredPrediction } from '../../../src/analysis/labels/LabelJoinStore.js';
import {
  ATTR_ML_LABEL_CLASS,
  ATTR_ML_LABEL_CLASSES,
  ATTR_ML_LABEL_IDS,
  ATTR_ML_PREDICTION_CLASSES,
  ATTR_ML_PREDICTION_ID,
  ATTR_ML_PREDICTION_IDS,
  ATTR_ML_PREDICTION_SCORES,
  ATTR_ML_PREDICTION_TASK,
  EVENT_ML_LABELS,
  EVENT_ML_PREDICTIONS,
} from '../../../src/semconv/index.js';
import { componentSpan } from '../fixtures.js';

const MIN = 60_000;
const stream = { service: 's', pipeline: 'p', component: 'score', model: 'm' };
const pred = (atMs: number): StoredPrediction => ({
  stream,
  task: 'classification',
  predictedClass: 'a',
  score: 0.9,
  atMs,
});

describe('InMemoryLabelJoinStore', () => {
  it('returns a prediction once, by id', () => {
    const s = new InMemoryLabelJoinStore(10);
    s.put('p1', pred(1));
    assert.equal(s.take('p1')?.predictedClass, 'a');
    assert.equal(s.take('p1'), undefined);
  });

  it('evicts the oldest prediction beyond its capacity and counts it', () => {
    const s = new InMemoryLabelJoinStore(2);
    s.put('p1', pred(1));
    s.put('p2', pred(2));
    s.put('p3', pred(3));
    assert.equal(s.size, 2);
    assert.equal(s.evicted, 1);
    assert.equal(s.take('p1'), undefined);
    assert.ok(s.take('p3'));
  });

  it('expires predictions older than the cut-off', () => {
    const s = new InMemoryLabelJoinStore();
    for (let i = 0; i < 5; i++) s.put(`p${i}`, pred(i * 100));
    assert.equal(s.expire(250), 3);
    assert.equal(s.size, 2);
    assert.ok(s.take('p3'));
  });
});

describe('label join in the Analyzer', () => {
  function run(ttlMs?: number) {
    const seen: { start: number; outcomes: JoinedOutcomes | undefined }[] = [];
    const spy: Detector = {
      id: 'spy',
      detect: (_r: Reference, w) => {
        seen.push({ start: w.startMs, outcomes: w.outcomes && structuredClone(w.outcomes) });
        return [];
      },
    };
    const a = new Analyzer({
      window: { lengthMs: MIN },
      detectors: [spy],
      reference: { windows: 1 },
      labels: ttlMs === undefined ? {} : { ttlMs },
    });
    const predictions = componentSpan({ endMs: 1_000, component: 'score', model: 'm' });
    predictions.events.push({
      name: EVENT_ML_PREDICTIONS,
      timeMs: 1_000,
      attributes: {
        [ATTR_ML_PREDICTION_TASK]: 'classification',
        [ATTR_ML_PREDICTION_IDS]: ['r1', 'r2', 'r3'],
        [ATTR_ML_PREDICTION_CLASSES]: ['yes', 'no', 'yes'],
        [ATTR_ML_PREDICTION_SCORES]: [0.9, 0.2, 0.7],
      },
    });
    a.ingest(predictions);
    // Labels arrive two windows later: one per-request label span, two in an ml.labels event.
    const single = componentSpan({ endMs: 2 * MIN + 10, component: 'feedback' });
    single.attributes[ATTR_ML_PREDICTION_ID] = 'r1';
    single.attributes[ATTR_ML_LABEL_CLASS] = 'yes';
    a.ingest(single);
    const batch = componentSpan({ endMs: 2 * MIN + 20, component: 'feedback' });
    batch.events.push({
      name: EVENT_ML_LABELS,
      timeMs: 2 * MIN + 20,
      attributes: {
        [ATTR_ML_LABEL_IDS]: ['r2', 'r3', 'unknown'],
        [ATTR_ML_LABEL_CLASSES]: ['yes', 'yes', 'no'],
      },
    });
    a.ingest(batch);
    a.ingest(componentSpan({ endMs: MIN + 5, component: 'score', model: 'm' }));
    a.flush();
    return { a, seen };
  }

  it('joins labels to their predictions in the predicting stream, in the window the labels arrived', () => {
    const { a, seen } = run();
    const w = seen.find((s) => s.start === 2 * MIN);
    assert.ok(w?.outcomes, 'the window of label arrival carries the outcomes');
    assert.deepEqual(w.outcomes, {
      task: 'classification',
      predictedClasses: ['yes', 'no', 'yes'],
      scores: [0.9, 0.2, 0.7],
      labelClasses: ['yes', 'yes', 'yes'],
      labelValues: [Number.NaN, Number.NaN, Number.NaN],
    });
    assert.equal(a.stats.labelsJoined, 3);
    assert.equal(a.stats.labelsUnmatched, 1);
  });

  it('does not join labels that arrive after the prediction expired', () => {
    const { a, seen } = run(MIN);
    assert.ok(seen.every((s) => s.outcomes === undefined));
    assert.equal(a.stats.labelsJoined, 0);
    assert.equal(a.stats.predictionsExpired, 3);
  });
});
