import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Candidate, Detector, Reference, WindowData } from '../../src/analysis/detectors/detector.js';
import { createDetectors } from '../../src/analysis/detectors/index.js';
import { judgeWindow } from '../../src/analysis/judgeWindow.js';
import { findingAttributes } from '../../src/analysis/output/telemetryAttributes.js';
import {
  ATTR_ML_FINDING_CURRENT_SUMMARY,
  ATTR_ML_FINDING_REFERENCE_SUMMARY,
} from '../../src/semconv/index.js';
import { deserializeFeatureBase64 } from '../../src/summaries/index.js';
import { referenceOf, windowOf } from './detectors/fixtures.js';
import { normalSample } from './stats/random.js';

const reference: Reference = {
  source: 'profile',
  features: new Map(),
  predictions: new Map(),
  schema: new Map(),
  calibration: new Map(),
};

const data: WindowData = {
  stream: { service: 's', pipeline: 'p', component: 'c', model: '' },
  startMs: 0,
  endMs: 60_000,
  runs: 1,
  errorRuns: 0,
  durationMs: undefined,
  rows: 100,
  features: new Map(),
  predictions: new Map(),
  outcomes: undefined,
  modelTrainedAtMs: undefined,
  inputLastWrittenMs: new Map(),
  exemplarTraceIds: ['0af7651916cd43dd8448eb211c80319c'],
};
const window = { data, exemplarSpans: new Map([['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331']]) };

function candidate(
  feature: string,
  statistic: string,
  pValue: number | undefined,
  extra: Partial<Candidate> = {},
) {
  return {
    feature,
    statistic,
    value: 1,
    threshold: 0.5,
    pValue,
    effectSize: 1,
    anomalous: true,
    severity: 'warning',
    referenceCount: 1000,
    currentCount: 100,
    message: `${feature} ${statistic}`,
    details: {},
    ...extra,
  } satisfies Candidate;
}

function detector(id: string, cands: Candidate[]): Detector {
  return { id, detect: () => cands };
}

test('corrects once across every detector of the window, not per detector', () => {
  // Alone, p = 0.004 passes BH at 0.01; among four hypotheses of two detectors it needs ≤ 0.0025.
  const a = detector('a', [candidate('f1', 'x', 0.004)]);
  const b = detector('b', [
    candidate('f1', 'y', 0.5, { anomalous: false }),
    candidate('f2', 'y', 0.6, { anomalous: false }),
    candidate('f3', 'y', 0.7, { anomalous: false }),
  ]);
  const alone = judgeWindow([a], reference, window, 0.01);
  assert.equal(alone.findings.length, 1);
  const together = judgeWindow([a, b], reference, window, 0.01);
  assert.equal(together.hypotheses, 4);
  assert.equal(together.findings.length, 0);
  const judged = together.candidates.find((c) => c.detector === 'a');
  assert.ok(judged);
  assert.ok(Math.abs((judged.adjustedPValue as number) - 0.016) < 1e-12);
  assert.equal(judged.anomalous, false);
});

test('statistics decided by one test count as one hypothesis, share its adjusted p-value and make one finding', () => {
  const drift = detector('numeric_drift', [
    candidate('f', 'ks', 0.0045, { test: 'ks' }),
    candidate('f', 'psi', 0.0045, { test: 'ks' }),
    candidate('f', 'wasserstein', 0.0045, { test: 'ks', anomalous: false }),
    candidate('g', 'ks', 0.5, { test: 'ks', anomalous: false }),
  ]);
  const j = judgeWindow([drift], reference, window, 0.01);
  assert.equal(j.hypotheses, 2);
  assert.equal(j.findings.length, 1);
  assert.deepEqual(
    j.findings[0]?.statistics?.map((s) => s.name),
    ['ks', 'psi'],
  );
  for (const s of j.findings[0]?.statistics ?? []) assert.ok(Math.abs((s.pValue as number) - 0.009) < 1e-12);
  for (const f of j.findings) {
    assert.ok(Math.abs((f.pValue as number) - 0.009) < 1e-12);
    assert.equal(f.details.rawPValue, 0.0045);
    assert.deepEqual(f.details.exemplarSpanIds, ['b7ad6b7169203331']);
  }
  // The same feature under another detector is another hypothesis.
  const other = detector('prediction_drift', [candidate('f', 'ks', 0.0045, { test: 'ks' })]);
  assert.equal(judgeWindow([drift, other], reference, window, 0.01).hypotheses, 3);
});

test('a shared test with differing p-values keeps the largest (conservative)', () => {
  const d = detector('d', [
    candidate('f', 'a', 0.001, { test: 't' }),
    candidate('f', 'b', 0.02, { test: 't' }),
  ]);
  const j = judgeWindow([d], reference, window, 0.01);
  assert.equal(j.hypotheses, 1);
  assert.equal(j.findings.length, 0);
  assert.deepEqual(
    j.candidates.map((c) => c.adjustedPValue),
    [0.02, 0.02],
  );
});

