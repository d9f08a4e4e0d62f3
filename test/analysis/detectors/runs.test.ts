import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunProfile, RunWindow, WindowData } from '../../../src/analysis/detectors/detector.js';
import { createErrorRateDetector } from '../../../src/analysis/detectors/errorRate.js';
import { createDetectors } from '../../../src/analysis/detectors/index.js';
import { createLatencyDetector } from '../../../src/analysis/detectors/latency.js';
import { createStalenessDetector } from '../../../src/analysis/detectors/staleness.js';
import { createVolumeDetector } from '../../../src/analysis/detectors/volume.js';
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

/** Exact durations as a summary (a few runs). */
function runsOf(...ms: number[]): NumericSummary {
  return summarize({ d: ms }).features.get('d') as NumericSummary;
}

/** A reference holding `n` runs of a 5 ms stage (log-normal, sd 0.25) and `errors` failures. */
function runReference(n: number, errors = 0): ReturnType<typeof referenceOf> {
  const profile: RunProfile = {
    runs: n,
    errorRuns: errors,
    durationMs: durations(n, 42, 5),
    windows: n,
  };
  return referenceOf({}, { runs: profile });
}

/** A window of `ms` runs, `errors` of them failed, after the given earlier windows. */
function fewRunWindow(ms: number[], errors = 0, previous: RunWindow[] = []): WindowData {
  return windowOf(
    {},
    { runs: ms.length, errorRuns: errors, durationMs: runsOf(...ms), previousRuns: previous },
  );
}

/** An earlier window's runs. */
function earlier(ms: number[], errors = 0): RunWindow {
  return { startMs: 0, endMs: 1, runs: ms.length, errorRuns: errors, durationMs: runsOf(...ms) };
}

describe('latency with few runs a window', () => {
  const detector = createLatencyDetector();
  const reference = runReference(10);

  it('flags a 5 ms stage that took 900 ms in two windows in a row as critical', () => {
    const [c] = detector.detect(reference, fewRunWindow([900], 0, [earlier([880])]));
    assert.equal(c?.statistic, 'slowest_run');
    assert.equal(c?.anomalous, true, c?.message);
    assert.ok((c?.pValue ?? 1) < 1e-3, `p = ${c?.pValue}`);
    assert.equal(c?.severity, 'critical');
    assert.ok((c?.effectSize ?? 0) > 100, 'ratio to the reference p95');
    assert.equal(c?.value, 900);
    assert.equal(c?.details.path, 'few_runs');
  });

  it('counts one far-out run as evidence that is not yet enough alone', () => {
    const [c] = detector.detect(reference, fewRunWindow([900], 0, [earlier([5.2])]));
    assert.equal(c?.anomalous, false, c?.message);
    assert.ok((c?.pValue ?? 1) < 0.05, `p = ${c?.pValue}`);
    assert.ok((c?.pValue ?? 0) > 0.01, `p = ${c?.pValue}`);
  });

  it('stays silent at the usual speed and for a jitter of a few milliseconds', () => {
    const [usual] = detector.detect(reference, fewRunWindow([5.5, 4.1], 0, [earlier([6])]));
    assert.equal(usual?.anomalous, false, usual?.message);
    assert.equal(usual?.pValue, 1);
    const [jitter] = detector.detect(reference, fewRunWindow([9], 0, [earlier([9.5])]));
    assert.equal(jitter?.anomalous, false, jitter?.message);
  });

  it('needs a slow run in this window: a recovered stage stops being reported', () => {
    const [c] = detector.detect(reference, fewRunWindow([5], 0, [earlier([900])]));
    assert.equal(c?.anomalous, false, c?.message);
  });

  it('judges only the window alone with consecutiveWindows 1', () => {
    const [c] = createLatencyDetector({ consecutiveWindows: 1 }).detect(
      reference,
      fewRunWindow([900], 0, [earlier([880])]),
    );
    assert.equal(c?.details.evidenceRuns, 1);
    // One run alone can be no rarer than the share of runs allowed beyond the fit.
    assert.ok((c?.pValue ?? 0) >= 0.005, `p = ${c?.pValue}`);
  });

  it('does not call a 1 ms run slow after reference runs that all took 0 ms on a millisecond clock', () => {
    const zero = referenceOf(
      {},
      { runs: { runs: 8, errorRuns: 0, durationMs: runsOf(0, 0, 0, 0, 0, 0, 0, 0), windows: 8 } },
    );
    const [c] = detector.detect(zero, fewRunWindow([1], 0, [earlier([1])]));
    assert.equal(c?.anomalous, false, c?.message);
  });

  it('leaves out an earlier window that had enough runs to be judged on its own', () => {
    const busy = earlier(Array.from({ length: 40 }, () => 5));
    const [c] = detector.detect(reference, fewRunWindow([900], 0, [busy]));
    assert.equal(c?.details.evidenceRuns, 1);
  });

  it('adds up several slow runs of one window', () => {
    const [c] = detector.detect(reference, fewRunWindow([700, 900, 800]));
    assert.equal(c?.anomalous, true, c?.message);
  });

  it('says nothing without reference runs unless an absolute limit is set, which then decides alone', () => {
    assert.deepEqual(detector.detect(referenceOf({}), fewRunWindow([900])), []);
    const [c] = createLatencyDetector({ maxMs: 100 }).detect(referenceOf({}), fewRunWindow([900]));
    assert.equal(c?.anomalous, true);
    assert.equal(c?.pValue, undefined, 'a limit is a rule: no p-value for the correction to drop');
    assert.equal(c?.threshold, 100);
  });

  it('grades severity from its own threshold on the quantile path', () => {
    // The calibrated band (164 + 3·60 = 344 ms) is above 2 × 164 ms: a p95 of ≈ 360 ms is more
    // than twice the reference but crosses the finding's own threshold only just.
    const wide = referenceOf(
      {},
      { calibration: new Map([['latency//p95', { mean: 164, sd: 60, windows: 6 }]]) },
    );
    const [c] = createLatencyDetector().detect(wide, windowOf({}, { durationMs: durations(500, 9, 220) }));
    assert.equal(c?.anomalous, true, c?.message);
    assert.ok((c?.value ?? 0) / 164 > 2, c?.message);
    assert.equal(c?.threshold, 344);
    assert.equal(c?.severity, 'warning');
  });
});

