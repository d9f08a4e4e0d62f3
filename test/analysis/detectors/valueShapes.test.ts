import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDateLike, looksLikeDates } from '../../../src/analysis/detectors/valueShapes.js';

describe('valueShapes', () => {
  it('reads ISO dates, timestamps, day-first dates and month names as dates', () => {
    for (const v of [
      '2026-01-05',
      '2026-01-05T10:00:00Z',
      '2026/1/5 10:00',
      '05/01/2026',
      'Jun 12 1998',
      'Jun 12, 1998',
      '12 Jun 1998',
      'March 3',
    ])
      assert.equal(isDateLike(v), true, v);
  });

  it('does not read codes, words or numbers as dates', () => {
    for (const v of ['paris', 'A-12', '2026', '12', 'order-2026-01', 'June Carter', 'MAYO'])
      assert.equal(isDateLike(v), false, v);
  });

  it('calls a column date-like when nearly all its values are dates', () => {
    assert.equal(looksLikeDates(['2026-01-01', '2026-01-02', '2026-01-03', 'n/a']), false);
    assert.equal(looksLikeDates(Array.from({ length: 20 }, (_, i) => `2026-01-${10 + i}`)), true);
  });
});
