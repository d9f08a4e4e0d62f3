import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createDetectors, DETECTOR_IDS } from '../../../src/analysis/detectors/index.js';
import type { NumericSummary } from '../../../src/summaries/NumericSummary.js';
import { summarize } from '../../../src/summaries/summarize.js';
import { referenceOf, windowOf } from './fixtures.js';

describe('createDetectors', () => {
  it('builds every detector by default, in a fixed order, and honours false', () => {
    assert.deepEqual(
      createDetectors().map((d) => d.id),
      DETECTOR_IDS,
    );
    const ids = createDetectors({ volume: false, staleness: false }).map((d) => d.id);
    assert.ok(!ids.includes('volume') && !ids.includes('staleness'));
    assert.equal(ids.length, DETECTOR_IDS.length - 2);
  });

  it('refuses an unknown detector and bad values, naming the path', () => {
    assert.throws(() => createDetectors({ drift: {} } as never), /detectors: unknown detector 'drift'/);
    assert.throws(
      () => createDetectors({ volume: 3 } as never),
      /detectors::volume: must be a mapping or false/,
    );
    assert.throws(
      () => createDetectors({ numeric_drift: { ksFloor: -1 } }),
      /detectors::numeric_drift: ksFloor must be a number > 0/,
    );
  });
});

describe('all detectors on odd data', () => {
  const cell = fc.oneof(
    fc.double(),
    fc.integer({ min: -3, max: 3 }),
    fc.constantFrom(null, undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0),
    fc.constantFrom('a', 'b', '', 'long'.repeat(30)),
    fc.boolean(),
  );
  const column = fc.array(cell, { maxLength: 60 });
  const columns = fc.dictionary(fc.constantFrom('x', 'y', 'z'), column, { maxKeys: 3 });

  it('never throw, and every candidate has a p-value in [0, 1] and a known severity (property)', () => {
    const detectors = createDetectors();
    fc.assert(
      fc.property(
        columns,
        columns,
        fc.nat({ max: 100 }),
        fc.nat({ max: 100 }),
        (refCols, curCols, runs, errors) => {
          const durations = summarize({ d: [1, 2, 3, ...(Object.values(curCols)[0] ?? [])] }).features.get(
            'd',
          );
          const reference = referenceOf(
            refCols,
            {
              rowsPerWindow: { mean: runs, sd: errors / 10, windows: 3 },
              performance: { accuracy: 0.9, mae: 1, count: 10 },
            },
            refCols,
          );
          const current = windowOf(
            curCols,
            {
              runs,
              errorRuns: errors,
              rows: runs * 3,
              durationMs: durations?.kind === 'numeric' ? (durations as NumericSummary) : undefined,
              modelTrainedAtMs: 0,
              inputLastWrittenMs: new Map([['t', Number.NaN]]),
              outcomes: {
                task: 'classification',
                predictedClasses: Array.from({ length: runs }, (_, i) => String(i % 3)),
                labelClasses: Array.from({ length: runs }, (_, i) => String(i % 2)),
                scores: Array.from({ length: runs }, (_, i) => (i % 5) / 4),
                labelValues: [],
              },
            },
            curCols,
          );
          for (const d of detectors) {
            for (const c of d.detect(reference, current)) {
              if (c.pValue !== undefined && !(c.pValue >= 0 && c.pValue <= 1)) return false;
              if (!['info', 'warning', 'critical'].includes(c.severity)) return false;
              if (Number.isNaN(c.value) || Number.isNaN(c.effectSize)) return false;
            }
          }
          return true;
        },
      ),
      { numRuns: 150 },
    );
  });
});
