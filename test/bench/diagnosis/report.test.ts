import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Summary } from '../../../bench/diagnosis/metrics.js';
import { METHODS, type Method } from '../../../bench/diagnosis/outcome.js';
import { goal } from '../../../bench/diagnosis/report.js';

function summaries(ac1: Partial<Record<Method, number>>, mlobsAc3: number): Record<Method, Summary> {
  const out = {} as Record<Method, Summary>;
  for (const m of METHODS) {
    const a = ac1[m] ?? 0;
    out[m] = { n: 100, ac1: a, ac3: m === 'mlobs' ? mlobsAc3 : a, avg5: a, mrr: a };
  }
  return out;
}

describe('diagnosis goal line', () => {
  it('is met when AC@1 ≥ 0.90, AC@3 ≥ 0.98 and AC@1 is 0.20 above the best baseline', () => {
    const g = goal(summaries({ mlobs: 0.93, random: 0.3, 'most-upstream': 0.7, mltrace: 0.5 }, 0.99));
    assert.equal(g.best.method, 'most-upstream');
    assert.equal(g.met, true);
    assert.match(g.line, /MET$/);
  });

  it('is not met when the margin over the best baseline is short, and says which part failed', () => {
    const g = goal(summaries({ mlobs: 0.92, 'most-anomalous': 0.8 }, 0.99));
    assert.equal(g.met, false);
    assert.match(g.line, /most-anomalous 0\.80\) = 0\.12 ≥ 0\.20 \(not met\)/);
    assert.match(g.line, /AC@1 0\.92 ≥ 0\.90 \(met\)/);
  });

  it('ignores the incident.components reference row when picking the best baseline', () => {
    const g = goal(summaries({ mlobs: 0.95, 'components-order': 0.9, random: 0.2 }, 1));
    assert.equal(g.best.method, 'random');
    assert.equal(g.met, true);
  });
});