test('candidates without a p-value keep their verdict; a throwing detector is reported, the rest still run', () => {
  const schema = detector('schema', [candidate('f', 'type_changed', undefined)]);
  const broken: Detector = {
    id: 'broken',
    detect() {
      throw new Error('boom');
    },
  };
  const j = judgeWindow([broken, schema], reference, window, 0.01);
  assert.equal(j.errors.length, 1);
  assert.equal(j.errors[0]?.detector, 'broken');
  assert.equal(j.hypotheses, 0);
  assert.deepEqual(
    j.findings.map((f) => [f.detector, f.statistic, f.pValue]),
    [['schema', 'type_changed', undefined]],
  );
});

test('weights move budget between detectors: mean 1 over the window, so the total stays fdr', () => {
  // Two hypotheses at p = 0.008: unweighted, BH at 0.01 needs ≤ 0.01 for the larger rank → both pass.
  const drift: Detector = { id: 'drift', detect: () => [candidate('f', 'ks', 0.008)] };
  const quality: Detector = {
    id: 'quality',
    weight: 0.25,
    detect: () => [candidate('f', 'null_rate', 0.008)],
  };
  const j = judgeWindow([drift, quality], reference, window, 0.01);
  // Weights 1 and 0.25 normalize to 1.6 and 0.4: p/w = 0.005 and 0.02.
  const q = new Map(j.candidates.map((c) => [c.detector, c.adjustedPValue]));
  assert.ok(Math.abs((q.get('drift') as number) - 0.01) < 1e-12, String(q.get('drift')));
  assert.ok(Math.abs((q.get('quality') as number) - 0.02) < 1e-12, String(q.get('quality')));
  assert.deepEqual(
    j.findings.map((f) => f.detector),
    ['drift'],
  );
  // A weight that is not a positive number counts as 1.
  const odd: Detector = { id: 'odd', weight: Number.NaN, detect: () => [candidate('g', 'x', 0.004)] };
  assert.equal(judgeWindow([odd], reference, window, 0.01).findings.length, 1);
});

test('a finding about a feature carries both summaries it compared; its log record carries them too', () => {
  const ages = (n: number, seed: number, shift: number) => normalSample(n, seed, 40 + shift, 10);
  const ref = referenceOf({ age: ages(5000, 1, 0), plan: Array(5000).fill('pro') });
  const win = windowOf({ age: ages(500, 2, 15), plan: Array(500).fill('pro') });
  const j = judgeWindow(createDetectors(), ref, { data: win, exemplarSpans: new Map() }, 0.01);
  const ks = j.findings.find((f) => f.detector === 'numeric_drift' && f.feature === 'age');
  assert.ok(ks, j.findings.map((f) => `${f.detector}/${f.statistic}`).join());
  const reference = deserializeFeatureBase64(ks.referenceSummary as string);
  const current = deserializeFeatureBase64(ks.currentSummary as string);
  assert.equal(reference.kind, 'numeric');
  assert.equal(reference.count, 5000);
  assert.equal(current.count, 500);
  assert.equal(
    reference.kind === 'numeric' && current.kind === 'numeric' && current.mean > reference.mean,
    true,
  );
  const attrs = findingAttributes(ks);
  assert.equal(attrs[ATTR_ML_FINDING_REFERENCE_SUMMARY], ks.referenceSummary);
  assert.equal(attrs[ATTR_ML_FINDING_CURRENT_SUMMARY], ks.currentSummary);
  // A stream-level finding compares no feature summaries.
  const stale = judgeWindow(
    createDetectors(),
    ref,
    { data: { ...win, modelTrainedAtMs: win.endMs - 90 * 24 * 3600 * 1000 }, exemplarSpans: new Map() },
    0.01,
  ).findings.find((f) => f.detector === 'staleness');
  assert.ok(stale);
  assert.equal(stale.referenceSummary, undefined);
  assert.equal(ATTR_ML_FINDING_REFERENCE_SUMMARY in findingAttributes(stale), false);
});

test('one finding per detector and feature: the decisive statistic is the most severe, and every one that fired is listed', () => {
  const drift = detector('numeric_drift', [
    candidate('f', 'ks', 1e-6, { test: 'ks', value: 0.2, threshold: 0.1, severity: 'warning' }),
    candidate('f', 'psi', 1e-6, { test: 'ks', value: 0.9, threshold: 0.1, severity: 'critical' }),
    candidate('f', 'wasserstein', 1e-6, { test: 'ks', value: 0.3, threshold: 0.25, severity: 'warning' }),
  ]);
  const j = judgeWindow([drift], reference, window, 0.01);
  assert.equal(j.findings.length, 1);
  const f = j.findings[0];
  assert.equal(f?.statistic, 'psi');
  assert.equal(f?.value, 0.9);
  assert.equal(f?.severity, 'critical');
  assert.deepEqual(
    f?.statistics?.map((s) => [s.name, s.value, s.threshold]),
    [
      ['psi', 0.9, 0.1],
      ['ks', 0.2, 0.1],
      ['wasserstein', 0.3, 0.25],
    ],
  );
  assert.match(f?.message ?? '', /also ks 0\.2 > 0\.1, wasserstein 0\.3 > 0\.25/);
});

test('a p-value that underflows to 0 is carried as the smallest double, never as an integer 0', () => {
  const j = judgeWindow([detector('d', [candidate('f', 'x', 0)])], reference, window, 0.01);
  const p = j.findings[0]?.pValue as number;
  assert.ok(p > 0 && p < 1e-300 && !Number.isInteger(p), String(p));
});
