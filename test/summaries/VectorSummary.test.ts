import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SummaryMergeError } from '../../src/summaries/SummaryMergeError.js';
import { VectorSummary } from '../../src/summaries/VectorSummary.js';

describe('VectorSummary', () => {
  it('takes the dimension from the first valid row and counts other dimensions as invalid', () => {
    const s = new VectorSummary();
    s.addValues([[3, 4], new Float32Array([0, 1]), [1, 2, 3], null, 'text', [1, Number.NaN], [1, '2'], []]);
    assert.equal(s.dimension, 2);
    assert.equal(s.count, 2);
    assert.equal(s.nullCount, 1);
    assert.equal(s.invalidCount, 5);
    assert.equal(s.norm.max, 5);
    assert.equal(s.norm.min, 1);
    assert.deepEqual(Array.from(s.dimensionMeans ?? []), [1.5, 2.5]);
  });

  it('keeps per-dimension means only up to 64 dimensions', () => {
    const big = new VectorSummary();
    big.addValues([new Float32Array(65).fill(1)]);
    assert.equal(big.dimensionMeans, undefined);
    assert.equal(big.norm.max, Math.sqrt(65));
    const declared = new VectorSummary({ dimension: 3 });
    declared.addValues([[1, 1]]);
    assert.equal(declared.invalidCount, 1);
  });

  it('merges sums and norms, and refuses different dimensions', () => {
    const a = new VectorSummary();
    const b = new VectorSummary();
    a.addValues([[1, 0]]);
    b.addValues([[0, 1]]);
    const m = a.merge(b);
    assert.deepEqual(Array.from(m.dimensionMeans ?? []), [0.5, 0.5]);
    const c = new VectorSummary();
    c.addValues([[1, 2, 3]]);
    assert.throws(() => a.merge(c), SummaryMergeError);
  });
});
