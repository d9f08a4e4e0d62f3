import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CategoricalSummary } from '../../src/summaries/CategoricalSummary.js';
import { deserializeFeature, mergeFeature, serializeFeature } from '../../src/summaries/featureCodec.js';
import { MIN_INDEXABLE } from '../../src/summaries/LogLinearMapping.js';
import { NumericSummary } from '../../src/summaries/NumericSummary.js';
import { QuantileSketch } from '../../src/summaries/QuantileSketch.js';
import { SummaryDecodeError } from '../../src/summaries/SummaryDecodeError.js';
import { summarize } from '../../src/summaries/summarize.js';

const RUNS = { numRuns: 150 };

/** Any double (NaN, ±Infinity, subnormals, ±1e308...) plus null and the odd wrong-typed value. */
const anyCell = fc.oneof(
  { weight: 8, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, 'x', true) },
);
/** Values whose squares stay finite, for moment tolerances. */
const moderate = fc.double({ min: -1e6, max: 1e6, noNaN: true });

/** Magnitudes within 2^40 of each other: they fit in 2048 buckets at 1%, so nothing collapses. */
const magnitude = fc.double({ min: 1e-6, max: 1e6, noNaN: true });
/** Values that land in the zero bucket. */
const tiny = fc.constantFrom(0, -0, 5e-324, -1e-310, 2 ** -1000, -(2 ** -1000));

/** A list and a split point: the property compares merge(summary(A), summary(B)) with summary(A ∪ B). */
function split<T>(arb: fc.Arbitrary<T>) {
  return fc
    .array(arb, { maxLength: 300 })
    .chain((xs) => fc.tuple(fc.constant(xs), fc.nat({ max: xs.length })));
}

function numeric(values: unknown[], options = {}): NumericSummary {
  const s = new NumericSummary(options);
  s.addValues(values);
  return s;
}

function close(a: number, b: number, rel: number, abs: number): boolean {
  return Math.abs(a - b) <= abs + rel * Math.max(Math.abs(a), Math.abs(b));
}

