import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QuantileSketch } from '../../src/summaries/QuantileSketch.js';
import { SummaryMergeError } from '../../src/summaries/SummaryMergeError.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

describe('QuantileSketch', () => {
  it('returns every quantile within the stated relative accuracy, for mixed-sign data with zeros', () => {
    const rand = lcg(1);
    const values: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const r = rand();
      values.push(r < 0.1 ? 0 : (rand() < 0.4 ? -1 : 1) * Math.exp(20 * rand() - 10));
    }
    const sketch = new QuantileSketch(0.01);
    sketch.addArray(Float64Array.from(values));
    const sorted = [...values].sort((a, b) => a - b);
    for (let q = 0; q <= 1; q += 0.01) {
      const exact = exactQuantile(sorted, q);
      const est = sketch.quantile(q);
      assert.ok(Math.abs(est - exact) <= 0.01 * Math.abs(exact) + 1e-300, `q=${q}: ${est} vs ${exact}`);
    }
  });

  it('honours a coarser configured accuracy and uses fewer buckets for it', () => {
    const fine = new QuantileSketch(0.01);
    const coarse = new QuantileSketch(0.05);
    const values = Array.from({ length: 5000 }, (_, i) => 1 + i * 0.37);
    fine.addArray(values);
    coarse.addArray(values);
    assert.ok(coarse.buckets().length < fine.buckets().length / 3);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.01, 0.5, 0.99]) {
      const exact = exactQuantile(sorted, q);
      assert.ok(Math.abs(coarse.quantile(q) - exact) <= 0.05 * exact);
    }
  });

  it('ignores NaN and infinities and counts everything else', () => {
    const s = new QuantileSketch();
    s.addArray([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1, -1, 0, -0, 5e-324]);
    assert.equal(s.count, 5);
    assert.equal(s.zeroCount, 3);
    s.add(Number.NaN);
    s.add(2);
    assert.equal(s.count, 6);
  });

  it('rank at every bucket upper boundary equals the exact number of values at or below it', () => {
    const rand = lcg(2);
    const values = [...Array.from({ length: 3000 }, () => (rand() - 0.3) * 1000), 0, 0];
    const s = new QuantileSketch();
    s.addArray(values);
    for (const b of s.buckets()) {
      const exact = values.filter((v) => v <= b.upper).length;
      assert.equal(s.rank(b.upper), exact, `boundary ${b.upper}`);
    }
    assert.equal(s.rank(Number.POSITIVE_INFINITY), 3002);
    assert.equal(s.rank(Number.NEGATIVE_INFINITY), 0);
  });

  it('rank between boundaries is a lower bound short by at most the bucket holding x', () => {
    const rand = lcg(3);
    const values = Array.from({ length: 2000 }, () => (rand() - 0.5) * 200);
    const s = new QuantileSketch();
    s.addArray(values);
    const buckets = s.buckets();
    for (const x of [-77.7, -3.3, -0.01, 0.5, 12.34, 99]) {
      const exact = values.filter((v) => v <= x).length;
      const own = buckets.find((b) => b.lower <= x && x <= b.upper)?.count ?? 0;
      const r = s.rank(x);
      assert.ok(r <= exact && exact <= r + own, `x=${x}: rank ${r}, exact ${exact}, bucket ${own}`);
    }
  });

  it('gives two sketches with the same accuracy identical bucket boundaries where both have data', () => {
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    a.addArray([1, 2, 3, 10, 100]);
    b.addArray([1.001, 2.5, 100.2, 3000]);
    const boundsA = new Map(a.buckets().map((x) => [x.upper, x.lower]));
    for (const x of b.buckets()) {
      const lower = boundsA.get(x.upper);
      if (lower !== undefined) assert.equal(lower, x.lower);
    }
    // 1 and 1.001 fall in the same bucket in both sketches.
    assert.equal(a.buckets()[0].upper, b.buckets()[0].upper);
  });

  it('lists buckets in ascending order with counts adding up to the count', () => {
    const s = new QuantileSketch();
    s.addArray([-5, -0.5, 0, 0.5, 5, 50]);
    const buckets = s.buckets();
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].lower >= buckets[i - 1].upper);
    assert.equal(
      buckets.reduce((t, b) => t + b.count, 0),
      s.count,
    );
    for (const b of buckets) assert.ok(b.lower <= b.upper);
  });

  it('merges by adding bucket counts, identical to sketching the union', () => {
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    const all = new QuantileSketch();
    const xs = [1, 2, 3, -4, 0, 1e6];
    const ys = [2, 2, 7e-5, -1e3];
    a.addArray(xs);
    b.addArray(ys);
    all.addArray([...xs, ...ys]);
    const merged = a.merge(b);
    assert.deepEqual(merged.buckets(), all.buckets());
    assert.equal(a.count, xs.length, 'inputs stay unchanged');
  });

  it('refuses to merge sketches of different accuracy with an error naming both', () => {
    assert.throws(
      () => new QuantileSketch(0.01).merge(new QuantileSketch(0.02)),
      (err: unknown) => err instanceof SummaryMergeError && /0\.01 vs 0\.02/.test(err.message),
    );
  });

  it('keeps at most maxBuckets per sign by collapsing the smallest magnitudes, upper quantiles stay accurate', () => {
    const s = new QuantileSketch(0.01, 64);
    const values = Array.from({ length: 2000 }, (_, i) => 2 ** (i / 40 - 20));
    s.addArray(values);
    assert.ok(s.buckets().length <= 64);
    assert.equal(s.count, 2000);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.99, 0.999, 1]) {
      const exact = exactQuantile(sorted, q);
      assert.ok(Math.abs(s.quantile(q) - exact) <= 0.01 * exact);
    }
  });

  it('collapses the same way whatever the insertion order', () => {
    const values = Array.from({ length: 500 }, (_, i) => 1.1 ** (i - 250));
    const up = new QuantileSketch(0.01, 32);
    const down = new QuantileSketch(0.01, 32);
    up.addArray(values);
    down.addArray([...values].reverse());
    assert.deepEqual(up.buckets(), down.buckets());
  });

  it('rejects an out-of-range accuracy or bucket limit with the value in the message', () => {
    assert.throws(() => new QuantileSketch(0), /relativeAccuracy must be in \(0, 0.5\], got 0/);
    assert.throws(() => new QuantileSketch(0.01, 3), /maxBuckets must be an integer ≥ 16, got 3/);
  });
});