describe('error_rate with few runs a window', () => {
  const detector = createErrorRateDetector();

  it('flags a stage failing 1 of its 2 runs in two windows in a row, after 20 clean reference runs', () => {
    const [c] = detector.detect(runReference(20), fewRunWindow([5, 5], 1, [earlier([5, 5], 1)]));
    assert.equal(c?.statistic, 'failed_runs');
    assert.equal(c?.anomalous, true, c?.message);
    assert.ok((c?.pValue ?? 1) < 1e-3, `p = ${c?.pValue}`);
    assert.match(c?.message ?? '', /1 of 2 runs failed; 2 of 4 over 2 windows vs 0 of 20 reference runs/);
  });

  it('treats one failure among few runs as evidence: below 1% after 20 clean runs, not yet anomalous', () => {
    const [c] = detector.detect(runReference(20), fewRunWindow([5, 5], 1, [earlier([5, 5])]));
    assert.ok((c?.pValue ?? 1) < 0.01, `p = ${c?.pValue}`);
    // The engine's correction across the window's hypotheses decides; 2 of 3 runs is strong alone.
    const [strong] = detector.detect(runReference(20), fewRunWindow([5, 5, 5], 2));
    assert.equal(strong?.anomalous, true, strong?.message);
    assert.ok((strong?.pValue ?? 1) < 1e-3);
  });

  it('does not alarm on a stage that failed as often in the reference', () => {
    const [c] = detector.detect(runReference(20, 6), fewRunWindow([5, 5], 1, [earlier([5, 5], 1)]));
    assert.equal(c?.anomalous, false, c?.message);
  });

  it('needs a failure in this window and reference runs to compare with', () => {
    const [recovered] = detector.detect(runReference(20), fewRunWindow([5, 5], 0, [earlier([5, 5], 2)]));
    assert.equal(recovered?.anomalous, false);
    assert.deepEqual(detector.detect(referenceOf({}), fewRunWindow([5], 1)), []);
  });

  it('grades a stage that fails every run as critical', () => {
    const [c] = detector.detect(runReference(20), fewRunWindow([5, 5], 2, [earlier([5, 5], 2)]));
    assert.equal(c?.severity, 'critical');
  });
});

