import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WindowReport } from '../../src/analysis/AnalysisListener.js';
import { Analyzer } from '../../src/analysis/Analyzer.js';
import { type Profile, parseProfile, profileMatches, serializeProfile } from '../../src/analysis/profile.js';
import { type NumericSummary, summarize } from '../../src/summaries/index.js';
import { componentSpan, NullRateTestDetector } from './fixtures.js';

function profile(): Profile {
  const all = summarize({ age: [18, 30, 45, 60, null], city: ['paris', 'oslo', 'paris', 'rome', 'oslo'] });
  return {
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    source: 'train.csv',
    rows: 5,
    stream: { pipeline: 'churn' },
    features: all.features,
    predictions: new Map(),
    schema: new Map([['age', { kind: 'numeric', nullable: true, min: 0, max: 120 }]]),
    segments: [
      { rows: 2, features: summarize({ age: [18, 30] }).features, predictions: new Map() },
      { rows: 3, features: summarize({ age: [45, 60, null] }).features, predictions: new Map() },
    ],
  };
}

function json(): Record<string, unknown> {
  return JSON.parse(serializeProfile(profile()));
}

describe('profile', () => {
  it('round-trips summaries, schema, stream filter and segments', () => {
    const p = parseProfile(serializeProfile(profile()));
    assert.equal(p.source, 'train.csv');
    assert.equal(p.rows, 5);
    assert.deepEqual(p.stream, { pipeline: 'churn' });
    const age = p.features.get('age') as NumericSummary;
    assert.equal(age.kind, 'numeric');
    assert.equal(age.count, 4);
    assert.equal(age.nullCount, 1);
    assert.equal(age.max, 60);
    assert.equal(p.features.get('city')?.kind, 'categorical');
    assert.deepEqual(p.schema.get('age'), { kind: 'numeric', nullable: true, min: 0, max: 120 });
    assert.equal(p.segments.length, 2);
    assert.equal(p.segments[1]!.features.get('age')?.nullCount, 1);
  });

  it('matches only streams whose fields it names', () => {
    const p = profile();
    assert.equal(profileMatches(p, { service: 'a', pipeline: 'churn', component: 'x', model: '' }), true);
    assert.equal(profileMatches(p, { service: 'a', pipeline: 'fraud', component: 'x', model: '' }), false);
  });

  const bad: [string, (j: Record<string, unknown>) => void, RegExp][] = [
    ['a wrong format marker', (j) => (j.format = 'other'), /profile\.format: must be "mlobs\.profile"/],
    ['an unknown version', (j) => (j.version = 2), /profile\.version: must be 1/],
    ['a negative row count', (j) => (j.rows = -1), /profile\.rows: must be an integer >= 0/],
    ['a missing createdAt', (j) => delete j.createdAt, /profile\.createdAt/],
    [
      'a truncated summary',
      (j) => {
        const f = j.features as Record<string, string>;
        f.age = f.age!.slice(0, 12);
      },
      /profile\.features\["age"\]: is not a valid summary/,
    ],
    [
      'a schema kind that does not exist',
      (j) => ((j.schema as Record<string, Record<string, unknown>>).age!.kind = 'number'),
      /profile\.schema\["age"\]\.kind: must be one of numeric/,
    ],
    [
      'a schema with min above max',
      (j) => ((j.schema as Record<string, Record<string, unknown>>).age!.min = 500),
      /profile\.schema\["age"\]\.min: must be <= max/,
    ],
    [
      'a segment without rows',
      (j) => delete (j.segments as Record<string, unknown>[])[1]!.rows,
      /profile\.segments\[1\]\.rows/,
    ],
    [
      'an unknown stream field',
      (j) => ((j.stream as Record<string, unknown>).team = 'x'),
      /profile\.stream\.team/,
    ],
  ];
  for (const [what, mutate, message] of bad)
    it(`rejects a profile with ${what}, naming the field`, () => {
      const j = json();
      mutate(j);
      assert.throws(
        () => parseProfile(JSON.stringify(j)),
        (err: Error & { code?: string }) =>
          err.code === 'MLOBS_ERR_PROFILE_INVALID' && message.test(err.message),
      );
    });

  it('rejects text that is not JSON', () => {
    assert.throws(() => parseProfile('{nope'), /invalid profile: profile: is not JSON/);
  });

  it('lets a matching stream be judged from its first window', () => {
    const windows: WindowReport[] = [];
    const a = new Analyzer({
      window: { lengthMs: 60_000 },
      detectors: [new NullRateTestDetector(0.1)],
      reference: { profiles: [profile()] },
      listener: { onWindow: (w) => windows.push(w) },
    });
    // The profile's age null rate is 1/5; 3 of 4 nulls is a jump of 0.55.
    a.ingest(componentSpan({ endMs: 1_000, features: { age: [null, null, null, 40] } }));
    a.flush();
    assert.equal(windows.length, 1);
    assert.equal(windows[0]!.referenceSource, 'profile');
    assert.equal(windows[0]!.findings.length, 1);
    assert.equal(windows[0]!.findings[0]!.feature, 'age');
  });
});
