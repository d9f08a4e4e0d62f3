import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  columnNames,
  tensorFeatures,
  tensorPredictions,
} from '../../../src/instrumentation/shared/tensors.js';

describe('tensor conversion', () => {
  it('names columns from config when the count fits, else <input>[i]', () => {
    const t = { name: 'x', data: new Float32Array(6), dims: [3, 2], type: 'float32' };
    assert.deepEqual(columnNames(t, ['a', 'b']), ['a', 'b']);
    assert.deepEqual(columnNames(t, ['a']), ['x[0]', 'x[1]']);
    assert.deepEqual(columnNames({ ...t, dims: [6] }, undefined), ['x']);
  });

  it('turns several inputs into columns, strings staying categorical', () => {
    const f = tensorFeatures(
      [
        { name: 'amount', data: new Float32Array([1, 2]), dims: [2], type: 'float32' },
        { name: 'country', data: ['fr', 'de'], dims: [2, 1], type: 'string' },
      ],
      () => undefined,
    ) as Record<string, unknown[]>;
    assert.deepEqual(f.amount, [1, 2]);
    assert.deepEqual(f['country'], ['fr', 'de']);
  });

  it('reads [N, K] floats as probabilities, [N] floats as values and int64 labels as classes', () => {
    const p = tensorPredictions(
      { name: 'p', data: new Float32Array([0.2, 0.8]), dims: [1, 2], type: 'float32' },
      ['no', 'yes'],
    );
    assert.ok(p && 'probabilities' in p);
    assert.deepEqual(p.classNames, ['no', 'yes']);
    const v = tensorPredictions(
      { name: 'y', data: new Float32Array([3.5]), dims: [1], type: 'float32' },
      undefined,
    );
    assert.ok(v && 'values' in v);
    const c = tensorPredictions(
      { name: 'label', data: new BigInt64Array([1n, 0n]), dims: [2], type: 'int64' },
      ['ok', 'fraud'],
    );
    assert.ok(c && 'classes' in c);
    assert.deepEqual(Array.from(c.classes), ['fraud', 'ok']);
  });
});
