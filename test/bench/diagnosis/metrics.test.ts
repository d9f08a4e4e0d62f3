import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scoreRanking, summarize } from '../../../bench/diagnosis/metrics.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);

describe('diagnosis metrics (RCAEval AC@k, Avg@5, MRR)', () => {
  it('a root cause ranked first scores 1 everywhere', () => {
    const s = scoreRanking([['a'], ['b'], ['c']], 'a');
    assert.deepEqual(s.ac, [1, 1, 1, 1, 1]);
    assert.equal(s.rr, 1);
  });

  it('a root cause ranked third counts from AC@3 on and has reciprocal rank 1/3', () => {
    const s = scoreRanking([['a'], ['b'], ['c'], ['d']], 'c');
    assert.deepEqual(s.ac, [0, 0, 1, 1, 1]);
    close(s.rr, 1 / 3);
  });

  it('a tie is scored by the expected value of a random tie-break', () => {
    //   rank:  1    2..4 (tie of three)   5
    //         [x]  [y, truth, z]         [w]
    const s = scoreRanking([['x'], ['y', 't', 'z'], ['w']], 't');
    close(s.ac[0], 0);
    close(s.ac[1], 1 / 3);
    close(s.ac[2], 2 / 3);
    close(s.ac[3], 1);
    close(s.rr, (1 / 2 + 1 / 3 + 1 / 4) / 3);
  });

  it('a root cause that is not ranked (or no ranking at all) is a miss', () => {
    assert.deepEqual(scoreRanking([['a'], ['b']], 'z'), { ac: [0, 0, 0, 0, 0], rr: 0 });
    assert.deepEqual(scoreRanking([], 'z'), { ac: [0, 0, 0, 0, 0], rr: 0 });
  });

  it('summaries average AC@1, AC@3, Avg@5 (mean of AC@1..AC@5) and MRR over cases', () => {
    const hit = scoreRanking([['a']], 'a');
    const third = scoreRanking([['b'], ['c'], ['a']], 'a');
    const s = summarize([hit, third]);
    assert.equal(s.n, 2);
    close(s.ac1, 0.5);
    close(s.ac3, 1);
    close(s.avg5, (1 + 3 / 5) / 2);
    close(s.mrr, (1 + 1 / 3) / 2);
    assert.deepEqual(summarize([]), { n: 0, ac1: 0, ac3: 0, avg5: 0, mrr: 0 });
  });
});
