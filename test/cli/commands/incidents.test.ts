import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/runCli.js';
import { SqliteAnalysisStore } from '../../../src/collector/store/SqliteAnalysisStore.js';
import type { Incident } from '../../../src/model/finding.js';
import type { Reaction } from '../../../src/model/reaction.js';
import { memoryIO } from '../helpers.js';

const T = Date.UTC(2026, 10, 26, 14, 0);

function incident(id: string, status: Incident['status'], withCause: boolean): Incident {
  return {
    id,
    status,
    title: 'missing_rate in churn: income (enrich, predict)',
    severity: 'critical',
    service: 'shop',
    pipeline: 'churn',
    openedAtMs: T,
    lastFindingAtMs: T + 60_000,
    ...(status === 'resolved' ? { resolvedAtMs: T + 600_000 } : {}),
    components: ['enrich', 'predict'],
    features: ['income'],
    findings: [],
    findingCount: 4,
    causes: withCause
      ? [
          {
            component: 'enrich',
            service: 'shop',
            pipeline: 'churn',
            kind: 'data',
            score: 0.92,
            explanation:
              'enrich started emitting different data at 14:02 UTC (income: 30% null); predict moved downstream of it',
            evidence: {
              findingIds: ['f1'],
              features: ['income'],
              exemplarTraceIds: ['4bf92f3577b34da6a3ce929d0e0e4736'],
              exemplarSpanIds: ['00f067aa0ba902b7'],
              path: ['enrich', 'featurize', 'predict'],
              onsetMs: T + 120_000,
              explains: 1,
            },
          },
        ]
      : [],
  };
}

/** The steps of a fallback for the open incident: triggered, succeeded, then ended on resolve. */
function fallbackSteps(): Reaction[] {
  const base: Reaction = {
    id: 'r-fallback',
    policy: 'rules-when-income-breaks',
    action: 'fallback',
    status: 'triggered',
    target: 'churn/enrich',
    to: 'churn-rules-v1',
    undo: false,
    reason: 'incident opened (critical): missing_rate in churn: income (enrich, predict)',
    dryRun: false,
    incidentId: 'b3d39b59961f5c30',
    severity: 'critical',
    service: 'shop',
    pipeline: 'churn',
    atMs: T + 60_000,
  };
  return [
    base,
    { ...base, status: 'succeeded', atMs: T + 61_000 },
    { ...base, undo: true, reason: 'incident b3d39b59961f5c30 resolved', atMs: T + 600_000 },
  ];
}

describe('mlobs incidents / mlobs diagnose', () => {
  let dir = '';
  let path = '';
  let writer: SqliteAnalysisStore;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlobs-incidents-'));
    path = join(dir, 'state.db');
    // The collector keeps its store open while the commands read it.
    writer = new SqliteAnalysisStore({ path });
    writer.putIncident(incident('b3d39b59961f5c30', 'open', true));
    writer.putIncident(incident('a0000000000000001', 'resolved', false));
    writer.addReactions(fallbackSteps());
  });
  after(() => {
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists incidents with their root cause while the collector holds the database', async () => {
    const io = memoryIO();
    assert.equal(await runCli(['incidents', '--state', path], io), 0);
    const lines = io.out.join('').trim().split('\n');
    assert.match(
      lines[0]!,
      /^ID\s+STATUS\s+SEVERITY\s+OPENED\s+PIPELINE\s+ROOT CAUSE\s+FINDINGS\s+REACTIONS$/,
    );
    assert.match(
      lines.find((l) => l.startsWith('b3d3'))!,
      /open\s+critical\s+2026-11-26 14:00 UTC\s+churn\s+enrich \(data, 0\.92\)\s+4\s+fallback churn\/enrich to churn-rules-v1 succeeded, ended$/,
    );
    assert.match(lines.find((l) => l.startsWith('a000'))!, /resolved .*\(no diagnosis yet\)\s+4\s+-$/);
  });

  it('lists only open incidents with --open, and JSON with --json', async () => {
    const io = memoryIO();
    assert.equal(await runCli(['incidents', '--state', path, '--open', '--json'], io), 0);
    const list = JSON.parse(io.out.join('')) as (Incident & { reactions: Reaction[] })[];
    assert.deepEqual(
      list.map((i) => i.id),
      ['b3d39b59961f5c30'],
    );
    assert.deepEqual(list[0]!.reactions, fallbackSteps());
  });

  it('prints the ranked causes of one incident, found by a unique id prefix', async () => {
    const io = memoryIO();
    assert.equal(await runCli(['diagnose', 'b3d3', '--state', path], io), 0);
    const text = io.out.join('');
    assert.match(text, /^incident b3d39b59961f5c30: open, critical, pipeline churn/);
    assert.match(text, /1\. enrich — data, score 0\.92, explains 100% of the incident/);
    assert.match(text, /path: enrich → featurize → predict/);
    assert.match(text, /traces with its runs: 4bf92f3577b34da6a3ce929d0e0e4736/);
    // Every reaction record, oldest first, as its ml.reaction record's body reads.
    const steps = text.slice(text.indexOf('reactions (oldest first):')).trimEnd().split('\n').slice(1);
    assert.deepEqual(steps, [
      '  2026-11-26 14:01 UTC  rules-when-income-breaks: fallback churn/enrich to churn-rules-v1 triggered: incident opened (critical): missing_rate in churn: income (enrich, predict)',
      '  2026-11-26 14:01 UTC  rules-when-income-breaks: fallback churn/enrich to churn-rules-v1 succeeded: incident opened (critical): missing_rate in churn: income (enrich, predict)',
      '  2026-11-26 14:10 UTC  rules-when-income-breaks: end fallback churn/enrich triggered: incident b3d39b59961f5c30 resolved',
    ]);
    const io2 = memoryIO();
    assert.equal(await runCli(['diagnose', 'a000', '--state', path], io2), 0);
    assert.match(io2.out.join(''), /reactions \(oldest first\):\n {2}none recorded/);
  });

  it('says which incident is unknown, and which state file is not one', async () => {
    const io = memoryIO();
    assert.equal(await runCli(['diagnose', 'ffff', '--state', path], io), 1);
    assert.match(io.err.join(''), /no incident 'ffff' in .*state\.db/);
    const io2 = memoryIO();
    assert.equal(await runCli(['incidents', '--state', join(dir, 'missing.db')], io2), 1);
    assert.match(io2.err.join(''), /cannot read incidents from .*missing\.db/);
    const io3 = memoryIO();
    assert.equal(await runCli(['diagnose', '--state', path], io3), 2);
  });
});
