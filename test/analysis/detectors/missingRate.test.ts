import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMissingRateDetector } from '../../../src/analysis/detectors/missingRate.js';
import { seededRandom } from '../stats/random.js';
import { referenceOf, windowOf } from './fixtures.js';

const detector = createMissingRateDetector();

/** n values of which a share `rate` (drawn at random) is null. */
function withNulls(n: number, rate: number, seed: number): (number | null)[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => (random() < rate ? null : i % 17));
}

describe('missing_rate', () => {
  const reference = referenceOf({ x: withNulls(5000, 0.01, 1) });

  it('flags a null rate that jumped from 1% to 10%', () => {
    const [c] = detector.detect(reference, windowOf({ x: withNulls(2000, 0.1, 2) }));
    assert.equal(c?.anomalous, true, c?.message);
    assert.equal(c?.statistic, 'null_rate');
    assert.ok(Math.abs((c?.value ?? 0) - 0.1) < 0.02);
    assert.equal(c?.severity, 'warning');
  });

  it('flags an all-null window as critical without throwing', () => {
    const [c] = detector.detect(
      reference,
      windowOf({ x: Array(100).fill(null) }, {}, {}, { schema: { x: 'numeric' } }),
    );
    assert.equal(c?.value, 1);
    assert.equal(c?.anomalous, true);
    assert.equal(c?.severity, 'critical');
  });

  it('does not flag one null in a 20-row window against a rare-null reference', () => {
    // 60 nulls in 10 000 (0.6%): a window of 20 holds at least one null 11% of the time.
    const ref = referenceOf({ x: Array.from({ length: 10_000 }, (_, i) => (i % 167 === 0 ? null : i % 17)) });
    const window = Array.from({ length: 20 }, (_, i) => (i === 7 ? null : i));
    const [c] = detector.detect(ref, windowOf({ x: window }));
    assert.equal(c?.anomalous, false, c?.message);
    assert.ok((c?.pValue ?? 0) > 0.05, c?.message);
  });

  it('still flags a small window whose nulls are far beyond the reference rate', () => {
    const ref = referenceOf({ x: Array.from({ length: 10_000 }, (_, i) => (i % 167 === 0 ? null : i % 17)) });
    const window = Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? null : i));
    const [c] = detector.detect(ref, windowOf({ x: window }));
    assert.equal(c?.anomalous, true, c?.message);
  });

  it('makes no hypothesis when neither side has a null (no test could reject), one as soon as a side has', () => {
    const full = Array.from({ length: 1000 }, (_, i) => i);
    const none = createMissingRateDetector().detect(
      referenceOf({ x: full }),
      windowOf({ x: full.slice(0, 100) }),
    );
    assert.equal(none.length, 1);
    assert.equal(none[0]?.pValue, undefined);
    assert.equal(none[0]?.anomalous, false);
    const one = createMissingRateDetector().detect(
      referenceOf({ x: full }),
      windowOf({ x: [null, ...full.slice(0, 99)] }),
    );
    assert.equal(typeof one[0]?.pValue, 'number');
  });

  it('stays silent on the same null rate', () => {
    const [c] = detector.detect(reference, windowOf({ x: withNulls(2000, 0.01, 3) }));
    assert.equal(c?.anomalous, false, c?.message);
  });

  it('respects the floor on a huge-n trivial rise that is significant', () => {
    const big = referenceOf({ x: withNulls(100_000, 0.01, 4) });
    const [c] = detector.detect(big, windowOf({ x: withNulls(100_000, 0.013, 5) }));
    assert.ok((c?.pValue ?? 1) < 0.01, `p ${c?.pValue}`);
    assert.equal(c?.anomalous, false);
  });

  it('uses the lower floor for a feature the schema says is never null', () => {
    const clean = referenceOf({ x: withNulls(20_000, 0, 6) });
    const [c] = detector.detect(clean, windowOf({ x: withNulls(20_000, 0.008, 7) }));
    assert.equal(clean.schema.get('x')?.nullable, false);
    assert.equal(c?.anomalous, true, c?.message);
  });

  it('ignores a fall unless asked to judge both directions', () => {
    const dirty = referenceOf({ x: withNulls(5000, 0.2, 8) });
    const current = windowOf({ x: withNulls(2000, 0.01, 9) });
    assert.equal(detector.detect(dirty, current)[0]?.anomalous, false);
    assert.equal(createMissingRateDetector({ direction: 'both' }).detect(dirty, current)[0]?.anomalous, true);
  });

  it('returns nothing for an empty window', () => {
    assert.deepEqual(detector.detect(reference, windowOf({ x: [] })), []);
  });

  it('rejects a bad config naming the field', () => {
    assert.throws(
      () => createMissingRateDetector({ minDifference: 0 }),
      /missing_rate: minDifference must be in \(0, 1\]/,
    );
  });
});