describe('summary properties', () => {
  it('merging numeric summaries of a random split equals summarizing the whole: exact counts and buckets', () => {
    fc.assert(
      fc.property(split(anyCell), ([xs, at]) => {
        const merged = numeric(xs.slice(0, at)).merge(numeric(xs.slice(at)));
        const whole = numeric(xs);
        assert.deepEqual(
          [merged.count, merged.nullCount, merged.infiniteCount, merged.invalidCount],
          [whole.count, whole.nullCount, whole.infiniteCount, whole.invalidCount],
        );
        assert.ok(Object.is(merged.min, whole.min) || merged.min === whole.min);
        assert.ok(Object.is(merged.max, whole.max) || merged.max === whole.max);
        assert.deepEqual(merged.sketch.buckets(), whole.sketch.buckets());
      }),
      RUNS,
    );
  });

  it('keeps the collapsed sketch identical under merge when data spans more than maxBuckets', () => {
    const wide = fc.double({ min: 1e-300, max: 1e300, noNaN: true });
    fc.assert(
      fc.property(split(wide), ([xs, at]) => {
        const opts = { maxBuckets: 16 };
        const merged = numeric(xs.slice(0, at), opts).merge(numeric(xs.slice(at), opts));
        assert.deepEqual(merged.sketch.buckets(), numeric(xs, opts).sketch.buckets());
      }),
      RUNS,
    );
  });

  it('merged mean and variance agree with the whole within float tolerance', () => {
    fc.assert(
      fc.property(split(moderate), ([xs, at]) => {
        const merged = numeric(xs.slice(0, at)).merge(numeric(xs.slice(at)));
        const whole = numeric(xs);
        if (whole.count === 0) return;
        assert.ok(close(merged.mean, whole.mean, 1e-9, 1e-9), `${merged.mean} vs ${whole.mean}`);
        assert.ok(
          close(merged.variance, whole.variance, 1e-8, 1e-6),
          `${merged.variance} vs ${whole.variance}`,
        );
        const exactMean = xs.reduce((t, v) => t + v, 0) / xs.length;
        assert.ok(close(whole.mean, exactMean, 1e-9, 1e-9));
      }),
      RUNS,
    );
  });

  it('returns quantiles within the relative accuracy of the exact quantile', () => {
    // Magnitudes within 2^40 of each other fit in 2048 buckets at 1% (no collapse), plus zeros
    // and values in the zero bucket; collapsing is covered by the unit tests.
    const values = fc.array(
      fc.oneof(
        magnitude,
        magnitude.map((x) => -x),
        fc.constantFrom(0, -0, 5e-324, -1e-310),
      ),
      { minLength: 1, maxLength: 400 },
    );
    fc.assert(
      fc.property(values, fc.constantFrom(0.01, 0.02), (xs, alpha) => {
        const s = new QuantileSketch(alpha);
        s.addArray(xs);
        const sorted = [...xs].sort((a, b) => a - b);
        for (const q of [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1]) {
          const exact = sorted[Math.floor(q * (sorted.length - 1))];
          const est = s.quantile(q);
          // Documented: magnitudes at or below MIN_INDEXABLE (2^-1000) are reported as 0.
          const tolerance = Math.abs(exact) <= MIN_INDEXABLE ? MIN_INDEXABLE : alpha * Math.abs(exact);
          assert.ok(Math.abs(est - exact) <= tolerance, `q=${q}: ${est} vs ${exact}`);
        }
      }),
      RUNS,
    );
  });

  it('gives the same quantiles in one walk (quantiles) as one by one (quantile)', () => {
    const levels = [-0.5, 0, 0.01, 0.05, 0.25, 0.5, 0.5, 0.75, 0.95, 0.99, 1, 2];
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            magnitude,
            magnitude.map((x) => -x),
            fc.constantFrom(0, -0, 5e-324),
          ),
          {
            maxLength: 300,
          },
        ),
        (xs) => {
          const s = new QuantileSketch(0.01);
          s.addArray(xs);
          assert.deepEqual(
            s.quantiles(levels),
            levels.map((q) => s.quantile(q)),
          );
          const n = new NumericSummary();
          n.addValues(xs);
          assert.deepEqual(
            n.quantiles(levels),
            levels.map((q) => n.quantile(q)),
          );
        },
      ),
      RUNS,
    );
  });

  it('rank at every bucket boundary is the exact count of values at or below it', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            magnitude,
            magnitude.map((x) => -x),
            tiny,
          ),
          { maxLength: 300 },
        ),
        (xs) => {
          const s = new QuantileSketch();
          s.addArray(xs);
          for (const b of s.buckets()) {
            assert.equal(s.rank(b.upper), xs.filter((v) => v <= b.upper).length, `boundary ${b.upper}`);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('merged top-k stays within its stated error bound and HyperLogLog registers match the whole', () => {
    const value = fc.oneof(fc.constantFrom('a', 'b', 'c', 'd'), fc.string({ maxLength: 3 }));
    fc.assert(
      fc.property(split(value), ([xs, at]) => {
        const make = (vs: string[]) => {
          const s = new CategoricalSummary({ topK: 4 });
          s.addValues(vs);
          return s;
        };
        const merged = make(xs.slice(0, at)).merge(make(xs.slice(at)));
        const whole = make(xs);
        assert.equal(merged.count, xs.length);
        assert.deepEqual(merged.hll.registers, whole.hll.registers);
        const truth = new Map<string, number>();
        for (const v of xs) truth.set(v, (truth.get(v) ?? 0) + 1);
        const err = merged.topError;
        assert.ok(err <= xs.length / 5, `error ${err} > n/(k+1)`);
        for (const e of merged.top()) {
          const t = truth.get(e.value) ?? 0;
          assert.ok(e.count >= t && e.count <= t + err, `${e.value}: ${e.count} vs ${t} ± ${err}`);
        }
        const listed = new Set(merged.top().map((e) => e.value));
        for (const [v, t] of truth) if (t > err) assert.ok(listed.has(v), `${v} (${t} > ${err}) not listed`);
      }),
      RUNS,
    );
  });

  const column = fc.oneof(
    fc.array(anyCell, { maxLength: 50 }),
    fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.constant(null)), { maxLength: 50 }),
    fc.array(fc.string({ minLength: 65, maxLength: 90 }), { maxLength: 10 }),
    fc.array(fc.array(fc.double({ noNaN: true, min: -10, max: 10 }), { minLength: 3, maxLength: 3 }), {
      maxLength: 20,
    }),
  );

  it('serialize then deserialize is the identity for every kind', () => {
    fc.assert(
      fc.property(column, (values) => {
        const s = summarize({ f: values }).features.get('f')!;
        const bytes = serializeFeature(s);
        const back = deserializeFeature(bytes);
        assert.deepEqual(serializeFeature(back), bytes);
        assert.deepEqual(
          [back.kind, back.count, back.nullCount, back.invalidCount],
          [s.kind, s.count, s.nullCount, s.invalidCount],
        );
        const doubled = mergeFeature(back, s);
        assert.deepEqual([doubled.count, doubled.nullCount], [2 * s.count, 2 * s.nullCount]);
      }),
      RUNS,
    );
  });

  it('detects any corrupted byte and any truncation: never silently accepted', () => {
    fc.assert(
      fc.property(column, fc.nat(), fc.integer({ min: 1, max: 255 }), (values, where, mask) => {
        const bytes = serializeFeature(summarize({ f: values }).features.get('f')!);
        const corrupt = bytes.slice();
        corrupt[where % bytes.length] ^= mask;
        assert.throws(() => deserializeFeature(corrupt), SummaryDecodeError);
        assert.throws(() => deserializeFeature(bytes.subarray(0, where % bytes.length)), SummaryDecodeError);
      }),
      RUNS,
    );
  });
});
