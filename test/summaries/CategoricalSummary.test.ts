import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CategoricalSummary } from '../../src/summaries/CategoricalSummary.js';

describe('CategoricalSummary', () => {
  it('reports exact counts with zero error when there are fewer distinct values than counters', () => {
    const s = new CategoricalSummary();
    s.addValues(['a', 'b', 'a', true, false, true, null, undefined, Number.NaN, { x: 1 }, ['a']]);
    assert.deepEqual(s.top(), [
      { value: 'a', count: 2 },
      { value: 'true', count: 2 },
      { value: 'b', count: 1 },
      { value: 'false', count: 1 },
    ]);
    assert.equal(s.topError, 0);
    assert.equal(s.count, 6);
    assert.equal(s.nullCount, 3);
    assert.equal(s.invalidCount, 2);
    assert.equal(s.distinct(), 4);
  });

  it('counts numbers as invalid unless the feature accepts them (declared categorical)', () => {
    const inferred = new CategoricalSummary();
    inferred.addValues(['a', 1, 2n], false);
    assert.equal(inferred.invalidCount, 2);
    const declared = new CategoricalSummary();
    declared.addValues([1, 1, 2n, 3.5], true);
    assert.deepEqual(
      declared.top().map((e) => e.value),
      ['1', '2', '3.5'],
    );
  });

  it('bounds the over-count by n/(k+1) and keeps every value more frequent than the error', () => {
    const s = new CategoricalSummary({ topK: 8 });
    const values: string[] = [];
    for (let i = 0; i < 20000; i++)
      values.push(i % 4 === 0 ? 'hot' : i % 10 === 1 ? 'warm' : `cold${i % 5000}`);
    s.addValues(values);
    const truth = new Map<string, number>();
    for (const v of values) truth.set(v, (truth.get(v) ?? 0) + 1);
    const err = s.topError;
    assert.ok(err <= 20000 / 9, `error ${err}`);
    for (const e of s.top()) {
      const t = truth.get(e.value) ?? 0;
      assert.ok(e.count >= t && e.count <= t + err, `${e.value}: ${e.count} vs ${t}`);
    }
    const listed = new Set(s.top().map((e) => e.value));
    for (const [v, t] of truth) if (t > err) assert.ok(listed.has(v), `${v} (${t}) missing`);
    assert.equal(s.top()[0].value, 'hot');
  });

  it('estimates distinct counts within three standard errors', () => {
    const s = new CategoricalSummary();
    const n = 50000;
    s.addValues(Array.from({ length: n }, (_, i) => `user-${i}`));
    const rel = Math.abs(s.distinct() - n) / n;
    assert.ok(rel < 3 * s.distinctRelativeError, `relative error ${rel}`);
  });

  it('truncates values longer than maxValueLength so huge strings stay cheap', () => {
    const s = new CategoricalSummary({ maxValueLength: 8 });
    s.addValues(['x'.repeat(10_000_000), `${'x'.repeat(8)}y`]);
    assert.deepEqual(s.top(), [{ value: 'xxxxxxxx', count: 2 }]);
  });
});
