import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../../../bench/detection/Random.js';
import { chooseFault, corruptFrame, type Fault } from '../../../bench/diagnosis/faults.js';
import { componentNames, generatePipeline, MODES, SHAPES } from '../../../bench/diagnosis/generator.js';
import { computeStage, type Frame, type StageSpec } from '../../../bench/diagnosis/pipeline.js';

const ROLE_WORDS = /source|transform|join|feature|model|infer|post|sink|label|job|etl|stage/i;

function stage(partial: Partial<StageSpec>): StageSpec {
  return {
    name: 's',
    role: 'transform',
    kind: 'transform',
    parents: [],
    tables: [],
    generate: [],
    keep: [],
    derive: [],
    baseMs: 1,
    output: '',
    external: '',
    ...partial,
  };
}

describe('diagnosis pipeline generator', () => {
  it('generates DAGs of 5–30 components (5–12 per-request) in topological order, with random unique names', () => {
    for (const shape of SHAPES)
      for (const mode of MODES)
        for (let seed = 0; seed < 15; seed++) {
          const p = generatePipeline(seed, shape, mode);
          const names = componentNames(p);
          assert.ok(
            names.length >= 5 && names.length <= (mode === 'batch' ? 30 : 12) + 2,
            `${shape}/${mode}: ${names.length}`,
          );
          assert.equal(new Set(names).size, names.length, 'names are unique');
          for (const n of [...names, p.pipeline, p.service]) assert.doesNotMatch(n, ROLE_WORDS);
          p.stages.forEach((s, i) => {
            for (const q of s.parents) assert.ok(q < i, 'parents come first');
          });
          if (shape === 'fanin')
            assert.ok(
              p.stages.some((s) => s.parents.length >= 2),
              'a join',
            );
          if (shape === 'fanout')
            assert.ok(p.stages.filter((s) => s.role === 'inference').length >= 2, 'several models');
          if (shape === 'table') assert.ok(p.jobs.length >= 1, 'a scheduled job');
          for (let j = 0; j < p.jobs.length; j++)
            assert.ok(
              p.stages.some((s) => s.tables.includes(j)),
              'every table is read',
            );
          assert.ok(p.labelled >= 0 && p.stages[p.labelled]!.model, 'the labelled stage is a model');
        }
  });

  it('is deterministic in its seed', () => {
    assert.deepEqual(generatePipeline(9, 'fanin', 'batch'), generatePipeline(9, 'fanin', 'batch'));
    assert.notDeepEqual(generatePipeline(9, 'fanin', 'batch'), generatePipeline(10, 'fanin', 'batch'));
  });

  it('places every fault type where it can happen, and the truth is the injected component', () => {
    const p = generatePipeline(4, 'table', 'batch');
    const rng = new Random(1);
    assert.equal(chooseFault(p, 'stale', 6, rng)?.target, p.jobs[0]!.stage.name);
    assert.equal(chooseFault(p, 'labels', 6, rng)?.target, p.label.name);
    assert.ok(p.stages.find((s) => s.name === chooseFault(p, 'model', 6, rng)?.target)?.model);
    const withoutJobs = { ...p, jobs: [] };
    assert.equal(chooseFault(withoutJobs, 'stale', 6, rng), undefined);
  });
});

describe('diagnosis faults propagate downstream', () => {
  // source ──x,c──▶ derive: y = 2x + 1, m = map(c)
  const source = stage({
    name: 'a',
    role: 'source',
    kind: 'source',
    generate: [
      { name: 'x', type: 'numeric', mean: 10, sd: 1, log: false },
      { name: 'c', type: 'categorical', cats: ['p', 'q'], probs: [0.5, 0.5] },
    ],
  });
  const next = stage({
    name: 'b',
    parents: [0],
    keep: ['x'],
    derive: [
      { kind: 'affine', from: 'x', a: 2, b: 1, out: 'y' },
      { kind: 'map', from: 'c', mapping: { p: 'P1', q: 'Q1' }, out: 'm' },
    ],
  });
  const fault = (type: Fault['type'], columns: string[], extra: Partial<Fault> = {}): Fault => ({
    type,
    target: 'a',
    fromWindow: 0,
    columns,
    factor: 1,
    share: 0,
    ...extra,
  });
  const mean = (f: Frame, c: string) => {
    const v = f.get(c)!.values.filter((x): x is number => typeof x === 'number');
    return v.reduce((s, x) => s + x, 0) / v.length;
  };

  it('a unit change at the source moves the derived column downstream by the same factor', () => {
    const a = computeStage(source, [], undefined, 500, new Random(2));
    const bad = corruptFrame(fault('unit', ['x'], { factor: 1000 }), a, new Random(3));
    const clean = computeStage(next, [a], undefined, 500, new Random(4));
    const broken = computeStage(next, [bad], undefined, 500, new Random(4));
    assert.ok(Math.abs(mean(broken, 'x') / mean(clean, 'x') - 1000) < 1e-6);
    assert.ok(mean(broken, 'y') / mean(clean, 'y') > 900);
  });

  it('a null burst reaches the derived column; a category remap makes the downstream lookup fail', () => {
    const a = computeStage(source, [], undefined, 2000, new Random(2));
    const nulls = computeStage(
      next,
      [corruptFrame(fault('nulls', ['x'], { share: 0.5 }), a, new Random(3))],
      undefined,
      2000,
      new Random(4),
    );
    const nullShare = nulls.get('y')!.values.filter((v) => v === null).length / 2000;
    assert.ok(nullShare > 0.45 && nullShare < 0.55, `null share ${nullShare}`);
    const remapped = corruptFrame(fault('remap', ['c']), a, new Random(3));
    assert.deepEqual([...new Set(remapped.get('c')!.values)].sort(), ['P', 'Q']);
    const after = computeStage(next, [remapped], undefined, 2000, new Random(4));
    assert.ok(
      after.get('m')!.values.every((v) => v === null),
      'an unknown category is a failed lookup',
    );
  });
});
