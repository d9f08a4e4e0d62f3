import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CALL_COST_ROWS,
  parseSampling,
  SummarySampler,
  samplingProblem,
} from '../../../src/instrumentation/shared/SummarySampler.js';

describe('SummarySampler', () => {
  it('records every call with { every: 1 } and one call in N with { every: N }', () => {
    const all = new SummarySampler({ every: 1 });
    assert.deepEqual(
      [1, 2, 3].map(() => all.take(10)),
      [true, true, true],
    );
    const third = new SummarySampler({ every: 3 });
    assert.deepEqual(
      Array.from({ length: 7 }, () => third.take(1)),
      [true, false, false, true, false, false, true],
    );
  });

  it('keeps about R rows per second with { rowsPerSecond: R }, taking a big batch whole then pausing', () => {
    let now = 0;
    const s = new SummarySampler({ rowsPerSecond: 1000 }, () => now);
    assert.equal(s.take(5000), true, 'a full bucket takes a batch larger than itself');
    now += 1000;
    assert.equal(s.take(1), false, 'the 4200-row debt (rows + call cost) is not paid back after 1 s');
    now += 4000;
    assert.equal(s.take(1), true);
    // Per-request traffic: 10,000 one-row calls over 10 s; each summary costs 1 + CALL_COST_ROWS.
    let kept = 0;
    for (let i = 0; i < 10_000; i++) {
      now += 1;
      if (s.take(1)) kept++;
    }
    const expected = (10 * 1000) / (1 + CALL_COST_ROWS);
    assert.ok(
      kept >= expected * 0.8 && kept <= expected * 1.2 + 5,
      `kept ${kept}, expected about ${expected}`,
    );
  });

  it('with { costShare: S } spreads the measured cost of a recorded call over enough counted calls', () => {
    let now = 0;
    const s = new SummarySampler({ costShare: 0.02 }, () => now);
    assert.equal(s.take(32), true, 'the first call is recorded: nothing is known yet');
    // A recorded call cost 200 µs beyond a 50 µs model: 2% of 50 µs is 1 µs, so 1 call in 200.
    s.report(0.2, 0.05);
    assert.equal(s.currentInterval(), 200);
    let recorded = 0;
    for (let i = 0; i < 2000; i++) {
      now += 0.05;
      if (s.take(32)) recorded++;
    }
    assert.equal(recorded, 10, '2,000 calls in 100 ms: one in 200');
    // The model got slower (or the summaries cheaper): more calls are recorded.
    for (let i = 0; i < 30; i++) s.report(0.2, 1);
    assert.ok(s.currentInterval() <= 11, `interval ${s.currentInterval()}`);
  });

  it('with { costShare } records a call at least every maxGapMs however costly recording is', () => {
    let now = 0;
    const s = new SummarySampler({ costShare: 0.01, maxGapMs: 1000 }, () => now);
    assert.equal(s.take(1), true);
    s.report(50, 0.01); // an interval of 500,000 calls
    const taken: number[] = [];
    for (let t = 1; t <= 5000; t++) {
      now = t * 10; // a call every 10 ms for 50 s
      if (s.take(1)) taken.push(now);
    }
    assert.equal(taken.length, 50);
    assert.ok(taken.every((t, i) => i === 0 || t - taken[i - 1] === 1000));
  });

  it('parses MLOBS_SAMPLING and names the variable in its error', () => {
    assert.deepEqual(parseSampling('2%'), { costShare: 0.02 });
    assert.deepEqual(parseSampling('0.5%,250ms'), { costShare: 0.005, maxGapMs: 250 });
    assert.throws(() => parseSampling('150%'), /MLOBS_SAMPLING: .*P% .* got '150%'/);
    assert.deepEqual(parseSampling('1'), { every: 1 });
    assert.deepEqual(parseSampling('1/20'), { every: 20 });
    assert.deepEqual(parseSampling('500/s'), { rowsPerSecond: 500 });
    assert.throws(() => parseSampling('1/0'), /MLOBS_SAMPLING: expected 1, 1\/N .* got '1\/0'/);
    assert.throws(() => parseSampling('often'), /got 'often'/);
  });

  it('reports a bad sampling config with its path', () => {
    assert.equal(samplingProblem({ every: 2 }, 'sampling'), undefined);
    assert.match(
      samplingProblem({ every: 0 }, 'models.x.sampling') ?? '',
      /^models\.x\.sampling\.every: must be a whole number ≥ 1, got 0/,
    );
    assert.match(samplingProblem({ every: 1, rowsPerSecond: 5 }, 'sampling') ?? '', /exactly one of/);
    assert.equal(samplingProblem({ costShare: 0.05, maxGapMs: 100 }, 'sampling'), undefined);
    assert.match(
      samplingProblem({ costShare: 0 }, 'models.m.sampling') ?? '',
      /^models\.m\.sampling\.costShare: must be a number in \(0, 1\], got 0/,
    );
    assert.match(
      samplingProblem({ every: 2, maxGapMs: 5 }, 'sampling') ?? '',
      /^sampling\.maxGapMs: only applies with costShare/,
    );
  });
});
