import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createErrorRateDetector } from '../../../src/analysis/detectors/errorRate.js';
import { createLatencyDetector } from '../../../src/analysis/detectors/latency.js';
import { createStalenessDetector } from '../../../src/analysis/detectors/staleness.js';
import type { NumericSummary } from '../../../src/summaries/NumericSummary.js';
import { summarize } from '../../../src/summaries/summarize.js';
import { normalSample } from '../stats/random.js';
import { referenceOf, windowOf } from './fixtures.js';

/** Log-normal run durations around `medianMs`. */
function durations(n: number, seed: number, medianMs: number): NumericSummary {
  const values = normalSample(n, seed, 0, 0.3).map((x) => medianMs * Math.exp(x));
  return summarize({ d: values }).features.get('d') as NumericSummary;
}

describe('latency', () => {
  const detector = createLatencyDetector();
  // p95 of a log-normal with sd 0.3 around 100 ms is ≈ 164 ms; the reference windows agree within a few ms.
  const reference = referenceOf(
    {},
    { calibration: new Map([['latency//p95', { mean: 164, sd: 6, windows: 6 }]]) },
  );

  it('flags runs that became 2.5 times as slow as critical', () => {
    const [c] = detector.detect(reference, windowOf({}, { durationMs: durations(500, 1, 250) }));
    assert.equal(c?.statistic, 'p95');
    assert.equal(c?.anomalous, true, c?.message);
    assert.equal(c?.severity, 'critical');
    assert.ok((c?.pValue ?? 1) < 1e-10);
  });

  it('flags a 40% slowdown as a warning', () => {
    const [c] = detector.detect(reference, windowOf({}, { durationMs: durations(500, 6, 140) }));
    assert.equal(c?.anomalous, true, c?.message);
    assert.equal(c?.severity, 'warning');
  });

  it('stays silent at the usual speed', () => {
    const [c] = detector.detect(reference, windowOf({}, { durationMs: durations(500, 2, 100) }));
    assert.equal(c?.anomalous, false, c?.message);
    assert.ok(Math.abs((c?.value ?? 0) - 164) < 15);
  });

  it('judges an absolute limit without any reference', () => {
    const limited = createLatencyDetector({ maxMs: 120 });
    const [c] = limited.detect(referenceOf({}), windowOf({}, { durationMs: durations(500, 3, 100) }));
    assert.equal(c?.threshold, 120);
    assert.equal(c?.anomalous, true, c?.message);
  });

  it('reports the value only when there is neither reference nor limit, and nothing for few runs', () => {
    const [c] = createLatencyDetector().detect(
      referenceOf({}),
      windowOf({}, { durationMs: durations(500, 4, 100) }),
    );
    assert.equal(c?.anomalous, false);
    assert.deepEqual(detector.detect(reference, windowOf({}, { durationMs: durations(5, 5, 500) })), []);
    assert.deepEqual(detector.detect(reference, windowOf({})), []);
  });
});

describe('error_rate', () => {
  const detector = createErrorRateDetector();
  const reference = referenceOf(
    {},
    { calibration: new Map([['error_rate//error_rate', { mean: 0.01, sd: 0.005, windows: 6 }]]) },
  );

  it('flags 12% failed runs against a 1% baseline', () => {
    const [c] = detector.detect(reference, windowOf({}, { runs: 200, errorRuns: 24 }));
    assert.equal(c?.anomalous, true, c?.message);
    assert.ok((c?.pValue ?? 1) < 1e-8);
  });

  it('does not alarm on one failure in 25 runs', () => {
    const [c] = detector.detect(reference, windowOf({}, { runs: 25, errorRuns: 1 }));
    assert.equal(c?.anomalous, false, c?.message);
  });

  it('respects the floor on a huge-n trivial rise', () => {
    const [c] = detector.detect(reference, windowOf({}, { runs: 100_000, errorRuns: 1_300 }));
    assert.ok((c?.pValue ?? 1) < 0.01);
    assert.equal(c?.anomalous, false);
  });

  it('judges an absolute limit without reference and skips tiny windows', () => {
    const [c] = createErrorRateDetector({ maxRate: 0.05 }).detect(
      referenceOf({}),
      windowOf({}, { runs: 100, errorRuns: 20 }),
    );
    assert.equal(c?.anomalous, true);
    assert.deepEqual(detector.detect(reference, windowOf({}, { runs: 3, errorRuns: 3 })), []);
  });
});

describe('staleness', () => {
  const detector = createStalenessDetector({ maxModelAgeMs: 7 * 86_400_000, maxInputAgeMs: 3_600_000 });
  const end = 1_700_000_060_000;

  it('flags a model trained too long ago and a stale input, not a fresh one', () => {
    const candidates = detector.detect(
      referenceOf({}),
      windowOf(
        {},
        {
          modelTrainedAtMs: end - 20 * 86_400_000,
          inputLastWrittenMs: new Map([
            ['table:features', end - 5 * 3_600_000],
            ['table:users', end - 600_000],
          ]),
        },
      ),
    );
    const model = candidates.find((c) => c.statistic === 'model_age');
    assert.equal(model?.anomalous, true);
    assert.equal(model?.severity, 'critical');
    assert.match(model?.message ?? '', /20\.0 days old/);
    assert.equal(candidates.find((c) => c.feature === 'table:features')?.anomalous, true);
    assert.equal(candidates.find((c) => c.feature === 'table:users')?.anomalous, false);
  });

  it('says nothing without trained_at or inputs', () => {
    assert.deepEqual(detector.detect(referenceOf({}), windowOf({})), []);
  });
});
