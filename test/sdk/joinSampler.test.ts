import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchRowIds, hashId, sampleJoinRows } from '../../src/sdk/joinSampler.js';

describe('sampleJoinRows', () => {
  it('keeps every row when the batch is not larger than the bound', () => {
    assert.deepEqual(sampleJoinRows(['a', 'b', 'c'], 3), [0, 1, 2]);
  });

  it('returns exactly k rows in ascending order', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `req-${i}`);
    const rows = sampleJoinRows(ids, 1000);
    assert.equal(rows.length, 1000);
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i] > rows[i - 1]);
  });

  it('picks the same ids from a prediction batch and a later label batch sharing them', () => {
    const predictions = Array.from({ length: 20_000 }, (_, i) => `p${i}`);
    // Labels arrive for a shuffled subset, in another batch.
    const labels = predictions.filter((_, i) => i % 3 === 0).reverse();
    const k = 500;
    const predicted = new Set(sampleJoinRows(predictions, k).map((r) => predictions[r]));
    const labelled = sampleJoinRows(labels, k).map((r) => labels[r]);
    // Bottom-k on a shared hash: every sampled predicted id that has a label is also sampled on the label side.
    const labelSet = new Set(labels);
    const expected = [...predicted].filter((id) => labelSet.has(id));
    const labelledSet = new Set(labelled);
    assert.ok(expected.length > 100, `expected a sizeable overlap, got ${expected.length}`);
    for (const id of expected) assert.ok(labelledSet.has(id), `${id} sampled on prediction side only`);
  });

  it('samples roughly uniformly over row positions', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `batch-7:${i}`);
    const rows = sampleJoinRows(ids, 1000);
    const firstHalf = rows.filter((r) => r < 50_000).length;
    // Binomial(1000, 0.5): sd ≈ 16; 6 sd bound makes a false failure practically impossible.
    assert.ok(Math.abs(firstHalf - 500) < 100, `first half got ${firstHalf} of 1000`);
  });

  it('picks exactly the k smallest hashes, as a full sort would', () => {
    for (const n of [2, 3, 10, 1001, 5000]) {
      for (const k of [1, 2, 7, 1000]) {
        const ids = Array.from({ length: n }, (_, i) => `x${i}-${n}`);
        const bySort = ids
          .map((id, i) => [hashId(id), i] as const)
          .sort((a, b) => a[0] - b[0])
          .slice(0, k)
          .map((x) => x[1])
          .sort((a, b) => a - b);
        assert.deepEqual(sampleJoinRows(ids, k), bySort, `n=${n} k=${k}`);
      }
    }
  });

  it('samples only eligible rows', () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `e${i}`);
    const rows = sampleJoinRows(ids, 100, (r) => r % 2 === 0);
    assert.equal(rows.length, 100);
    assert.ok(rows.every((r) => r % 2 === 0));
  });

  it('returns no rows for k = 0', () => {
    assert.deepEqual(sampleJoinRows(['a', 'b'], 0), []);
  });
});

describe('batchRowIds', () => {
  it('hashes "<batchId>:<position>" exactly as hashId does, without building the string', () => {
    for (const batchId of ['b', 'batch-42', 'ünïcode-批']) {
      const positions = [0, 1, 9, 10, 99, 12345, 2 ** 40 + 7];
      const src = batchRowIds(batchId, positions.length, positions);
      positions.forEach((p, row) => {
        assert.equal(src.id(row), `${batchId}:${p}`);
        assert.equal(src.hash(row), hashId(`${batchId}:${p}`), `${batchId}:${p}`);
      });
    }
  });

  it('samples the same rows as the equivalent explicit ids', () => {
    const n = 3000;
    const explicit = Array.from({ length: n }, (_, i) => `b7:${i}`);
    assert.deepEqual(sampleJoinRows(batchRowIds('b7', n), 100), sampleJoinRows(explicit, 100));
  });
});

describe('hashId', () => {
  it('is deterministic and spreads near-identical ids apart', () => {
    assert.equal(hashId('abc'), hashId('abc'));
    assert.notEqual(hashId('id:1'), hashId('id:2'));
    assert.ok(Number.isSafeInteger(hashId('anything')));
  });
});
