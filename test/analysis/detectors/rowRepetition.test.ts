import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDetectors } from '../../../src/analysis/detectors/index.js';
import { featureRepetitionShare, rowRepetition } from '../../../src/analysis/detectors/rowRepetition.js';
import { judgeWindow } from '../../../src/analysis/judgeWindow.js';
import type { CategoricalSummary } from '../../../src/summaries/index.js';
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
});
