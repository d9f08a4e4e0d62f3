import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { WindowReport } from '../../../src/analysis/AnalysisListener.js';
import { Analyzer } from '../../../src/analysis/Analyzer.js';
import { componentSpan } from '../fixtures.js';

const MIN = 60_000;

/** End times drifting forward with jitter backwards, as spans from concurrent workers arrive. */
const endTimes = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 40_000 }), fc.integer({ min: 0, max: 90_000 })),
  {
    minLength: 1,
    maxLength: 60,
  },
);

function run(
  times: [number, number][],
  window: { lengthMs: number; stepMs?: number; allowedLatenessMs: number },
) {
  const reports: WindowReport[] = [];
  const a = new Analyzer({ window, detectors: [], listener: { onWindow: (r) => reports.push(r) } });
  let t = 1_000_000_000;
  const accepted: number[] = [];
  for (const [forward, back] of times) {
    t += forward;
    const end = t - back;
    const late = a.stats.lateSpans;
    a.ingest(componentSpan({ endMs: end, features: { x: [1] } }));
    if (a.stats.lateSpans === late) accepted.push(end);
  }
  a.flush();
  return { a, reports, accepted };
}

describe('windows (property)', () => {
  it('tumbling: every span is counted in exactly one window or as late', () => {
    fc.assert(
      fc.property(endTimes, fc.integer({ min: 0, max: 60_000 }), (times, lateness) => {
        const { a, reports, accepted } = run(times, { lengthMs: MIN, allowedLatenessMs: lateness });
        const runs = reports.reduce((s, r) => s + r.runs, 0);
        assert.equal(runs + a.stats.lateSpans, times.length);
        assert.equal(runs, accepted.length);
        for (const end of accepted) {
          const start = Math.floor(end / MIN) * MIN;
          assert.ok(reports.some((r) => r.startMs === start && r.runs > 0));
        }
        // Windows are reported once each, in start order.
        const starts = reports.map((r) => r.startMs);
        assert.deepEqual(
          starts,
          [...new Set(starts)].sort((x, y) => x - y),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('sliding: an accepted span is counted in every window that covers it and starts at or after the first data', () => {
    fc.assert(
      fc.property(endTimes, (times) => {
        const step = MIN / 4;
        const { reports, accepted } = run(times, { lengthMs: MIN, stepMs: step, allowedLatenessMs: 30_000 });
        const first = Math.min(...accepted.map((e) => Math.floor(e / step) * step));
        for (const r of reports) {
          const inside = accepted.filter((e) => e >= r.startMs && e < r.endMs).length;
          assert.equal(r.runs, inside, `window ${r.startMs}`);
          assert.ok(r.startMs >= first);
        }
        const expected = new Set<number>();
        for (const e of accepted) {
          const ps = Math.floor(e / step) * step;
          for (let s = ps - MIN + step; s <= ps; s += step) if (s >= first) expected.add(s);
        }
        assert.deepEqual(
          reports.map((r) => r.startMs),
          [...expected].sort((x, y) => x - y),
        );
      }),
      { numRuns: 100 },
    );
  });
});
