import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ksTwoSampleExact } from '../../../src/analysis/stats/ksTwoSampleExact.js';
import {
  binnedKs,
  binnedPsi,
  binnedWasserstein,
  bucketIqr,
  populationStabilityIndex,
} from '../../../src/analysis/stats/sketchComparison.js';
import { QuantileSketch } from '../../../src/summaries/QuantileSketch.js';
import { normalSample } from './random.js';

function sketchOf(values: readonly number[], accuracy = 0.01): QuantileSketch {
  const sketch = new QuantileSketch(accuracy);
  for (const v of values) sketch.add(v);
  return sketch;
}

/** Ten unit-width buckets [i, i+1] with the given counts. */
function unitBuckets(counts: number[]): { lower: number; upper: number; count: number }[] {
  return counts.map((count, i) => ({ lower: i, upper: i + 1, count }));
}

describe('binnedKs', () => {
  it('is exact on aligned buckets and brackets the within-bucket uncertainty', () => {
    // CDFs at the boundaries 1, 2, 3: a = .5, 1, 1; b = 0, .5, 1 → binned D = 0.5.
    const r = binnedKs(unitBuckets([5, 5, 0]), unitBuckets([0, 5, 5]));
    assert.equal(r.d, 0.5);
    // Inside [1, 2] a may already be at 1 while b is still at 0: D could reach 1.
    assert.equal(r.dUpper, 1);
    assert.equal(r.rankError, 0.5);
  });

  it('is zero for identical sketches up to their rank error', () => {
    const values = normalSample(2000, 7, 50, 10);
    const buckets = sketchOf(values).buckets();
    const r = binnedKs(buckets, buckets);
    assert.equal(r.d, 0);
    // Both CDFs are unknown only inside one bucket at a time: at most twice the largest bucket share.
    const largest = Math.max(...buckets.map((b) => b.count)) / values.length;
    assert.ok(r.dUpper > 0 && r.dUpper <= 2 * largest + 1e-12, `dUpper ${r.dUpper}, largest ${largest}`);
  });

  it('returns zeros when a side is empty', () => {
    assert.deepEqual(binnedKs([], unitBuckets([1, 2])), { d: 0, dUpper: 0, rankError: 0, n: 0, m: 3 });
  });

  // Within a 1e9 dynamic range per sign the sketch never collapses buckets (it would beyond
  // ~2^41), which is when its buckets stop bounding their values.
  const value = fc.oneof(
    fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((x) => (Math.abs(x) < 1e-3 ? 0 : x)),
    fc.integer({ min: -5, max: 5 }),
    fc.constant(0),
  );
  const sample = fc.array(value, { minLength: 1, maxLength: 150 });

  it('brackets the exact KS distance of the raw data for aligned sketches (property)', () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const exact = ksTwoSampleExact(a, b).d;
        const r = binnedKs(sketchOf(a).buckets(), sketchOf(b).buckets());
        return (
          r.d <= exact + 1e-12 && exact <= r.dUpper + 1e-12 && Math.abs(r.d - exact) <= r.rankError + 1e-12
        );
      }),
      { numRuns: 300 },
    );
  });

  it('still brackets the exact distance when the sketches have different accuracies (property)', () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const exact = ksTwoSampleExact(a, b).d;
        const r = binnedKs(sketchOf(a, 0.01).buckets(), sketchOf(b, 0.05).buckets());
        return r.d <= exact + 1e-12 && exact <= r.dUpper + 1e-12;
      }),
      { numRuns: 200 },
    );
  });
});

