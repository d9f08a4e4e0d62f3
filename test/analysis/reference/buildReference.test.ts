import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Candidate, Detector, WindowData } from '../../../src/analysis/detectors/detector.js';
import { buildReference, calibrationKey } from '../../../src/analysis/reference/buildReference.js';
import { learnSchema } from '../../../src/analysis/reference/schema.js';
import type { NumericSummary } from '../../../src/summaries/index.js';
import { summarize } from '../../../src/summaries/index.js';

const stream = { service: 's', pipeline: 'p', component: 'c', model: '' };

function windowOf(cols: Record<string, unknown[]>, rows: number, start = 0): WindowData {
  return {
    stream,
    startMs: start,
    endMs: start + 1,
    runs: 1,
    errorRuns: 0,
    durationMs: undefined,
    rows,
    features: summarize(cols).features,
    predictions: new Map(),
    outcomes: undefined,
    modelTrainedAtMs: undefined,
    inputLastWrittenMs: new Map(),
    exemplarTraceIds: [],
  };
}

/** current mean of x minus reference mean of x: depends on which windows form the reference. */
const meanShift: Detector = {
  id: 'mean_shift',
  detect(ref, cur): Candidate[] {
    const r = ref.features.get('x') as NumericSummary;
    const c = cur.features.get('x') as NumericSummary;
    const v = c.mean - r.mean;
    return [
      {
        feature: 'x',
        statistic: 'diff',
        value: v,
        threshold: 0,
        effectSize: v,
        anomalous: false,
        severity: 'info',
        referenceCount: r.count,
        currentCount: c.count,
        message: '',
        details: {},
      },
    ];
  },
};

describe('buildReference', () => {
  it('calibrates leave-one-out: each window against the merge of the others', () => {
    // Window i holds 10 copies of i, so the rest has mean (10 - i) / 4 and the statistic is (5i - 10) / 4.
    const windows = [0, 1, 2, 3, 4].map((i) => windowOf({ x: new Array(10).fill(i) }, 10, i));
    const ref = buildReference({ source: 'warmup', windows, detectors: [meanShift] });
    const cal = ref.calibration.get(calibrationKey('mean_shift', 'x', 'diff'));
    assert.ok(cal);
    assert.equal(cal.windows, 5);
    assert.ok(Math.abs(cal.mean) < 1e-9);
    const expectedSd = Math.sqrt([-2.5, -1.25, 0, 1.25, 2.5].reduce((a, v) => a + v * v, 0) / 4);
    assert.ok(Math.abs(cal.sd - expectedSd) < 1e-9, `sd ${cal.sd} vs ${expectedSd}`);
    assert.equal((ref.features.get('x') as NumericSummary).count, 50);
  });

  it('reports rows per window across reference windows', () => {
    const windows = [10, 20, 30].map((n, i) => windowOf({ x: new Array(n).fill(1) }, n, i));
    const ref = buildReference({ source: 'trailing', windows, detectors: [] });
    assert.deepEqual(ref.rowsPerWindow, { mean: 20, sd: 10, windows: 3 });
    assert.equal(ref.calibration.size, 0);
  });

  it('learns kind, nullability, range and categories from the reference windows', () => {
    const windows = [
      windowOf({ age: [18, 40, null], city: ['paris', 'oslo', 'paris'] }, 3),
      windowOf({ age: [25, 99, 30], city: ['rome', 'paris', 'oslo'] }, 3),
    ];
    const ref = buildReference({ source: 'warmup', windows, detectors: [] });
    assert.deepEqual(ref.schema.get('age'), { kind: 'numeric', nullable: true, min: 18, max: 99 });
    const city = ref.schema.get('city')!;
    assert.equal(city.kind, 'categorical');
    assert.equal(city.nullable, false);
    assert.deepEqual([...(city.categories ?? [])].sort(), ['oslo', 'paris', 'rome']);
  });
});

describe('learnSchema', () => {
  it('lets a user override one field and keeps the learned rest', () => {
    const features = summarize({ age: [18, 40, 65] }).features;
    const s = learnSchema(features, new Map([['age', { nullable: true }]]));
    assert.deepEqual(s.get('age'), { kind: 'numeric', nullable: true, min: 18, max: 65 });
  });

  it('adds a declared feature the reference never saw only when it names a kind', () => {
    const s = learnSchema(
      new Map(),
      new Map([
        ['ghost', { nullable: true }],
        ['declared', { kind: 'categorical' as const, categories: ['a'] }],
      ]),
    );
    assert.equal(s.has('ghost'), false);
    assert.deepEqual(s.get('declared'), { kind: 'categorical', nullable: false, categories: ['a'] });
  });
});
