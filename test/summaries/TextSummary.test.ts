import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextSummary } from '../../src/summaries/TextSummary.js';

describe('TextSummary', () => {
  it('summarizes string lengths and counts non-strings as invalid', () => {
    const s = new TextSummary();
    s.addValues(['ab', 'abcd', null, 5, undefined, 'abcdef']);
    assert.equal(s.count, 3);
    assert.equal(s.nullCount, 2);
    assert.equal(s.invalidCount, 1);
    assert.equal(s.length.mean, 4);
    assert.equal(s.length.max, 6);
    assert.equal(s.distinct(), 3);
  });

  it('counts an 8 MB string by its full length but hashes only its first 64 KiB', () => {
    const huge = 'a'.repeat(8 * 1024 * 1024);
    const s = new TextSummary();
    s.addValues([`${huge}b`, `${huge}c`, `${huge}bb`]);
    assert.equal(s.count, 3);
    assert.equal(s.length.max, huge.length + 2);
    // Same prefix and length: indistinguishable by design. A different length still tells them apart.
    assert.equal(s.distinct(), 2);
  });

  it('merges lengths and distinct counters', () => {
    const a = new TextSummary();
    const b = new TextSummary();
    a.addValues(['x', 'yy']);
    b.addValues(['yy', 'zzz']);
    const m = a.merge(b);
    assert.equal(m.count, 4);
    assert.equal(m.distinct(), 3);
    assert.equal(m.length.mean, 2);
  });
});
