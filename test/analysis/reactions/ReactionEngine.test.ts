import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReactionEngine, settleReaction } from '../../../src/analysis/reactions/ReactionEngine.js';
import {
  type ReactionsOptions,
  resolveReactionPolicies,
} from '../../../src/analysis/reactions/ReactionPolicy.js';
import type { Cause, CauseKind, Finding, Incident, Severity } from '../../../src/model/finding.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);

function finding(detector: string, feature: string, model = 'churn-gbm'): Finding {
  return {
    id: `f-${detector}-${feature}`,
    detector,
    stream: { service: 'shop', pipeline: 'churn', component: 'score', model },
    feature,
    statistic: 'ks',
    value: 0.4,
    threshold: 0.1,
    effectSize: 0.4,
    severity: 'critical',
    windowStartMs: T0,
    windowEndMs: T0 + MIN,
    referenceCount: 100,
    currentCount: 100,
    exemplarTraceIds: [],
    message: 'drift',
    details: {},
  };
}

function cause(component: string, kind: CauseKind): Cause {
  return {
    component,
    service: 'shop',
    pipeline: 'churn',
    kind,
    score: 0.9,
    explanation: `${component} broke`,
    evidence: {
      findingIds: [],
      features: [],
      exemplarTraceIds: [],
      exemplarSpanIds: [],
      path: [component],
      onsetMs: T0,
      explains: 1,
    },
  };
}

function incident(id: string, atMs: number, over: Partial<Incident> = {}): Incident {
  return {
    id,
    status: 'open',
    title: `drift ${id}`,
    severity: 'critical',
    service: 'shop',
    pipeline: 'churn',
    openedAtMs: atMs,
    lastFindingAtMs: atMs,
    components: ['score'],
    features: ['spend'],
    findings: [finding('numeric_drift', 'spend')],
    findingCount: 1,
    causes: [],
    ...over,
  };
}

function resolved(i: Incident, atMs: number): Incident {
  return { ...i, status: 'resolved', resolvedAtMs: atMs };
}

function engine(options: ReactionsOptions): ReactionEngine {
  const { policies, problems } = resolveReactionPolicies(options);
  assert.deepEqual(problems, []);
  return new ReactionEngine(policies);
}

const brief = (rs: { action: string; status: string; undo: boolean }[]) =>
  rs.map((r) => `${r.action}:${r.status}${r.undo ? ':undo' : ''}`);

