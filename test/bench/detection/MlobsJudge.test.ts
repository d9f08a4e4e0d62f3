import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MlobsJudge, profileOf } from '../../../bench/detection/MlobsJudge.js';
import { Random } from '../../../bench/detection/Random.js';
import { SyntheticTable } from '../../../bench/detection/SyntheticTable.js';
import { allShifts, shiftContext } from '../../../bench/detection/shifts.js';

const table = new SyntheticTable();
const reference = table.sample(5000, new Random(1));
const ctx = shiftContext(table, reference);
const profile = profileOf(reference, 10);
const judge = new MlobsJudge(profile);

function verdict(id: string, n: number, seed: number, by = judge) {
  const s = allShifts().find((x) => x.id === id);
  assert.ok(s, id);
  const rng = new Random(seed);
  const w = table.sample(n, rng, s.accept?.(ctx, rng));
  s.apply?.(w, ctx, rng);
  return by.judge(w);
}

describe('MlobsJudge', () => {
  it('profiles the reference in equal segments whose merge has every row', () => {
    assert.equal(profile.segments.length, 10);
    assert.equal(
      profile.segments.reduce((s, x) => s + x.rows, 0),
      5000,
    );
    const income = profile.features.get('income');
    assert.equal(income?.kind, 'numeric');
    assert.equal(income?.count, 5000);
  });

  it('makes findings for a unit change, through the schema and numeric drift detectors', () => {
    const v = verdict('unit_x1000', 1000, 3);
    assert.equal(v.detected, true);
    assert.ok(v.fired.includes('schema/out_of_range'), v.fired.join());
    assert.ok(
      v.fired.some((k) => k.startsWith('numeric_drift/')),
      v.fired.join(),
    );
  });

  it('stays quiet on a large unshifted window while naive p-values need no effect', () => {
    const v = verdict('none', 10_000, 4);
    assert.equal(v.detected, false, v.fired.join());
  });

  it('ignores a trivial 0.05 sd shift at n = 100 000 that significance alone can flag', () => {
    // With a 20 000-row reference, p-values alone (BH at 0.05) see a 0.05 sd shift in
    // 100 000 rows; the effect floors never do.
    const big = table.sample(20_000, new Random(1));
    const lenient = new MlobsJudge(profileOf(big, 10), 0.05);
    let naive = 0;
    for (let seed = 0; seed < 2; seed++) {
      const v = verdict('mean_0.05sd', 100_000, 20 + seed, lenient);
      assert.equal(v.detected, false, v.fired.join());
      if (v.naive) naive++;
    }
    assert.ok(naive >= 1, `naive flagged ${naive}/2`);
  });
});
