import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NumericSummary } from '../../src/summaries/NumericSummary.js';

describe('NumericSummary', () => {
  it('counts nulls, NaN, infinities and wrong types apart from the finite values', () => {
    const s = new NumericSummary();
    s.addValues([
      1,
      null,
      undefined,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      'x',
      true,
      {},
      3,
    ]);
    assert.equal(s.count, 2);
    assert.equal(s.nullCount, 3);
    assert.equal(s.infiniteCount, 2);
    assert.equal(s.invalidCount, 3);
    assert.equal(s.min, 1);
    assert.equal(s.max, 3);
    assert.equal(s.mean, 2);
    assert.equal(s.variance, 1);
    assert.equal(s.sketch.count, 2);
  });

  it('accepts bigints as numbers', () => {
    const s = new NumericSummary();
    s.addValues([10n, 20n]);
    assert.equal(s.count, 2);
    assert.equal(s.mean, 15);
  });

  it('reports NaN statistics when nothing finite was seen', () => {
    const s = new NumericSummary();
    s.addValues([null, Number.NaN]);
    assert.equal(s.count, 0);
    for (const v of [s.min, s.max, s.mean, s.variance, s.quantile(0.5)]) assert.ok(Number.isNaN(v));
    assert.deepEqual(s.histogram(4), [0, 0, 0, 0]);
  });

  it('keeps mean and variance accurate when the mean dwarfs the spread (1e9 + small noise)', () => {
    const s = new NumericSummary();
    const values = Array.from({ length: 10000 }, (_, i) => 1e9 + (i % 10) * 0.1);
    for (let k = 0; k < values.length; k += 1000) s.addNumbers(values, k, k + 1000);
    const mean = 1e9 + 0.45;
    const variance = values.reduce((t, v) => t + (v - mean) ** 2, 0) / values.length;
    assert.ok(Math.abs(s.mean - mean) < 1e-6);
    assert.ok(Math.abs(s.variance - variance) / variance < 1e-6, `${s.variance} vs ${variance}`);
  });

  it('does not overflow when the plain sum of finite values would', () => {
    const s = new NumericSummary();
    s.addNumbers([1e308, 1e308, 1e308]);
    assert.equal(s.mean, 1e308);
    assert.equal(s.variance, 0);
  });

  it('merges moments exactly as if all values were added to one summary', () => {
    const a = new NumericSummary();
    const b = new NumericSummary();
    const all = new NumericSummary();
    a.addNumbers([1, 2, 3, 4]);
    b.addValues([10, null, 20]);
    all.addValues([1, 2, 3, 4, 10, null, 20]);
    const m = a.merge(b);
    assert.equal(m.count, all.count);
    assert.equal(m.nullCount, 1);
    assert.ok(Math.abs(m.mean - all.mean) < 1e-12);
    assert.ok(Math.abs(m.variance - all.variance) < 1e-9);
    assert.equal(m.min, 1);
    assert.equal(m.max, 20);
    assert.equal(a.count, 4, 'inputs untouched');
  });

  it('clamps quantiles to the observed range', () => {
    const s = new NumericSummary();
    s.addNumbers([3.3, 3.3, 3.3]);
    assert.equal(s.quantile(0), 3.3);
    assert.equal(s.quantile(1), 3.3);
  });

  it('derives a histogram whose counts add up to the count and follow the data', () => {
    const s = new NumericSummary();
    const values = [...Array.from({ length: 900 }, (_, i) => 1 + (i % 100) / 1000), ...Array(100).fill(10)];
    s.addNumbers(values);
    const h = s.histogram(10);
    assert.equal(
      h.reduce((a, b) => a + b, 0),
      1000,
    );
    assert.ok(h[0] >= 890, `first bin ${h[0]}`);
    assert.ok(h[9] >= 90, `last bin ${h[9]}`);
    const flat = new NumericSummary();
    flat.addNumbers([5, 5, 5]);
    assert.deepEqual(flat.histogram(3), [3, 0, 0]);
  });
});