describe('ReactionEngine', () => {
  it('falls back when a critical incident opens and ends the fallback when it resolves', () => {
    const e = engine({
      policies: [
        { name: 'fb', when: { severity: 'critical' }, actions: [{ type: 'fallback', to: 'rules' }] },
      ],
    });
    const i = incident('inc-1', T0);
    const opened = e.onIncident('opened', i);
    assert.deepEqual(brief(opened), ['fallback:triggered']);
    assert.equal(opened[0]!.to, 'rules');
    assert.equal(opened[0]!.target, 'churn/score');
    assert.equal(opened[0]!.incidentId, 'inc-1');
    assert.deepEqual(
      e.active().map((r) => r.id),
      [opened[0]!.id],
    );
    const undone = e.onIncident('resolved', resolved(i, T0 + 10 * MIN));
    assert.deepEqual(brief(undone), ['fallback:triggered:undo']);
    assert.equal(undone[0]!.id, opened[0]!.id, 'the undo names the reaction it ends');
    assert.equal(undone[0]!.atMs, T0 + 10 * MIN);
    assert.deepEqual(e.active(), []);
  });

  it('does not act twice for one incident however often it is updated (deduplication)', () => {
    const e = engine({ policies: [{ name: 'fb', actions: ['fallback', 'alert'] }] });
    const i = incident('inc-1', T0);
    assert.equal(e.onIncident('opened', i).length, 2);
    assert.deepEqual(e.onIncident('updated', { ...i, lastFindingAtMs: T0 + MIN, findingCount: 2 }), []);
    assert.deepEqual(e.onIncident('updated', { ...i, lastFindingAtMs: T0 + 2 * MIN, findingCount: 3 }), []);
  });

  it('acts when an incident escalates to the policy severity on update, not before', () => {
    const e = engine({ policies: [{ name: 'p', when: { severity: 'critical' }, actions: ['alert'] }] });
    const i = incident('inc-1', T0, { severity: 'warning' });
    assert.deepEqual(e.onIncident('opened', i), []);
    assert.deepEqual(brief(e.onIncident('updated', { ...i, severity: 'critical' })), ['alert:triggered']);
  });

  it('matches on pipeline, component, feature, detector and model, each among any listed value', () => {
    const when = (w: object) => engine({ policies: [{ name: 'p', when: w, actions: ['alert'] }] });
    const i = incident('inc-1', T0);
    const fires = (w: object) => when(w).onIncident('opened', i).length === 1;
    assert.ok(fires({ pipeline: ['churn', 'fraud'], component: 'score', feature: 'spend' }));
    assert.ok(fires({ detector: 'numeric_drift', model: 'churn-gbm' }));
    assert.ok(!fires({ pipeline: 'fraud' }));
    assert.ok(!fires({ component: 'featurize' }));
    assert.ok(!fires({ feature: ['age'] }));
    assert.ok(!fires({ detector: 'missing_rate' }));
    assert.ok(!fires({ model: 'other' }));
    assert.ok(!fires({ change: 'resolved' }));
  });

  it('matches on the root cause once diagnosis gives one, and never before', () => {
    const e = () =>
      engine({
        policies: [
          {
            name: 'p',
            when: { rootCause: { component: 'ingest', kind: ['data', 'staleness'] } },
            actions: ['quarantine'],
          },
        ],
      });
    const undiagnosed = incident('inc-1', T0);
    assert.deepEqual(e().onIncident('opened', undiagnosed), []);
    const out = e().onIncident(
      'opened',
      incident('inc-2', T0, { causes: [cause('ingest', 'data')], components: ['ingest', 'score'] }),
    );
    assert.deepEqual(brief(out), ['quarantine:triggered']);
    assert.equal(out[0]!.target, 'churn/ingest', 'the target is the root cause, not the symptom');
    assert.deepEqual(
      e().onIncident('opened', incident('inc-3', T0, { causes: [cause('ingest', 'model')] })),
      [],
    );
  });

  it('holds an action back during the cool-down, says so once, and acts after it', () => {
    const e = engine({ policies: [{ name: 'fb', actions: ['fallback'], cooldownMs: 30 * MIN }] });
    const a = incident('inc-a', T0);
    e.onIncident('opened', a);
    e.onIncident('resolved', resolved(a, T0 + 5 * MIN));
    const b = incident('inc-b', T0 + 10 * MIN);
    const held = e.onIncident('opened', b);
    assert.deepEqual(brief(held), ['fallback:suppressed']);
    assert.match(held[0]!.reason, /cool-down: fallback churn\/score ran 10m ago \(cool-down 30m\)/);
    assert.deepEqual(e.onIncident('updated', { ...b, lastFindingAtMs: T0 + 20 * MIN }), [], 'said once');
    assert.deepEqual(brief(e.onIncident('updated', { ...b, lastFindingAtMs: T0 + 41 * MIN })), [
      'fallback:triggered',
    ]);
    // A suppressed fallback never ran, so resolving an incident that only had one undoes nothing.
    const c = incident('inc-c', T0 + 45 * MIN);
    e.onIncident('opened', c);
    assert.deepEqual(e.onIncident('resolved', resolved(c, T0 + 50 * MIN)), []);
  });

  it('keeps to the hourly maximum across incidents, counting in incident time', () => {
    const e = engine({ policies: [{ name: 'rt', actions: ['retrain'], maxPerHour: 2 }] });
    const statuses = [0, 10, 20, 61].map(
      (m) => brief(e.onIncident('opened', incident(`inc-${m}`, T0 + m * MIN)))[0],
    );
    assert.deepEqual(statuses, [
      'retrain:triggered',
      'retrain:triggered',
      'retrain:suppressed',
      'retrain:triggered',
    ]);
  });

  it('dry run records what it would do and what it would undo, and nothing is active', () => {
    const e = engine({
      dryRun: true,
      policies: [{ name: 'fb', actions: [{ type: 'fallback', to: 'rules' }] }],
    });
    const i = incident('inc-1', T0);
    const opened = e.onIncident('opened', i);
    assert.deepEqual(brief(opened), ['fallback:suppressed']);
    assert.equal(opened[0]!.dryRun, true);
    assert.match(opened[0]!.reason, /^dry run: would fallback churn\/score to rules/);
    assert.deepEqual(e.active(), []);
    assert.deepEqual(brief(e.onIncident('resolved', resolved(i, T0 + MIN))), ['fallback:suppressed:undo']);
  });

  it('undoes only lasting actions, and not when the policy opts out', () => {
    const e = engine({
      policies: [
        { name: 'all', actions: ['alert', 'rollback', 'retrain', 'quarantine', 'fallback'] },
        { name: 'keep', actions: ['fallback'], undoOnResolve: false },
      ],
    });
    const i = incident('inc-1', T0);
    e.onIncident('opened', i);
    const undone = e.onIncident('resolved', resolved(i, T0 + MIN));
    assert.deepEqual(brief(undone), ['quarantine:triggered:undo', 'fallback:triggered:undo']);
    assert.ok(undone.every((r) => r.policy === 'all'));
  });

  it('acts on resolution when a policy asks for it (an all-clear alert)', () => {
    const e = engine({ policies: [{ name: 'clear', when: { change: 'resolved' }, actions: ['alert'] }] });
    const i = incident('inc-1', T0);
    assert.deepEqual(e.onIncident('opened', i), []);
    assert.deepEqual(brief(e.onIncident('resolved', resolved(i, T0 + MIN))), ['alert:triggered']);
  });

  it('decides the same way on a replay (ids and times come from the incident)', () => {
    const run = () => {
      const e = engine({ policies: [{ name: 'fb', actions: ['fallback'] }] });
      const i = incident('inc-1', T0);
      return [...e.onIncident('opened', i), ...e.onIncident('resolved', resolved(i, T0 + MIN))];
    };
    assert.deepEqual(run(), run());
  });

  it('settles a triggered reaction as succeeded, or failed with the error as reason', () => {
    const [r] = engine({ policies: [{ name: 'fb', actions: ['fallback'] }] }).onIncident(
      'opened',
      incident('i', T0),
    );
    assert.equal(settleReaction(r!, undefined, T0 + 1).status, 'succeeded');
    const failed = settleReaction({ ...r!, undo: true }, new Error('no fallback model loaded'), T0 + 1);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.reason, 'undo failed: no fallback model loaded');
  });

  it('severity ordering: warning fires on warning and critical, not info', () => {
    const sev = (s: Severity) =>
      engine({ policies: [{ name: 'p', when: { severity: 'warning' }, actions: ['alert'] }] }).onIncident(
        'opened',
        incident('i', T0, { severity: s }),
      ).length;
    assert.deepEqual([sev('info'), sev('warning'), sev('critical')], [0, 1, 1]);
  });
});