describe('PSI', () => {
  it('reproduces the hand-computed textbook example', () => {
    // Deciles of the reference; current moved 5 points from the two lowest to the two highest.
    const p = Array(10).fill(0.1);
    const q = [0.05, 0.05, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.15, 0.15];
    const expected = 2 * 0.05 * Math.log(2) + 2 * 0.05 * Math.log(1.5);
    assert.ok(Math.abs(populationStabilityIndex(p, q) - expected) < 1e-15);
    assert.ok(Math.abs(expected - 0.10986122886681095) < 1e-15);
  });

  it('bins on reference deciles and counts both sides exactly on aligned buckets', () => {
    const r = binnedPsi(
      unitBuckets(Array(10).fill(1000)),
      unitBuckets([500, 500, 1000, 1000, 1000, 1000, 1000, 1000, 1500, 1500]),
    );
    assert.equal(r.bins, 10);
    const share = (c: number): number => (c + 0.5) / (10000 + 5);
    const expected = [500, 500, 1000, 1000, 1000, 1000, 1000, 1000, 1500, 1500].reduce(
      (s, c) => s + (share(c) - share(1000)) * Math.log(share(c) / share(1000)),
      0,
    );
    assert.ok(Math.abs(r.psi - expected) < 1e-12);
    assert.ok(r.pValue < 1e-10);
  });

  it('counts each bin exactly as the raw data would for aligned sketches (property)', () => {
    const positive = fc.array(fc.double({ min: 1e-3, max: 1e6, noNaN: true }), {
      minLength: 1,
      maxLength: 200,
    });
    fc.assert(
      fc.property(positive, positive, (a, b) => {
        const r = binnedPsi(sketchOf(a).buckets(), sketchOf(b).buckets());
        const k = r.bins;
        // Undo the half-count smoothing to get the counts back.
        const counts = (shares: number[], n: number): number[] => shares.map((s) => s * (n + 0.5 * k) - 0.5);
        const rawCounts = (values: number[]): number[] => {
          const out = new Array<number>(k).fill(0);
          for (const v of values) {
            const bin = r.edges.findIndex((e) => v <= e);
            out[bin === -1 ? k - 1 : bin] = (out[bin === -1 ? k - 1 : bin] as number) + 1;
          }
          return out;
        };
        const same = (x: number[], y: number[]): boolean =>
          x.every((v, i) => Math.abs(v - (y[i] as number)) < 1e-6);
        return (
          same(counts(r.reference, a.length), rawCounts(a)) && same(counts(r.current, b.length), rawCounts(b))
        );
      }),
      { numRuns: 200 },
    );
  });

  it('is near zero with a high p-value for two samples of one distribution', () => {
    const a = normalSample(5000, 1, 10, 3);
    const b = normalSample(5000, 2, 10, 3);
    const r = binnedPsi(sketchOf(a).buckets(), sketchOf(b).buckets());
    assert.ok(r.psi < 0.01, `psi ${r.psi}`);
    assert.ok(r.pValue > 0.01, `p ${r.pValue}`);
  });

  it('gives a large but finite PSI when the current values leave the reference range', () => {
    const r = binnedPsi(unitBuckets([100, 100]), [{ lower: 5, upper: 6, count: 200 }]);
    assert.ok(Number.isFinite(r.psi) && r.psi > 3);
  });
});

describe('binnedWasserstein', () => {
  it('is the shift between two translated uniform buckets', () => {
    const r = binnedWasserstein([{ lower: 0, upper: 1, count: 10 }], [{ lower: 2, upper: 3, count: 10 }]);
    assert.ok(Math.abs(r.distance - 2) < 1e-12);
    assert.ok(Math.abs(r.error - 1) < 1e-12);
  });

  it('handles the zero-width zero bucket as a point mass', () => {
    const r = binnedWasserstein([{ lower: 0, upper: 0, count: 4 }], [{ lower: 1, upper: 1, count: 4 }]);
    assert.ok(Math.abs(r.distance - 1) < 1e-12);
  });

  it('is within its error bound of the exact W1 of a normal-ish shift', () => {
    const a = Array.from({ length: 3000 }, (_, i) => Math.tan(((i + 0.5) / 3000 - 0.5) * 2.5));
    const b = a.map((x) => x + 0.7);
    const r = binnedWasserstein(sketchOf(a).buckets(), sketchOf(b).buckets());
    assert.ok(Math.abs(r.distance - 0.7) <= r.error + 1e-9, `W ${r.distance} ± ${r.error}`);
  });

  it('IQR of uniform buckets is half the range', () => {
    assert.equal(bucketIqr(unitBuckets([1, 1, 1, 1])), 2);
  });
});