describe('volume of a failing stage', () => {
  const detector = createVolumeDetector();
  // Two runs of 200 rows a window in 5 reference windows.
  const reference = referenceOf(
    {},
    {
      rowsPerWindow: { mean: 400, sd: 10, windows: 5 },
      runs: { runs: 10, errorRuns: 0, durationMs: runsOf(5, 5, 5), windows: 5 },
    },
  );

  it('leaves rows that a failed run never wrote to the error finding', () => {
    const [c] = detector.detect(reference, windowOf({}, { runs: 2, errorRuns: 1, rows: 200 }));
    assert.equal(c?.anomalous, false, c?.message);
    assert.equal(c?.details.explainedByFailedRuns, 1);
    assert.match(c?.message ?? '', /explained by 1 failed run/);
  });

  it('still reports a drop that the failed runs do not account for', () => {
    const [c] = detector.detect(reference, windowOf({}, { runs: 2, errorRuns: 1, rows: 40 }));
    assert.equal(c?.anomalous, true, c?.message);
    assert.equal(c?.details.explainedByFailedRuns, undefined);
    const [healthy] = detector.detect(reference, windowOf({}, { runs: 2, errorRuns: 0, rows: 200 }));
    assert.equal(healthy?.anomalous, true, 'the same drop without failures is a volume finding');
    assert.equal(healthy?.details.missingRuns, undefined, 'both runs happened, each wrote less');
  });

  it('says when a drop downstream comes from runs that did not happen', () => {
    const [c] = detector.detect(reference, windowOf({}, { runs: 1, errorRuns: 0, rows: 201 }));
    assert.equal(c?.anomalous, true, c?.message);
    assert.equal(c?.details.missingRuns, 1);
    assert.match(c?.message ?? '', /1 run instead of about 2, each with its usual rows/);
  });
});

describe("staleness against the writer's learned period", () => {
  const detector = createStalenessDetector();
  const end = 1_700_000_060_000;
  const hour = 3_600_000;

  it('flags an hourly input 70 minutes after its last write and names it and when it was written', () => {
    const [c] = detector.detect(
      referenceOf({}),
      windowOf(
        {},
        {
          inputLastWrittenMs: new Map([['table:features', end - 70 * 60_000]]),
          inputWritePeriodMs: new Map([['table:features', hour]]),
        },
      ),
    );
    assert.equal(c?.anomalous, true, c?.message);
    assert.equal(c?.threshold, hour + 6 * 60_000, 'the period plus a tenth of it (more than one window)');
    assert.equal(c?.details.input, 'table:features');
    assert.equal(c?.details.lastWrittenMs, end - 70 * 60_000);
    assert.equal(c?.details.lastWrittenAt, new Date(end - 70 * 60_000).toISOString());
    assert.equal(c?.details.limitFrom, 'writer_period');
  });

  it('keeps the day-long limit for an input whose writer period is unknown, or with learning off', () => {
    const w = windowOf(
      {},
      {
        inputLastWrittenMs: new Map([['table:features', end - 70 * 60_000]]),
        inputWritePeriodMs: new Map([['table:features', hour]]),
      },
    );
    const [off] = createStalenessDetector({ learnInputPeriod: false }).detect(referenceOf({}), w);
    assert.equal(off?.anomalous, false);
    assert.equal(off?.details.limitFrom, 'max_input_age');
    const [unknown] = detector.detect(referenceOf({}), { ...w, inputWritePeriodMs: undefined });
    assert.equal(unknown?.anomalous, false);
  });
});

describe('few-run settings', () => {
  it('are validated with the detector path in the error', () => {
    assert.throws(
      () => createDetectors({ latency: { consecutiveWindows: 9 } }),
      /detectors::latency: consecutiveWindows/,
    );
    assert.throws(
      () => createDetectors({ latency: { tailAllowance: 0 } }),
      /detectors::latency: tailAllowance/,
    );
    assert.throws(
      () => createDetectors({ error_rate: { priorErrorRate: 1 } }),
      /detectors::error_rate: priorErrorRate/,
    );
    assert.throws(
      () => createDetectors({ error_rate: { priorRuns: -1 } }),
      /detectors::error_rate: priorRuns/,
    );
    assert.throws(
      () => createDetectors({ staleness: { periodTolerance: -0.1 } }),
      /detectors::staleness: periodTolerance/,
    );
  });
});
