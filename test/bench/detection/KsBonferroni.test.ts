import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KsBonferroni } from '../../../bench/detection/KsBonferroni.js';
import { Random } from '../../../bench/detection/Random.js';
import { SyntheticTable } from '../../../bench/detection/SyntheticTable.js';
import { allShifts, shiftContext } from '../../../bench/detection/shifts.js';

const table = new SyntheticTable();
const reference = table.sample(3000, new Random(1));
const ctx = shiftContext(table, reference);
const ks = new KsBonferroni(table, reference, 0.05, 200_000);

function verdict(id: string, n: number, seed: number) {
  const s = allShifts().find((x) => x.id === id);
  assert.ok(s, id);
  const rng = new Random(seed);
  const w = table.sample(n, rng, s.accept?.(ctx, rng));
  s.apply?.(w, ctx, rng);
  return ks.judge(w);
}

describe('KsBonferroni (the reference method)', () => {
  it('rejects rarely on unshifted windows (at most 3 of 40 at α = 0.05)', () => {
    let rejected = 0;
    for (let seed = 0; seed < 40; seed++) if (verdict('none', 200, 100 + seed).detected) rejected++;
    assert.ok(rejected <= 3, `${rejected}/40`);
  });

  it('sees a unit change on the shifted feature', () => {
    const v = verdict('unit_x1000', 50, 5);
    assert.equal(v.detected, true);
    assert.equal(v.feature, 'balance');
  });

  it('sees injected nulls (coded below every value) and a renamed category (an unseen code)', () => {
    const nulls = verdict('nulls_50', 200, 6);
    assert.equal(nulls.detected, true);
    assert.equal(nulls.feature, 'balance');
    const renamed = verdict('rename', 200, 7);
    assert.equal(renamed.detected, true);
    assert.equal(renamed.feature, 'segment');
  });
});
