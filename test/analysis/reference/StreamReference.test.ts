import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WindowReport } from '../../../src/analysis/AnalysisListener.js';
import { Analyzer } from '../../../src/analysis/Analyzer.js';
import type { WindowData } from '../../../src/analysis/detectors/detector.js';
import type { Profile } from '../../../src/analysis/profile.js';
import { resolveReferenceOptions, StreamReference } from '../../../src/analysis/reference/StreamReference.js';
import { type NumericSummary, summarize } from '../../../src/summaries/index.js';
import { componentSpan, NullRateTestDetector, withNulls } from '../fixtures.js';

/** A training-data profile for every stream: it holds features, never component runs. */
function trainingProfile(): Profile {
  const all = summarize({ x: [1, 2, 3] });
  return {
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    source: 'train.csv',
    rows: 3,
    stream: {},
    features: all.features,
    predictions: new Map(),
    schema: new Map(),
    segments: [],
  };
}

const MIN = 60_000;
const stream = { service: 's', pipeline: 'p', component: 'c', model: '' };

function win(startMs: number, endMs: number, runs = 1): WindowData {
  return {
    stream,
    startMs,
    endMs,
    runs,
    errorRuns: 0,
    durationMs: undefined,
    rows: 1,
    features: summarize({ x: [startMs] }).features,
    predictions: new Map(),
    outcomes: undefined,
    modelTrainedAtMs: undefined,
    inputLastWrittenMs: new Map(),
    exemplarTraceIds: [],
  };
}

describe('StreamReference', () => {
  it('gives a profiled stream the runs of its first live windows, keeping the profile as it is', () => {
    const r = new StreamReference(
      stream,
      resolveReferenceOptions({ windows: 2, profiles: [trainingProfile()] }),
      [],
    );
    const ref = r.current();
    assert.equal(ref?.source, 'profile');
    assert.equal(ref?.runs, undefined, 'training data holds no runs');
    r.offer({ ...win(0, 1, 2), errorRuns: 1 });
    assert.equal(r.current()?.runs, undefined, 'one window is not yet a reference');
    r.offer(win(1, 2, 3));
    r.offer(win(2, 3, 5));
    const after = r.current();
    assert.equal(after, ref, 'the same profile reference');
    assert.deepEqual([after?.runs?.runs, after?.runs?.errorRuns, after?.runs?.windows], [5, 1, 2]);
    assert.equal(after?.features.get('x')?.count, 3, 'features still come from the profile');
    assert.equal(r.snapshotPool().length, 2, 'the live windows are kept for a restart');
  });

  it('is not ready until the warm-up windows are in, then stays fixed', () => {
    const r = new StreamReference(stream, resolveReferenceOptions({ windows: 2 }), []);
    r.offer(win(0, 1));
    assert.equal(r.current(), undefined);
    r.offer(win(1, 2, 0));
    assert.equal(r.current(), undefined, 'an empty window is not reference material');
    r.offer(win(2, 3));
    const ref = r.current();
    assert.ok(ref);
    r.offer(win(3, 4));
    assert.equal(r.current(), ref);
    assert.equal(ref.features.get('x')?.count, 2);
  });

  it('skips sliding windows that overlap the last reference window', () => {
    const r = new StreamReference(stream, resolveReferenceOptions({ windows: 2 }), []);
    r.offer(win(0, 3));
    r.offer(win(1, 4));
    r.offer(win(2, 5));
    assert.equal(r.current(), undefined);
    r.offer(win(3, 6));
    assert.deepEqual(
      r.snapshotPool().map((w) => w.startMs),
      [0, 3],
    );
  });

  it('builds a trailing reference only from windows that ended before the judged window starts', () => {
    const r = new StreamReference(stream, resolveReferenceOptions({ mode: 'trailing', windows: 2 }), []);
    for (const s of [0, 3, 6]) r.offer(win(s, s + 3));
    // A sliding window starting at 7 overlaps [6, 9): the reference is [0, 3) and [3, 6).
    const minOf = (at: number) => (r.current(at)?.features.get('x') as NumericSummary | undefined)?.min;
    assert.equal(minOf(7), 0);
    assert.equal(minOf(9), 3);
  });
});

