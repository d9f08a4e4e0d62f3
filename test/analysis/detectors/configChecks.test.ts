import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  requireOpenUnit,
  requirePositive,
  requireShare,
  requireWholeAtLeast,
} from '../../../src/analysis/detectors/configChecks.js';
import { resolveLatencyConfig } from '../../../src/analysis/detectors/latency.js';
import { resolveSchemaConfig } from '../../../src/analysis/detectors/schema.js';

describe('detector config checks', () => {
  it('accepts a level strictly between 0 and 1 and refuses the ends, NaN and others by name', () => {
    requireOpenUnit('d', 'alpha', 0.05);
    for (const v of [0, 1, -0.1, Number.NaN]) {
      assert.throws(() => requireOpenUnit('d', 'alpha', v), {
        name: 'RangeError',
        message: `d: alpha must be in (0, 1), got ${v}`,
      });
    }
  });

  it('accepts a share of exactly 1 but not 0 or more than 1', () => {
    requireShare('d', 'minDifference', 1);
    assert.throws(() => requireShare('d', 'minDifference', 0), /d: minDifference must be in \(0, 1\], got 0/);
    assert.throws(() => requireShare('d', 'minDifference', 1.01), /got 1.01/);
  });

  it('refuses infinite, zero and negative values where a positive number is needed', () => {
    requirePositive('d', 'ksFloor', 1e-9);
    for (const v of [0, -1, Number.POSITIVE_INFINITY, Number.NaN]) {
      assert.throws(() => requirePositive('d', 'ksFloor', v), {
        message: `d: ksFloor must be a number > 0, got ${v}`,
      });
    }
  });

  it('refuses fractions and values under the minimum where a whole number is needed', () => {
    requireWholeAtLeast('d', 'psiBins', 2, 2);
    assert.throws(() => requireWholeAtLeast('d', 'psiBins', 1, 2), {
      message: 'd: psiBins must be an integer ≥ 2, got 1',
    });
    assert.throws(() => requireWholeAtLeast('d', 'minCount', 2.5, 1), {
      message: 'd: minCount must be an integer ≥ 1, got 2.5',
    });
  });

  it('is what the detectors report, with their own config path', () => {
    assert.throws(() => resolveLatencyConfig({ quantile: 1 }, 'processors::ml::latency'), {
      message: 'processors::ml::latency: quantile must be in (0, 1), got 1',
    });
    assert.throws(() => resolveSchemaConfig({ minCount: 0 }), {
      message: 'schema: minCount must be an integer ≥ 1, got 0',
    });
  });
});
