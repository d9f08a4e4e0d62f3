import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SyntheticTable } from '../../../bench/detection/SyntheticTable.js';
import { runStreams } from '../../../bench/detection/streamExperiment.js';

describe('stream experiment', () => {
  it('detects a unit change through the Analyzer within 2 windows and judges every clean window', () => {
    const [r] = runStreams(new SyntheticTable(), {
      rowsPerWindow: 200,
      spansPerWindow: 2,
      warmup: 3,
      clean: 2,
      after: 2,
      seeds: 1,
      shiftIds: ['unit_x1000'],
    });
    assert.ok(r);
    assert.equal(r.cleanWindows, 2);
    assert.equal(r.findingDelays.length, 1);
    assert.ok((r.findingDelays[0] ?? Number.POSITIVE_INFINITY) <= 2, String(r.findingDelays));
    assert.ok(Number.isFinite(r.incidentDelays[0] ?? Number.POSITIVE_INFINITY), String(r.incidentDelays));
  });
});
