import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProfileBuilder } from '../../src/analysis/ProfileBuilder.js';
import { MlobsError } from '../../src/errors.js';

describe('ProfileBuilder', () => {
  it('counts the nulls a column had before its first value, in the kind its values later show', () => {
    const b = new ProfileBuilder({ source: 't', chunkRows: 10, cellsAreText: true });
    for (let i = 0; i < 30; i++) b.add({ x: i < 15 ? null : String(i), y: 'a' });
    const p = b.finish();
    const x = p.features.get('x')!;
    assert.equal(x.kind, 'numeric');
    assert.equal(x.nullCount, 15);
    assert.equal(x.count, 15);
    assert.ok(x.kind === 'numeric' && x.min === 15 && x.max === 29);
  });

  it('keeps a column numeric across chunks and counts text in it as invalid', () => {
    const b = new ProfileBuilder({ source: 't', chunkRows: 5, cellsAreText: true });
    for (let i = 0; i < 10; i++) b.add({ v: i === 7 ? 'n/a' : String(i) });
    const v = b.finish().features.get('v')!;
    assert.equal(v.kind, 'numeric');
    assert.equal(v.count, 9);
    assert.equal(v.invalidCount, 1);
  });

  it('folds segments pairwise beyond the cap, keeping every row', () => {
    const b = new ProfileBuilder({ source: 't', chunkRows: 10, maxSegments: 4 });
    for (let i = 0; i < 95; i++) b.add({ v: i });
    const p = b.finish();
    assert.ok(p.segments.length <= 4, `segments: ${p.segments.length}`);
    assert.equal(
      p.segments.reduce((n, s) => n + s.rows, 0),
      95,
    );
    assert.equal(
      p.segments.reduce((n, s) => n + (s.features.get('v')?.count ?? 0), 0),
      95,
    );
  });

  it('refuses data without rows', () => {
    assert.throws(
      () => new ProfileBuilder({ source: 'empty.csv' }).finish(),
      (e: unknown) => e instanceof MlobsError && /empty\.csv: no data rows/.test(e.message),
    );
  });
});
