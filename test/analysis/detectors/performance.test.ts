import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JoinedOutcomes } from '../../../src/analysis/detectors/detector.js';
import { createPerformanceDetector } from '../../../src/analysis/detectors/performance.js';
import { normalSample, seededRandom } from '../stats/random.js';
import { referenceOf, windowOf } from './fixtures.js';

const detector = createPerformanceDetector();

/** n binary predictions that are right with probability `accuracy`, with informative scores. */
function binary(n: number, accuracy: number, seed: number): JoinedOutcomes {
  const random = seededRandom(seed);
  const predictedClasses: string[] = [];
  const labelClasses: string[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = random() < 0.5 ? '1' : '0';
    const right = random() < accuracy;
    const predicted = right ? label : label === '1' ? '0' : '1';
    predictedClasses.push(predicted);
    labelClasses.push(label);
    scores.push(predicted === '1' ? 0.5 + random() / 2 : random() / 2);
  }
  return { task: 'classification', predictedClasses, labelClasses, scores, labelValues: [] };
}

function statistic(candidates: ReturnType<typeof detector.detect>, name: string) {
  return candidates.find((c) => c.statistic === name);
}

describe('performance', () => {
  const reference = referenceOf(
    {},
    { performance: { accuracy: 0.9, macro_f1: 0.9, auc: 0.95, count: 5000 } },
  );

  it('flags an accuracy drop from 0.9 to 0.7 on 500 labels, with F1 and AUC', () => {
    const candidates = detector.detect(reference, windowOf({}, { outcomes: binary(500, 0.7, 1) }));
    const accuracy = statistic(candidates, 'accuracy');
    assert.equal(accuracy?.anomalous, true, accuracy?.message);
    assert.equal(accuracy?.severity, 'critical');
    assert.ok((accuracy?.pValue ?? 1) < 1e-6);
    assert.equal(statistic(candidates, 'macro_f1')?.anomalous, true);
    assert.equal(statistic(candidates, 'auc')?.anomalous, true, statistic(candidates, 'auc')?.message);
    assert.ok(statistic(candidates, 'macro_recall'));
  });

  it('does not alarm on the same drop seen on only 40 labels when the bound still reaches the threshold', () => {
    const few = binary(40, 0.8, 2);
    const accuracy = statistic(detector.detect(reference, windowOf({}, { outcomes: few })), 'accuracy');
    assert.ok((accuracy?.value ?? 1) < 0.85, `accuracy ${accuracy?.value}`);
    assert.equal(accuracy?.anomalous, false, accuracy?.message);
  });

  it('stays silent at reference accuracy', () => {
    const candidates = detector.detect(reference, windowOf({}, { outcomes: binary(2000, 0.9, 3) }));
    assert.deepEqual(
      candidates.filter((c) => c.anomalous).map((c) => c.message),
      [],
    );
  });

  it('uses an absolute floor when the reference has no performance', () => {
    const floorOnly = createPerformanceDetector({ minimums: { accuracy: 0.8 } });
    const accuracy = statistic(
      floorOnly.detect(referenceOf({}), windowOf({}, { outcomes: binary(1000, 0.6, 4) })),
      'accuracy',
    );
    assert.equal(accuracy?.threshold, 0.8);
    assert.equal(accuracy?.anomalous, true);
  });

  it('reports values without a threshold when nothing defines one', () => {
    const candidates = detector.detect(referenceOf({}), windowOf({}, { outcomes: binary(200, 0.6, 5) }));
    assert.ok(candidates.length >= 4);
    assert.ok(candidates.every((c) => !c.anomalous && Number.isNaN(c.threshold)));
  });

  it('flags a regression MAE that doubled and ignores one within tolerance', () => {
    const regRef = referenceOf({}, { performance: { mae: 0.8, count: 5000 } });
    const truth = normalSample(800, 6, 10, 3);
    const noise = normalSample(800, 7, 0, 1);
    const outcomes = (scale: number): JoinedOutcomes => ({
      task: 'regression',
      predictedClasses: [],
      labelClasses: [],
      scores: truth.map((t, i) => t + scale * (noise[i] as number)),
      labelValues: truth,
    });
    // E|N(0, s²)| = 0.8·s: scale 1 → MAE 0.8 (reference), scale 2 → MAE 1.6.
    assert.equal(
      statistic(detector.detect(regRef, windowOf({}, { outcomes: outcomes(1) })), 'mae')?.anomalous,
      false,
    );
    const worse = statistic(detector.detect(regRef, windowOf({}, { outcomes: outcomes(2) })), 'mae');
    assert.equal(worse?.anomalous, true, worse?.message);
    assert.equal(worse?.severity, 'critical');
  });

  it('needs a minimum number of labels and copes with no outcomes', () => {
    assert.deepEqual(detector.detect(reference, windowOf({}, { outcomes: binary(10, 0.1, 8) })), []);
    assert.deepEqual(detector.detect(reference, windowOf({})), []);
  });
});
