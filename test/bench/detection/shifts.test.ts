import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cloneBatch } from '../../../bench/detection/dataset.js';
import { Random } from '../../../bench/detection/Random.js';
import { SyntheticTable } from '../../../bench/detection/SyntheticTable.js';
import { allShifts, type Shift, shiftContext } from '../../../bench/detection/shifts.js';

const table = new SyntheticTable();
const ctx = shiftContext(table, table.sample(5000, new Random(1)));
const shift = (id: string): Shift => {
  const s = allShifts().find((x) => x.id === id);
  assert.ok(s, id);
  return s;
};

function shifted(id: string, n = 2000) {
  const rng = new Random(9);
  const b = table.sample(n, rng, shift(id).accept?.(ctx, rng));
  const before = cloneBatch(b);
  shift(id).apply?.(b, ctx, rng);
  return { before, after: b };
}

describe('shifts', () => {
  it('has every shift of the study once, no shift first', () => {
    const ids = allShifts().map((s) => s.id);
    assert.equal(ids[0], 'none');
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(ids.filter((i) => i.startsWith('noise_')).length, 9);
    for (const id of ['unit_x1000', 'nulls_5', 'nulls_50', 'rename', 'stuck', 'knockout', 'mean_0.05sd'])
      assert.ok(ids.includes(id), id);
  });

  it('unit change multiplies exactly the target feature by 1000', () => {
    const { before, after } = shifted('unit_x1000');
    const b = before.numeric.balance as Float64Array;
    const a = after.numeric.balance as Float64Array;
    for (let i = 0; i < b.length; i++) if (!Number.isNaN(b[i])) assert.equal(a[i], (b[i] as number) * 1000);
    assert.deepEqual(after.numeric.income, before.numeric.income);
  });

  it('noise on 10% of rows changes 10% of rows', () => {
    const { before, after } = shifted('noise_s1_d0.1');
    const b = before.numeric.score as Float64Array;
    const a = after.numeric.score as Float64Array;
    const changed = [...a].filter((x, i) => x !== b[i]).length;
    assert.equal(changed, 200);
  });

  it('50% nulls leave about half the target feature null', () => {
    const { after } = shifted('nulls_50');
    const nulls = [...(after.numeric.balance as Float64Array)].filter(Number.isNaN).length;
    assert.ok(nulls > 900 && nulls < 1100, String(nulls));
  });

  it('rename replaces the top category by a new name', () => {
    const { before, after } = shifted('rename');
    const top = ctx.topCategory;
    assert.ok((before.categorical.segment ?? []).includes(top));
    assert.ok(!(after.categorical.segment ?? []).includes(top));
    assert.ok((after.categorical.segment ?? []).includes(`${top}_v2`));
  });

  it('stuck sets every non-null value of the target to the reference median', () => {
    const { after } = shifted('stuck');
    const values = new Set([...(after.numeric.balance as Float64Array)].filter((x) => !Number.isNaN(x)));
    assert.deepEqual([...values], [ctx.median]);
  });

  it('knockout roughly halves the odds of the top class', () => {
    const share = (b: ReturnType<typeof shifted>['after']) =>
      (b.categorical.label ?? []).filter((c) => c === ctx.topClass).length / b.n;
    const plain = share(table.sample(4000, new Random(2)));
    const { after } = shifted('knockout', 4000);
    const expected = plain / 2 / (plain / 2 + (1 - plain));
    assert.ok(Math.abs(share(after) - expected) < 0.03, `${share(after)} vs ${expected}`);
  });

  it('no shift leaves the window as drawn', () => {
    const { before, after } = shifted('none');
    assert.deepEqual(after, before);
  });
});
