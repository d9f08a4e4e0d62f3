import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from '../../src/summaries/summarize.js';
import type { FeatureSummary } from '../../src/summaries/types.js';

function kinds(features: Map<string, FeatureSummary>): Record<string, string> {
  return Object.fromEntries([...features].map(([k, s]) => [k, s.kind]));
}

describe('summarize', () => {
  it('infers numeric, categorical, text and vector features from columns', () => {
    const batch = summarize({
      f64: new Float64Array([1, 2, 3]),
      ints: new Int32Array([1, 2, 3]),
      nums: [1.5, 2, null],
      cats: ['a', 'b', 'a'],
      flags: [true, false, true],
      text: ['x'.repeat(100), 'y'.repeat(80), 'z'.repeat(90)],
      vec: [[1, 2], [3, 4], new Float32Array([5, 6])],
      empty: [null, null, null],
    });
    assert.equal(batch.rows, 3);
    assert.deepEqual(kinds(batch.features), {
      f64: 'numeric',
      ints: 'numeric',
      nums: 'numeric',
      cats: 'categorical',
      flags: 'categorical',
      text: 'text',
      vec: 'vector',
      empty: 'numeric',
    });
  });

  it('lets the majority type win a mixed column and counts the rest as invalid', () => {
    const batch = summarize({
      mixed: [1, 2, 'three', 4, { nested: true }, [1]],
      mostlyStrings: ['a', 'b', 3],
    });
    const mixed = batch.features.get('mixed')!;
    assert.equal(mixed.kind, 'numeric');
    assert.equal(mixed.count, 3);
    assert.equal(mixed.invalidCount, 3);
    const strings = batch.features.get('mostlyStrings')!;
    assert.equal(strings.kind, 'categorical');
    assert.equal(strings.invalidCount, 1);
  });

  it('follows a declared schema over inference, with per-feature parameters', () => {
    const batch = summarize(
      { code: [1, 2, 2, 3], note: ['short', 'text'], score: ['1', '2'] },
      {
        schema: {
          code: 'categorical',
          note: { kind: 'text' },
          score: { kind: 'numeric', relativeAccuracy: 0.05 },
        },
      },
    );
    const code = batch.features.get('code')!;
    assert.equal(code.kind, 'categorical');
    assert.equal(code.kind === 'categorical' && code.top()[0].value, '2');
    assert.equal(batch.features.get('note')!.kind, 'text');
    const score = batch.features.get('score')!;
    assert.equal(score.kind === 'numeric' && score.sketch.relativeAccuracy, 0.05);
    assert.equal(score.invalidCount, 2);
  });

  it('names the feature whose declared parameters are out of range', () => {
    assert.throws(
      () => summarize({ x: [1] }, { schema: { x: { kind: 'numeric', relativeAccuracy: 2 } } }),
      /feature "x": relativeAccuracy must be in \(0, 0\.5\], got 2/,
    );
    assert.throws(() => summarize({ c: ['a'] }, { topK: 0 }), /feature "c": topK must be an integer/);
  });

  it('reports a declared feature missing from the batch as all-null', () => {
    const batch = summarize({ a: [1, 2] }, { schema: { gone: 'numeric' } });
    assert.equal(batch.features.get('gone')?.nullCount, 2);
  });

  it('reads rows, treating missing keys as null and non-object rows as invalid', () => {
    const batch = summarize([
      { a: 1, b: 'x' },
      { a: 2 },
      null as unknown as Record<string, unknown>,
      { b: 'y', c: 5 },
    ]);
    assert.equal(batch.rows, 4);
    const a = batch.features.get('a')!;
    assert.deepEqual([a.count, a.nullCount, a.invalidCount], [2, 1, 1]);
    const c = batch.features.get('c')!;
    assert.deepEqual([c.count, c.nullCount, c.invalidCount], [1, 2, 1]);
  });

  it('reads a row-major 2-D tensor column by column', () => {
    const batch = summarize({
      data: new Float32Array([1, 10, 2, 20, 3, 30]),
      shape: [3, 2],
      columns: ['x', 'y'],
    });
    const y = batch.features.get('y')!;
    assert.equal(y.kind === 'numeric' && y.mean, 20);
    assert.equal(batch.rows, 3);
  });

  it('rejects a tensor whose shape does not match its data, saying by how much', () => {
    assert.throws(
      () => summarize({ data: [1, 2, 3], shape: [2, 2], columns: ['a', 'b'] }),
      /tensor data has 3 values but shape \[2, 2\] needs 4/,
    );
    assert.throws(
      () => summarize({ data: [1, 2], shape: [1, 2], columns: ['a'] }),
      /2 columns but 1 column names/,
    );
  });

  it('rejects a column that is not array-like, naming it', () => {
    assert.throws(() => summarize({ bad: 5 as unknown as number[] }), /column "bad" must be an array/);
    assert.throws(() => summarize(null as unknown as Record<string, unknown[]>), /got null/);
  });

  it('pads shorter columns with nulls up to the longest column', () => {
    const batch = summarize({ long: [1, 2, 3, 4], short: [1] });
    assert.equal(batch.features.get('short')!.nullCount, 3);
  });

  it('never throws on hostile cells', () => {
    const hostile = [
      Symbol('s'),
      () => 1,
      new Date(),
      Object.create(null),
      new Map(),
      10n,
      -0,
      'x'.repeat(1e6),
    ];
    const batch = summarize({ h: hostile });
    const h = batch.features.get('h')!;
    assert.equal(h.count + h.nullCount + h.invalidCount, hostile.length);
  });
});
