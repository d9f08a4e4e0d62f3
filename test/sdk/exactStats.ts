/**
 * Exact statistics of test data and assertions that a decoded summary matches them within the
 * accuracy each sketch states. Shared by the SDK end-to-end test and the example's test.
 */
import assert from 'node:assert/strict';
import type { CategoricalSummary, NumericSummary } from '../../src/summaries/index.js';

/** Standard normal draw from a uniform source (Box–Muller). */
export function normal(rand: () => number): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const LEVELS = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];

function relClose(actual: number, expected: number, tol: number, what: string): void {
  const scale = Math.max(Math.abs(expected), 1e-300);
  assert.ok(Math.abs(actual - expected) / scale <= tol, `${what}: ${actual} vs exact ${expected}`);
}

/** Checks a numeric summary against the raw values (null/NaN → null, ±Infinity counted apart). */
export function assertNumericMatches(
  s: NumericSummary,
  values: ArrayLike<number | null | undefined>,
  what: string,
): void {
  const finite: number[] = [];
  let nulls = 0;
  let infinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || Number.isNaN(v)) nulls++;
    else if (!Number.isFinite(v)) infinite++;
    else finite.push(v);
  }
  assert.equal(s.kind, 'numeric', `${what}: kind`);
  assert.equal(s.count, finite.length, `${what}: count`);
  assert.equal(s.nullCount, nulls, `${what}: nullCount`);
  assert.equal(s.infiniteCount, infinite, `${what}: infiniteCount`);
  assert.equal(s.invalidCount, 0, `${what}: invalidCount`);
  const sorted = Float64Array.from(finite).sort();
  assert.equal(s.min, sorted[0], `${what}: min`);
  assert.equal(s.max, sorted[sorted.length - 1], `${what}: max`);
  let sum = 0;
  for (const v of finite) sum += v;
  const mean = sum / finite.length;
  let ss = 0;
  for (const v of finite) ss += (v - mean) ** 2;
  relClose(s.mean, mean, 1e-9, `${what}: mean`);
  relClose(s.variance, ss / finite.length, 1e-9, `${what}: variance`);
  const alpha = s.sketch.relativeAccuracy;
  for (const q of LEVELS) {
    const exact = sorted[Math.floor(q * (sorted.length - 1))];
    const got = s.sketch.quantile(q);
    assert.ok(
      Math.abs(got - exact) <= alpha * Math.abs(exact) + 1e-12,
      `${what}: quantile ${q} = ${got}, exact ${exact}, allowed relative error ${alpha}`,
    );
  }
}

/** Checks a categorical summary's counts, top values (within topError) and distinct (within 4 HLL standard errors). */
export function assertCategoricalMatches(
  s: CategoricalSummary,
  values: ArrayLike<string | null | undefined>,
  what: string,
): void {
  const exact = new Map<string, number>();
  let nulls = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) nulls++;
    else exact.set(v, (exact.get(v) ?? 0) + 1);
  }
  assert.equal(s.kind, 'categorical', `${what}: kind`);
  assert.equal(s.nullCount, nulls, `${what}: nullCount`);
  assert.equal(s.count, values.length - nulls, `${what}: count`);
  const top = s.top();
  const err = s.topError;
  for (const { value, count } of top) {
    const truth = exact.get(value) ?? 0;
    assert.ok(
      truth <= count && count <= truth + err,
      `${what}: top '${value}' = ${count}, exact ${truth}, error ${err}`,
    );
  }
  const listed = new Set(top.map((t) => t.value));
  for (const [value, n] of exact) {
    if (n > err)
      assert.ok(listed.has(value), `${what}: '${value}' (count ${n} > error ${err}) missing from top`);
  }
  const d = s.distinct();
  const bound = 4 * s.distinctRelativeError * exact.size;
  assert.ok(Math.abs(d - exact.size) <= Math.max(bound, 1), `${what}: distinct ${d}, exact ${exact.size}`);
}
