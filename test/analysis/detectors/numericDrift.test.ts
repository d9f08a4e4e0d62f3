import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNumericDriftDetector } from '../../../src/analysis/detectors/numericDrift.js';
import { normalSample } from '../stats/random.js';
import { referenceOf, windowOf } from './fixtures.js';

const detector = createNumericDriftDetector();

function byStatistic(
  candidates: ReturnType<typeof detector.detect>,
): Record<string, (typeof candidates)[number]> {
  return Object.fromEntries(candidates.map((c) => [c.statistic, c]));
}

describe('numeric_drift', () => {
  const reference = referenceOf({ x: normalSample(5000, 1, 10, 2) });

  it('flags a one-sd mean shift on all three statistics', () => {
    const result = byStatistic(detector.detect(reference, windowOf({ x: normalSample(2000, 2, 12, 2) })));
    for (const s of ['ks', 'psi', 'wasserstein']) {
      assert.equal(result[s]?.anomalous, true, `${s} should flag: ${result[s]?.message}`);
      assert.equal(result[s]?.feature, 'x');
    }
    assert.ok((result.ks?.value ?? 0) > 0.3);
    assert.ok(Math.abs((result.wasserstein?.value ?? 0) - 1) < 0.15, result.wasserstein?.message);
    assert.equal(result.ks?.severity, 'critical');
  });

  it('flags a variance change the mean does not show', () => {
    const result = byStatistic(detector.detect(reference, windowOf({ x: normalSample(2000, 3, 10, 5) })));
    assert.equal(result.ks?.anomalous, true);
    assert.equal(result.psi?.anomalous, true);
  });

  it('stays silent on a new sample of the same distribution', () => {
    const candidates = detector.detect(reference, windowOf({ x: normalSample(2000, 4, 10, 2) }));
    assert.equal(candidates.length, 3);
    assert.deepEqual(
      candidates.filter((c) => c.anomalous).map((c) => c.message),
      [],
    );
  });

  it('stays silent on identical data, with p-values of 1 from a zero distance', () => {
    const data = normalSample(3000, 5, 0, 1);
    const candidates = detector.detect(referenceOf({ x: data }), windowOf({ x: data }));
    const ks = byStatistic(candidates).ks;
    assert.equal(ks?.value, 0);
    assert.equal(ks?.pValue, 1);
    assert.ok(candidates.every((c) => !c.anomalous));
  });

  it('respects the effect-size floor on a huge-n trivial shift that is still significant', () => {
    const big = referenceOf({ x: normalSample(100_000, 6, 0, 1) });
    const result = byStatistic(detector.detect(big, windowOf({ x: normalSample(100_000, 7, 0.05, 1) })));
    // A 0.05 sd shift at n = m = 100 000 is highly significant but far below every floor.
    assert.ok((result.ks?.pValue ?? 1) < 0.01, `p ${result.ks?.pValue}`);
    assert.ok((result.ks?.value ?? 1) < 0.1);
    for (const s of ['ks', 'psi', 'wasserstein'])
      assert.equal(result[s]?.anomalous, false, result[s]?.message);
  });

  it('returns nothing for empty or all-null windows and for too few values', () => {
    assert.deepEqual(detector.detect(reference, windowOf({ x: [] })), []);
    assert.deepEqual(
      detector.detect(reference, windowOf({ x: [null, null, null] }, {}, {}, { schema: { x: 'numeric' } })),
      [],
    );
    assert.deepEqual(detector.detect(reference, windowOf({ x: [1, 2, 3] })), []);
  });

  it('requires the value to exceed the reference’s calibrated window-to-window spread', () => {
    const current = windowOf({ x: normalSample(2000, 8, 11, 2) });
    const plain = byStatistic(detector.detect(reference, current));
    assert.equal(plain.ks?.anomalous, true);
    const ksValue = plain.ks?.value ?? 0;
    const noisy = referenceOf({ x: normalSample(5000, 1, 10, 2) });
    noisy.calibration.set('numeric_drift/x/ks', { mean: ksValue, sd: 0.05, windows: 8 });
    const calibrated = byStatistic(detector.detect(noisy, current));
    assert.equal(calibrated.ks?.anomalous, false);
    assert.ok((calibrated.ks?.threshold ?? 0) > ksValue);
  });

  it('compares sketches of different accuracies (a profile built coarser than the stream)', () => {
    const coarse = referenceOf({ x: normalSample(5000, 1, 10, 2) }, {}, {}, { relativeAccuracy: 0.05 });
    const shifted = byStatistic(detector.detect(coarse, windowOf({ x: normalSample(2000, 9, 12, 2) })));
    assert.equal(shifted.ks?.anomalous, true);
    assert.equal(shifted.psi?.anomalous, true);
    const same = detector.detect(coarse, windowOf({ x: normalSample(2000, 10, 10, 2) }));
    assert.deepEqual(
      same.filter((c) => c.anomalous).map((c) => c.message),
      [],
    );
  });

  it('measures text features on their lengths', () => {
    const words = (n: number, len: number): string[] =>
      Array.from({ length: n }, (_, i) => 'x'.repeat(len + (i % 7)) + ' '.repeat(70));
    const ref = referenceOf({ t: words(500, 10) });
    const result = byStatistic(detector.detect(ref, windowOf({ t: words(500, 40) })));
    assert.equal(result.ks?.anomalous, true);
    assert.equal(result.ks?.details.view, 'length');
  });

  it('rejects a bad config naming the field', () => {
    assert.throws(
      () => createNumericDriftDetector({ alpha: 2 }),
      /numeric_drift: alpha must be in \(0, 1\), got 2/,
    );
    assert.throws(() => createNumericDriftDetector({ psiBins: 1 }), /psiBins/);
  });
});

describe('numeric_drift severity follows the threshold it was judged against', () => {
  it('a PSI just past a calibrated threshold of 0.29 is a warning, not critical at the fixed 0.25', () => {
    const reference = referenceOf({ x: normalSample(5000, 31, 0, 1) });
    reference.calibration.set('numeric_drift/x/psi', { mean: 0.2, sd: 0.03, windows: 10 });
    reference.calibration.set('numeric_drift/x/ks', { mean: 0.05, sd: 0.01, windows: 10 });
    reference.calibration.set('numeric_drift/x/wasserstein', { mean: 0.1, sd: 0.05, windows: 10 });
    const detector = createNumericDriftDetector();
    const psi = detector
      .detect(reference, windowOf({ x: normalSample(2000, 32, 0.6, 1) }))
      .find((c) => c.statistic === 'psi');
    assert.ok(psi);
    assert.ok(Math.abs(psi.threshold - 0.29) < 1e-9, String(psi.threshold));
    assert.ok(psi.value > 0.29 && psi.value < 0.725, String(psi.value));
    assert.equal(psi.anomalous, true);
    assert.equal(psi.severity, 'warning');
  });

  it('reads like "x: mean 0.03 → 1.49, KS 0.53 > 0.1 (n 5000 vs 500), p = …"', () => {
    const reference = referenceOf({ x: normalSample(5000, 33, 0, 1) });
    const ks = createNumericDriftDetector()
      .detect(reference, windowOf({ x: normalSample(500, 34, 1.5, 1) }))
      .find((c) => c.statistic === 'ks');
    assert.match(
      ks?.message ?? '',
      /^x: mean -?0\.0\d+ → 1\.\d+, KS 0\.\d+ > 0\.1 \(n 5000 vs 500\), p = \d\.\d+e-\d+$/,
    );
  });
});
