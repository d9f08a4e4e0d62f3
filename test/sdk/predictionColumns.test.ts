import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { predictionColumns, RecordInputError } from '../../src/sdk/predictionColumns.js';

describe('predictionColumns', () => {
  it('derives class, confidence, entropy and per-class scores from probabilities', () => {
    const c = predictionColumns(
      {
        probabilities: [
          [0.1, 0.7, 0.2],
          [0.5, 0.25, 0.25],
        ],
        classNames: ['cat', 'dog', 'bird'],
      },
      10,
    );
    assert.equal(c.task, 'classification');
    assert.equal(c.rows, 2);
    assert.deepEqual(c.columns.class, ['dog', 'cat']);
    assert.deepEqual([...(c.columns.confidence as Float64Array)], [0.7, 0.5]);
    const h0 = -(0.1 * Math.log(0.1) + 0.7 * Math.log(0.7) + 0.2 * Math.log(0.2));
    assert.ok(Math.abs((c.columns.entropy[0] as number) - h0) < 1e-12);
    assert.deepEqual([...(c.columns['score.bird'] as Float64Array)], [0.2, 0.25]);
    assert.equal(c.kinds.class, 'categorical');
    assert.deepEqual([...(c.scores ?? [])], [0.7, 0.5]);
  });

  it('uses the positive-class probability as the score of a binary classifier', () => {
    const c = predictionColumns({ probabilities: { data: [0.9, 0.1, 0.3, 0.7], shape: [2, 2] } }, 10);
    assert.deepEqual(c.classes, ['0', '1']);
    assert.deepEqual([...(c.scores ?? [])], [0.1, 0.7]);
  });

  it('leaves out per-class scores when there are more classes than the bound', () => {
    const probs = [Array.from({ length: 12 }, () => 1 / 12)];
    const c = predictionColumns({ probabilities: probs }, 10);
    assert.deepEqual(Object.keys(c.columns).sort(), ['class', 'confidence', 'entropy']);
  });

  it('marks a row with a non-finite probability as missing instead of guessing', () => {
    const c = predictionColumns(
      {
        probabilities: [
          [Number.NaN, 0.5],
          [0.2, 0.8],
        ],
      },
      10,
    );
    assert.deepEqual(c.classes, [null, '1']);
    // NaN is how a derived numeric column says "missing": the summaries count it as null.
    assert.deepEqual([...(c.columns.confidence as Float64Array)], [Number.NaN, 0.8]);
    assert.deepEqual([...(c.columns['score.1'] as Float64Array)], [0.5, 0.8]);
  });

  it('rejects ragged rows, naming the row', () => {
    assert.throws(
      () => predictionColumns({ probabilities: [[0.5, 0.5], [1]] }, 10),
      (e: unknown) =>
        e instanceof RecordInputError && /probabilities\[1\] has 1 classes, row 0 has 2/.test(e.message),
    );
  });

  it('rejects a tensor whose data does not match its shape', () => {
    assert.throws(
      () => predictionColumns({ probabilities: { data: [0.5], shape: [2, 2] } }, 10),
      /has 1 values, shape 2x2 needs 4/,
    );
  });

  it('rejects class names that do not match the columns', () => {
    assert.throws(
      () => predictionColumns({ probabilities: [[0.5, 0.5]], classNames: ['a'] }, 10),
      /classNames has 1 names but probabilities have 2 columns/,
    );
  });

  it('takes regression values and predicted classes as they are', () => {
    const r = predictionColumns({ values: new Float64Array([1.5, 2]) }, 10);
    assert.equal(r.task, 'regression');
    assert.deepEqual([...(r.values as Float64Array)], [1.5, 2]);
    const k = predictionColumns({ classes: [1, null, 'x'] }, 10);
    assert.deepEqual(k.classes, ['1', null, 'x']);
  });

  it('rejects outputs that are not an array, naming them', () => {
    assert.throws(
      () => predictionColumns({ values: 'oops' as never }, 10),
      /outputs\.values must be an array/,
    );
  });
});
