import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random, seedOf } from '../../../bench/detection/Random.js';

describe('Random', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    assert.deepEqual(
      xs,
      Array.from({ length: 5 }, () => b.next()),
    );
    assert.notDeepEqual(
      xs,
      Array.from({ length: 5 }, () => c.next()),
    );
  });

  it('derives distinct seeds from distinct cell coordinates', () => {
    assert.equal(seedOf('cars', 'none', 10, 0), seedOf('cars', 'none', 10, 0));
    assert.notEqual(seedOf('cars', 'none', 10, 0), seedOf('cars', 'none', 100, 0));
    assert.notEqual(seedOf('cars', 'none', 1, 0), seedOf('cars', 'none', 10));
  });

  it('draws standard normals (mean ≈ 0, sd ≈ 1 over 20 000 draws)', () => {
    const r = new Random(7);
    const xs = Array.from({ length: 20_000 }, () => r.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
    assert.ok(Math.abs(sd - 1) < 0.03, `sd ${sd}`);
  });

  it('chooses k distinct indices below n', () => {
    const picked = [...new Random(3).choose(100, 30)];
    assert.equal(picked.length, 30);
    assert.equal(new Set(picked).size, 30);
    assert.ok(picked.every((i) => i >= 0 && i < 100));
  });
});
