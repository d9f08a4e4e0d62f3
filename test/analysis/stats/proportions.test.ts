import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binomialUpperTail } from '../../../src/analysis/stats/beta.js';
import { rareEventProportionTest, twoProportionTest } from '../../../src/analysis/stats/proportions.js';

describe('rareEventProportionTest', () => {
  it('uses the exact conditional tail when one event in 20 rows is compared with a 0.6% rate', () => {
    const z = twoProportionTest(12, 2000, 1, 20, 'greater');
    const t = rareEventProportionTest(12, 2000, 1, 20, 'greater');
    assert.ok(z.pValue < 0.01, `z-test p = ${z.pValue}`);
    assert.equal(t.exact, true);
    assert.ok(Math.abs(t.pValue - binomialUpperTail(1, 13, 20 / 2020)) < 1e-12);
    assert.ok(t.pValue > 0.1 && t.pValue < 0.13, String(t.pValue));
  });

  it('doubles the exact tail for a two-sided question, capped at 1', () => {
    const one = rareEventProportionTest(12, 2000, 1, 20, 'greater');
    const two = rareEventProportionTest(12, 2000, 1, 20, 'two-sided');
    assert.ok(Math.abs(two.pValue - 2 * one.pValue) < 1e-12);
    assert.ok(rareEventProportionTest(1, 20, 1, 20, 'two-sided').pValue <= 1);
  });

  it('keeps the z-test when many events are expected, for falls, and for the less alternative', () => {
    for (const [x1, n1, x2, n2, alt] of [
      [200, 2000, 40, 200, 'greater'],
      [12, 2000, 0, 20, 'two-sided'],
      [12, 2000, 1, 20, 'less'],
    ] as const) {
      const t = rareEventProportionTest(x1, n1, x2, n2, alt);
      assert.equal(t.exact, false);
      assert.equal(t.pValue, twoProportionTest(x1, n1, x2, n2, alt).pValue);
    }
  });

  it('still finds a real rise significant on the exact path', () => {
    const t = rareEventProportionTest(10, 2000, 10, 20, 'greater');
    assert.equal(t.exact, true);
    assert.ok(t.pValue < 1e-10, String(t.pValue));
  });

  it('returns p = 1 rather than throwing on empty samples', () => {
    assert.equal(rareEventProportionTest(0, 0, 1, 20).pValue, 1);
    assert.equal(rareEventProportionTest(1, 20, 0, 0).pValue, 1);
  });
});
