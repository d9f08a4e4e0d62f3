import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cholesky } from '../../../bench/detection/cholesky.js';

describe('cholesky', () => {
  it('factors a correlation matrix so that L·Lᵀ gives it back', () => {
    const a = [
      [1, 0.6, 0.36],
      [0.6, 1, 0.6],
      [0.36, 0.6, 1],
    ];
    const l = cholesky(a);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += (l[i]?.[k] ?? 0) * (l[j]?.[k] ?? 0);
        assert.ok(Math.abs(s - (a[i]?.[j] ?? 0)) < 1e-12, `(${i}, ${j}): ${s}`);
      }
      for (let j = i + 1; j < 3; j++) assert.equal(l[i]?.[j], 0);
    }
  });

  it('refuses a matrix that is not positive definite, naming the pivot', () => {
    assert.throws(
      () =>
        cholesky([
          [1, 2],
          [2, 1],
        ]),
      /not positive definite \(pivot 1/,
    );
  });
});
