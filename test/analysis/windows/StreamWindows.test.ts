import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractObservation } from '../../../src/analysis/observation.js';
import {
  MAX_REMEMBERED_DURATIONS,
  resolveWindowOptions,
  StreamWindows,
} from '../../../src/analysis/windows/StreamWindows.js';
import { componentSpan } from '../fixtures.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);

function windows(lengthMs: number, stepMs: number): StreamWindows {
  const stream = { service: 'svc', pipeline: 'churn', component: 'featurize', model: '' };
  return new StreamWindows(
    stream,
    resolveWindowOptions({ lengthMs, stepMs }),
    { maxFeatures: 10, maxExemplars: 2 },
    { droppedFeatureValues: 0, kindConflicts: 0, droppedOutcomes: 0 },
  );
}

function addRun(w: StreamWindows, endMs: number, durationMs: number, error = false): void {
  const obs = extractObservation(componentSpan({ endMs, durationMs, error }));
  w.paneFor(endMs, Number.NEGATIVE_INFINITY)?.add(obs, 2, w.allowFeature, () => undefined);
}

describe('StreamWindows previous runs', () => {
  it('hands each tumbling window the earlier windows that had runs, newest first, skipping empty ones', () => {
    const w = windows(MIN, MIN);
    addRun(w, T0 + 10_000, 5);
    addRun(w, T0 + 2 * MIN + 10_000, 7, true);
    addRun(w, T0 + 3 * MIN + 10_000, 900);
    const closed = w.closeDue(T0 + 4 * MIN).map((c) => c.data);
    assert.deepEqual(
      closed.map((d) => d.startMs),
      [T0, T0 + 2 * MIN, T0 + 3 * MIN],
    );
    assert.deepEqual(closed[0]!.previousRuns, []);
    const last = closed[2]!.previousRuns!;
    assert.deepEqual(
      last.map((r) => [r.startMs, r.runs, r.errorRuns, r.durationMs?.max]),
      [
        [T0 + 2 * MIN, 1, 1, 7],
        [T0, 1, 0, 5],
      ],
    );
  });

  it('keeps only the counts of a busy window, whose durations the quantile path judged', () => {
    const w = windows(MIN, MIN);
    for (let i = 0; i <= MAX_REMEMBERED_DURATIONS; i++) addRun(w, T0 + 10_000 + i, 5, i === 0);
    addRun(w, T0 + MIN + 10_000, 900);
    const [, next] = w.closeDue(T0 + 2 * MIN).map((c) => c.data);
    const [busy] = next!.previousRuns!;
    assert.deepEqual(
      [busy?.runs, busy?.errorRuns, busy?.durationMs],
      [MAX_REMEMBERED_DURATIONS + 1, 1, undefined],
    );
  });

  it('never hands a sliding window an earlier window that overlaps it (its runs would count twice)', () => {
    const w = windows(2 * MIN, MIN);
    for (let i = 0; i < 6; i++) addRun(w, T0 + i * MIN + 10_000, 5 + i);
    const closed = w.closeDue(T0 + 6 * MIN).map((c) => c.data);
    const last = closed[closed.length - 1]!;
    assert.equal(last.startMs, T0 + 4 * MIN);
    assert.deepEqual(
      last.previousRuns!.map((r) => [r.startMs, r.endMs]),
      [
        [T0 + 2 * MIN, T0 + 4 * MIN],
        [T0, T0 + 2 * MIN],
      ],
    );
  });
});