describe('trailing reference in the Analyzer', () => {
  it('flags a lasting level change for a few windows, then takes it as the new normal', () => {
    const windows: WindowReport[] = [];
    const a = new Analyzer({
      window: { lengthMs: MIN },
      detectors: [new NullRateTestDetector(0.1)],
      reference: { mode: 'trailing', windows: 3 },
      listener: { onWindow: (w) => windows.push(w) },
    });
    const values = Array.from({ length: 100 }, (_, i) => i);
    for (let w = 0; w < 12; w++)
      a.ingest(componentSpan({ endMs: w * MIN + 1, features: { x: withNulls(values, w >= 6 ? 0.5 : 0) } }));
    a.flush();
    const flagged = windows.filter((w) => w.findings.length > 0).map((w) => w.startMs / MIN);
    // Reference null rates at windows 6, 7, 8: 0, 1/6, 1/3 against 0.5 (margin 0.1): flagged.
    // From window 9 the reference is windows 6-8, all at 0.5: the new normal.
    assert.deepEqual(flagged, [6, 7, 8]);
  });
});

describe('StreamReference with a profile that does not fit the stream', () => {
  const profileOf = (features: Record<string, unknown[]>, scope: Record<string, string> = {}): Profile => ({
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    source: 'train.csv',
    rows: 3,
    stream: scope,
    features: summarize(features).features,
    predictions: new Map(),
    schema: new Map(),
    segments: [],
  });

  it('refuses a profile made for every stream that shares no feature with this one, and falls back to warm-up', () => {
    const r = new StreamReference(
      stream,
      resolveReferenceOptions({ windows: 2, profiles: [profileOf({ age: [1, 2, 3] })] }),
      [],
    );
    assert.equal(r.source, 'profile');
    const warning = r.admit(win(0, MIN));
    assert.match(
      warning ?? '',
      /was not built for stream s\/c \(x: not among its columns\).*first 2 windows/,
    );
    assert.equal(r.source, 'warmup');
    assert.equal(r.current(), undefined);
    assert.equal(r.admit(win(MIN, 2 * MIN)), undefined, 'decided once');
  });

  it('binds a profile made for every stream to the stream its columns came from, on just those columns', () => {
    // The profile has the load step's columns; this stream records x and y, both profiled.
    const p = profileOf({ x: [1, 2, 3], y: [4, 5, 6], plan: ['a', 'b', 'a'] });
    const r = new StreamReference(stream, resolveReferenceOptions({ profiles: [p] }), []);
    const w = { ...win(0, MIN), features: summarize({ x: [1], y: [5] }).features };
    assert.equal(r.admit(w), undefined);
    const ref = r.current();
    assert.equal(ref?.source, 'profile');
    assert.deepEqual([...(ref?.features.keys() ?? [])], ['x', 'y']);
    assert.deepEqual([...(ref?.schema.keys() ?? [])].sort(), ['x', 'y'], 'plan is not expected here');
  });

  it('refuses a profile made for every stream when most of the stream’s columns are not in it, or one is of another kind', () => {
    const p = profileOf({ x: [1, 2, 3], y: [4, 5, 6] });
    const half = new StreamReference(stream, resolveReferenceOptions({ windows: 2, profiles: [p] }), []);
    const w = { ...win(0, MIN), features: summarize({ x: [1], z: [5] }).features };
    assert.match(
      half.admit(w) ?? '',
      /bound to stream s\/c by 1 of its 2 features; z are not among its columns/,
    );
    assert.deepEqual([...(half.current()?.features.keys() ?? [])], ['x']);
    const extra = new StreamReference(stream, resolveReferenceOptions({ windows: 2, profiles: [p] }), []);
    const most = { ...win(0, MIN), features: summarize({ x: [1], z: [5], v: [6] }).features };
    assert.match(
      extra.admit(most) ?? '',
      /not built for stream s\/c \(z: not among its columns; v: not among/,
    );
    assert.equal(extra.source, 'warmup');
    const kind = new StreamReference(stream, resolveReferenceOptions({ windows: 2, profiles: [p] }), []);
    const k = { ...win(0, MIN), features: summarize({ x: [1], y: ['five'] }).features };
    assert.match(kind.admit(k) ?? '', /y: categorical here, numeric in the profile/);
    assert.equal(kind.source, 'warmup');
  });

  it('keeps a fitting profile silently, and a profile named for this stream with a warning', () => {
    const fits = new StreamReference(
      stream,
      resolveReferenceOptions({ profiles: [profileOf({ x: [1, 2] })] }),
      [],
    );
    assert.equal(fits.admit(win(0, MIN)), undefined);
    assert.equal(fits.current()?.source, 'profile');
    const named = new StreamReference(
      stream,
      resolveReferenceOptions({ profiles: [profileOf({ age: [1, 2] }, { component: 'c' })] }),
      [],
    );
    assert.match(named.admit(win(0, MIN)) ?? '', /has 0 of the 1 features/);
    assert.equal(named.source, 'profile');
  });
});
