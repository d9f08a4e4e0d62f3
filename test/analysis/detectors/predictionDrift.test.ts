import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPredictionDriftDetector } from '../../../src/analysis/detectors/predictionDrift.js';
import { normalSample, seededRandom } from '../stats/random.js';
import { referenceOf, windowOf } from './fixtures.js';

const detector = createPredictionDriftDetector();

function classes(n: number, positiveShare: number, seed: number): string[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => (random() < positiveShare ? 'fraud' : 'ok'));
}

function scores(n: number, seed: number, shift: number): number[] {
  return normalSample(n, seed, 0, 1).map((x) => 1 / (1 + Math.exp(-(x + shift))));
}

describe('prediction_drift', () => {
  const reference = referenceOf({}, {}, { class: classes(5000, 0.1, 1), score: scores(5000, 2, -2) });

  it('flags a predicted-class mix that shifted and names the output', () => {
    const candidates = detector.detect(
      reference,
      windowOf({}, {}, { class: classes(2000, 0.35, 3), score: scores(2000, 4, -2) }),
    );
    const js = candidates.find((c) => c.feature === 'class' && c.statistic === 'js');
    assert.equal(js?.anomalous, true, js?.message);
    const scoreFlags = candidates.filter((c) => c.feature === 'score' && c.anomalous);
    assert.deepEqual(scoreFlags, []);
  });

  it('flags a score distribution that moved up', () => {
    const candidates = detector.detect(
      reference,
      windowOf({}, {}, { class: classes(2000, 0.1, 5), score: scores(2000, 6, -1) }),
    );
    const ks = candidates.find((c) => c.feature === 'score' && c.statistic === 'ks');
    assert.equal(ks?.anomalous, true, ks?.message);
  });

  it('stays silent when the outputs look like the reference', () => {
    const candidates = detector.detect(
      reference,
      windowOf({}, {}, { class: classes(2000, 0.1, 7), score: scores(2000, 8, -2) }),
    );
    assert.ok(candidates.length >= 6);
    assert.deepEqual(
      candidates.filter((c) => c.anomalous).map((c) => c.message),
      [],
    );
  });

  it('returns nothing without predictions', () => {
    assert.deepEqual(detector.detect(reference, windowOf({})), []);
  });

  it('names the nested config path in errors', () => {
    assert.throws(
      () => createPredictionDriftDetector({ numeric: { alpha: 0 } }),
      /prediction_drift::numeric: alpha/,
    );
  });
});
