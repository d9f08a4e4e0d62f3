import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDetectors } from '../../../src/analysis/detectors/index.js';
import {
  featureRepetitionShare,
  numericRepetitionShare,
  repetitionFor,
  rowRepetition,
} from '../../../src/analysis/detectors/rowRepetition.js';
import { judgeWindow } from '../../../src/analysis/judgeWindow.js';
import type { CategoricalSummary, NumericSummary } from '../../../src/summaries/index.js';
import { seededRandom } from '../stats/random.js';
import { referenceOf, windowOf } from './fixtures.js';

/** `records` independent records (a merchant among 500, an amount, a channel), each repeated `fanOut` times. */
function rows(records: number, fanOut: number, seed: number) {
  const random = seededRandom(seed);
  const merchant: string[] = [];
  const amount: number[] = [];
  const channel: string[] = [];
  for (let r = 0; r < records; r++) {
    const m = `m${Math.floor(500 * random() ** 2)}`;
    const a = Math.exp(3 + random() + random());
    const c = random() < 0.7 ? 'web' : random() < 0.5 ? 'app' : 'store';
    for (let k = 0; k < fanOut; k++) {
      merchant.push(m);
      amount.push(a);
      channel.push(c);
    }
  }
  return { merchant, amount, channel };
}

describe('rowRepetition', () => {
  const reference = referenceOf(rows(5000, 1, 1));

  it('reads no repetition in independent rows, and about 1/4 when every record fans out to 4 rows', () => {
    assert.equal(rowRepetition(reference, windowOf(rows(200, 1, 2))).share, 1);
    const share = rowRepetition(reference, windowOf(rows(50, 4, 3))).share;
    assert.ok(share > 0.15 && share < 0.4, String(share));
  });

  it('says nothing from a feature with few categories (a repetition of two would not show)', () => {
    const ref = reference.features.get('channel') as CategoricalSummary;
    const cur = windowOf(rows(50, 4, 4)).features.get('channel') as CategoricalSummary;
    assert.equal(featureRepetitionShare(ref, cur), undefined);
  });

  it('keeps clean windows of 200 rows from 50 records quiet (per-row tests alarmed in most)', () => {
    const detectors = createDetectors();
    let alarmed = 0;
    for (let s = 0; s < 20; s++) {
      const window = windowOf(rows(50, 4, 100 + s));
      if (
        judgeWindow(detectors, reference, { data: window, exemplarSpans: new Map() }, 0.01).findings.length >
        0
      )
        alarmed++;
    }
    assert.ok(alarmed <= 1, `${alarmed}/20 clean repeated windows had a finding`);
  });

  it('still sees a real shift in a repeated window', () => {
    const shifted = rows(50, 4, 200);
    shifted.amount = shifted.amount.map((a) => a * 3);
    const j = judgeWindow(
      createDetectors(),
      reference,
      { data: windowOf(shifted), exemplarSpans: new Map() },
      0.01,
    );
    assert.ok(
      j.findings.some((f) => f.feature === 'amount'),
      j.findings.map((f) => f.message).join('\n'),
    );
  });

  describe('on numeric features only (no many-valued categorical to count)', () => {
    /** Rows of a 400-row table (two numbers and a 3-valued class) drawn with replacement, each repeated `fanOut` times. */
    function tableRows(records: number, fanOut: number, seed: number) {
      const random = seededRandom(seed);
      const table = Array.from({ length: 400 }, (_, i) => ({
        x: Math.round(100 * Math.sin(i) * 1000) / 1000,
        y: 20 + (i % 37) * 0.5 + i / 1000,
        c: ['a', 'b', 'c'][i % 3] as string,
      }));
      const out = { x: [] as number[], y: [] as number[], c: [] as string[] };
      for (let r = 0; r < records; r++) {
        const row = table[Math.floor(random() * table.length)]!;
        for (let k = 0; k < fanOut; k++) {
          out.x.push(row.x);
          out.y.push(row.y);
          out.c.push(row.c);
        }
      }
      return out;
    }
    const tableRef = referenceOf(tableRows(10_000, 1, 11));

    it('reads the share from distinct numbers, allowing for the table being sampled with replacement', () => {
      for (const [records, fanOut, lo, hi] of [
        [1000, 1, 1, 1],
        [250, 4, 0.15, 0.4],
        [25, 4, 0.15, 0.4],
        [5, 4, 0.15, 0.4],
      ] as const) {
        const share = rowRepetition(tableRef, windowOf(tableRows(records, fanOut, 12 + records))).share;
        assert.ok(share >= lo && share <= hi, `${records} records × ${fanOut}: share ${share}`);
      }
    });

    it('reads a continuous feature of a format-2 summary (no distinct count) as unable to tell', () => {
      const ref = referenceOf({ v: Array.from({ length: 1000 }, (_, i) => i * 0.37) }).features.get(
        'v',
      ) as NumericSummary;
      const cur = windowOf({
        v: Array.from({ length: 200 }, (_, i) => Math.floor(i / 4) * 0.37),
      }).features.get('v') as NumericSummary;
      assert.ok((numericRepetitionShare(ref, cur) as number) < 0.3);
      cur.distinctCounter = undefined;
      assert.equal(numericRepetitionShare(ref, cur), undefined);
    });

    it('judges a feature by the other features’ repetition, so a stuck feature does not excuse itself', () => {
      const window = tableRows(200, 1, 500);
      window.y = window.y.map(() => 25); // y breaks: one value in every row
      const rep = rowRepetition(tableRef, windowOf(window));
      assert.ok((rep.features.find((f) => f.feature === 'y')?.share ?? 1) < 0.05);
      assert.equal(repetitionFor(rep, 'y'), 1); // x, the other informative feature, shows none
      const j = judgeWindow(
        createDetectors(),
        tableRef,
        { data: windowOf(window), exemplarSpans: new Map() },
        0.01,
      );
      assert.ok(
        j.findings.some((f) => f.feature === 'y' && f.severity === 'critical'),
        j.findings.map((f) => f.message).join('\n'),
      );
    });

    it('keeps clean windows quiet at 12, 20, 100 and 1 000 rows when each record fans out to 4 rows', () => {
      const detectors = createDetectors();
      for (const rowsPerWindow of [12, 20, 100, 1000]) {
        let alarmed = 0;
        for (let s = 0; s < 15; s++) {
          const window = windowOf(tableRows(Math.ceil(rowsPerWindow / 4), 4, 300 + s + rowsPerWindow));
          const j = judgeWindow(detectors, tableRef, { data: window, exemplarSpans: new Map() }, 0.01);
          if (j.findings.length > 0) alarmed++;
        }
        assert.ok(
          alarmed <= 1,
          `${alarmed}/15 clean repeated windows of ${rowsPerWindow} rows had a finding`,
        );
      }
    });

    it('still sees a shift of one feature by 1 sd in a repeated window of 200 rows', () => {
      const shifted = tableRows(50, 4, 400);
      const sd = 70;
      shifted.x = shifted.x.map((v) => v + sd);
      const j = judgeWindow(
        createDetectors(),
        tableRef,
        { data: windowOf(shifted), exemplarSpans: new Map() },
        0.01,
      );
      assert.ok(
        j.findings.some((f) => f.feature === 'x'),
        j.findings.map((f) => f.message).join('\n'),
      );
    });
  });
});
