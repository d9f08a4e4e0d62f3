import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { caseById, caseList } from '../../../bench/diagnosis/cases.js';
import { scoreCase } from '../../../bench/diagnosis/outcome.js';
import { FAULT_FROM, runCase, WINDOW_MS } from '../../../bench/diagnosis/simulate.js';

describe('diagnosis benchmark end to end', () => {
  it('a unit change in a small chain opens an incident through MlSpanProcessor that names the faulty stage', async () => {
    const spec = {
      id: 'tiny',
      seed: 3,
      shape: 'chain',
      mode: 'batch',
      fault: 'unit',
      maxComponents: 5,
    } as const;
    const run = await runCase(spec);
    assert.ok(run.spans > 50, `spans through the processor: ${run.spans}`);
    assert.ok(run.incident, 'an incident opened after the fault');
    assert.ok(run.incident.openedAtMs >= Date.UTC(2020, 0, 1) + (FAULT_FROM + 1) * WINDOW_MS);
    assert.equal(run.incidentsBeforeFault, 0, 'no false alarm in the clean windows');
    // The stage whose output changed unit has findings of its own in the incident.
    assert.ok(
      run.incident.findings.some((f) => f.stream.component === run.fault.target),
      `findings: ${run.incident.findings.map((f) => `${f.detector}@${f.stream.component}`).join(', ')}; truth ${run.fault.target}`,
    );
    const o = scoreCase(run);
    assert.equal(o.detected, true);
    assert.ok(o.scores.random.ac[4] > 0, 'the truth is among the anomalous components');
    assert.equal(
      run.incident.causes[0]?.component,
      run.fault.target,
      'mlobs blames the stage that changed unit',
    );
    assert.deepEqual(o.scores.mlobs, { ac: [1, 1, 1, 1, 1], rr: 1 });
    assert.ok(o.stateBytes > 0 && o.streams >= 4);
  });

  it('the same case replayed twice gives the same spans, findings, incident and scores', async () => {
    const spec = {
      id: 'tiny',
      seed: 11,
      shape: 'table',
      mode: 'batch',
      fault: 'stale',
      maxComponents: 6,
    } as const;
    const a = await runCase(spec);
    const b = await runCase(spec);
    assert.deepEqual(
      a.seen.map((s) => [s.traceId, s.spanId, s.component, s.startMs, s.endMs]),
      b.seen.map((s) => [s.traceId, s.spanId, s.component, s.startMs, s.endMs]),
    );
    assert.deepEqual(a.findings, b.findings);
    assert.deepEqual(a.incident, b.incident);
    const [oa, ob] = [scoreCase(a), scoreCase(b)];
    assert.deepEqual([oa.rankings, oa.scores], [ob.rankings, ob.scores]);
    // The job that stopped is the truth; the reader shows the stale input.
    assert.ok(a.pipeline.jobs.some((j) => j.stage.name === a.fault.target));
    assert.ok(a.incident?.findings.some((f) => f.detector === 'staleness'));
    assert.ok(
      !a.incident?.findings.some((f) => f.stream.component === a.fault.target),
      'the job that stopped has no finding of its own: only the topology leads to it',
    );
    assert.equal(oa.top?.component, a.fault.target, 'mlobs blames the job, not the reader');
  });

  it('case ids name their case and replay alone with --only', () => {
    const list = caseList(5, 70);
    assert.equal(
      new Set(list.map((c) => `${c.shape}/${c.mode}/${c.fault}`)).size,
      64,
      'every cell in the first 64 cases',
    );
    assert.deepEqual(caseById(5, list[66]!.id), list[66]);
    assert.equal(caseById(5, 'chain-batch-unit-1'), undefined, 'an id of another cell is refused');
  });
});
