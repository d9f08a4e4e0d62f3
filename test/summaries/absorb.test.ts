import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DenseStore } from '../../src/summaries/DenseStore.js';
import {
  deserializeFeatureBase64,
  type FeatureSummary,
  mergeFeature,
  mergeFeatureInto,
  serializeFeatureBase64,
  summarize,
} from '../../src/summaries/index.js';
import { normals, rng } from '../analysis/fixtures.js';

function batch(seed: number, shift: number): Map<string, FeatureSummary> {
  const r = rng(seed);
  const cats = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  return summarize({
    x: normals(300, r, shift, 1 + shift),
    wide: normals(300, r).map((v) => v * 10 ** (6 * r())),
    c: Array.from({ length: 300 }, () => cats[Math.floor(r() ** 2 * (cats.length + shift))] ?? `z${shift}`),
  }).features;
}

describe('merging into a summary in place', () => {
  it('gives exactly the summary a pure merge gives, for numeric and categorical features, over many batches', () => {
    const batches = Array.from({ length: 12 }, (_, i) => batch(i + 1, i % 4));
    for (const name of ['x', 'wide', 'c']) {
      let pure = batches[0]!.get(name)!;
      let owned = mergeFeature(pure, batches[1]!.get(name)!);
      pure = mergeFeature(pure, batches[1]!.get(name)!);
      for (const b of batches.slice(2)) {
        pure = mergeFeature(pure, b.get(name)!);
        const next = mergeFeatureInto(owned, b.get(name)!);
        assert.equal(next, owned, `${name}: merged in place`);
        owned = next;
      }
      assert.equal(serializeFeatureBase64(owned), serializeFeatureBase64(pure), name);
    }
  });

  it('leaves the summary it merges from unchanged', () => {
    const into = mergeFeature(batch(1, 0).get('x')!, batch(2, 0).get('x')!);
    const from = batch(3, 2).get('x')!;
    const before = serializeFeatureBase64(from);
    mergeFeatureInto(into, from);
    assert.equal(serializeFeatureBase64(from), before);
  });

  it('refuses sketches of different accuracy without changing the target', () => {
    const a = summarize({ x: [1, 2, 3] }).features.get('x')!;
    const b = summarize({ x: [4, 5] }, { relativeAccuracy: 0.05 }).features.get('x')!;
    const before = serializeFeatureBase64(a);
    assert.throws(() => mergeFeatureInto(a, b), /different parameters/);
    assert.equal(serializeFeatureBase64(a), before);
  });
});

describe('DenseStore bulk paths', () => {
  it('merges a store exactly as adding its buckets one by one would, folded or not', () => {
    const r = rng(9);
    for (const maxBuckets of [16, 64, 4096]) {
      const a = new DenseStore(maxBuckets);
      const b = new DenseStore(maxBuckets);
      const expected = new DenseStore(maxBuckets);
      for (let i = 0; i < 200; i++) {
        const ia = Math.floor(r() * 80) - 20;
        const ib = Math.floor(r() * 120);
        a.add(ia);
        b.add(ib, 2);
      }
      for (let i = a.lo; i <= a.hi; i++) if (a.get(i)) expected.add(i, a.get(i));
      for (let i = b.hi; i >= b.lo; i--) if (b.get(i)) expected.add(i, b.get(i));
      a.mergeFrom(b);
      assert.equal(a.total(), expected.total());
      for (let i = -40; i < 140; i++)
        assert.equal(a.get(i), expected.get(i), `maxBuckets ${maxBuckets}, index ${i}`);
    }
  });

  it('fills an empty store from ascending buckets with one allocation, folding a range wider than maxBuckets', () => {
    const indices = [3, 5, 9, 40];
    const counts = [1, 2, 3, 4];
    const filled = new DenseStore(16);
    filled.fillAscending(indices, counts, 4);
    const added = new DenseStore(16);
    for (let k = 3; k >= 0; k--) added.add(indices[k]!, counts[k]!);
    for (let i = 0; i < 45; i++) assert.equal(filled.get(i), added.get(i), `index ${i}`);
    assert.equal(filled.lo, 25, 'the three low buckets fold into the lowest kept one');
    assert.equal(filled.get(25), 6);
  });
});

describe('summary base64', () => {
  const good = serializeFeatureBase64(summarize({ x: [1, 2, 3] }).features.get('x')!);

  it('reads canonical base64', () => {
    assert.equal(deserializeFeatureBase64(good).count, 3);
  });

  it('refuses text with characters outside the alphabet, URL-safe letters, or misplaced padding', () => {
    const bad = [
      `${good.slice(0, 4)} ${good.slice(5)}`,
      `-${good.slice(1)}`,
      `_${good.slice(1)}`,
      `${good.slice(0, 8)}====${good.slice(12)}`,
      `${good.slice(0, -4)}A=A=`,
      `${good.slice(0, 4)}é${good.slice(5)}`,
    ];
    for (const text of bad) assert.throws(() => deserializeFeatureBase64(text), /not valid base64/, text);
  });
});
