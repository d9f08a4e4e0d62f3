import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeApi } from '../../../src/collector/api/routes.js';
import {
  getIncident,
  listIncidents,
  listPipelines,
  pipelineGraph,
  stateVersion,
} from '../../../src/collector/api/stateApi.js';
import { fixtureReactions, fixtureStore, openIncident, T } from './fixtures.js';

describe('JSON API: incidents', () => {
  it('lists incidents newest first with the root cause in one sentence, filtered by state, pipeline and model', () => {
    const store = fixtureStore();
    const all = listIncidents(store);
    assert.deepEqual(
      all.map((i) => [i.id, i.status]),
      [
        ['b3d39b59961f5c30', 'open'],
        ['a0000000000000001', 'resolved'],
      ],
    );
    assert.deepEqual(all[0]?.rootCause, {
      component: 'load',
      kind: 'data',
      explanation: 'load started emitting different data at 14:04 UTC (income: 30% null)',
      score: 0.92,
    });
    assert.deepEqual(all[0]?.models, ['churn-gbm']);
    assert.equal(all[1]?.rootCause, null);
    // Reactions taken: the incident's records as stored, none for the other incident.
    assert.deepEqual(
      all[0]?.reactions.map((r) => [r.policy, r.action, r.status, r.target, r.to]),
      [
        ['page-on-critical', 'alert', 'triggered', 'churn/load', null],
        ['rules-when-income-breaks', 'fallback', 'triggered', 'churn/load', 'churn-rules-v1'],
        ['rules-when-income-breaks', 'fallback', 'succeeded', 'churn/load', 'churn-rules-v1'],
      ],
    );
    assert.deepEqual(all[1]?.reactions, []);
    assert.deepEqual(
      listIncidents(store, { state: 'resolved' }).map((i) => i.id),
      ['a0000000000000001'],
    );
    assert.deepEqual(
      listIncidents(store, { pipeline: 'churn' }).map((i) => i.id),
      ['b3d39b59961f5c30'],
    );
    assert.deepEqual(
      listIncidents(store, { model: 'fraud-xgb' }).map((i) => i.id),
      ['a0000000000000001'],
    );
  });

  it('draws the moved features: a numeric histogram and top categories on common bins, root cause first', () => {
    const detail = getIncident(fixtureStore(), 'b3d3');
    assert.ok(detail);
    assert.deepEqual(
      detail.distributions.map((d) => [d.feature, d.kind]),
      [
        ['income', 'numeric'],
        ['plan', 'categorical'],
      ],
    );
    assert.deepEqual(detail.reactions[2], {
      id: 'r-fallback',
      policy: 'rules-when-income-breaks',
      action: 'fallback',
      status: 'succeeded',
      target: 'churn/load',
      to: 'churn-rules-v1',
      undo: false,
      dryRun: false,
      reason: fixtureReactions()[2]!.reason,
      atMs: T + 5 * 60_000 + 800,
    });
    const income = detail.distributions[0]!;
    assert.equal(income.labels.length, income.reference.length + 1);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum(income.reference) - 1) < 1e-9);
    assert.ok(Math.abs(sum(income.current) - 1) < 1e-9);
    assert.equal(income.referenceMissing, 0);
    assert.ok(Math.abs(income.currentMissing - 0.3) < 1e-9);
    const plan = detail.distributions[1]!;
    const share = (v: string, xs: number[]) => xs[plan.labels.indexOf(v)];
    assert.ok(Math.abs((share('team', plan.current) ?? 0) - 0.5) < 0.01);
    assert.equal(share('team', plan.reference), 0);
    // The statistic over the stream's recent windows: nothing in warm-up, the findings after.
    assert.deepEqual(
      income.history.map((h) => h.value),
      [null, null, null, 0.3, 0.3],
    );
    // Summaries stay inside the API: the findings table gets verdicts, not sketches.
    assert.ok(detail.findings.every((f) => !('referenceSummary' in f) && !('currentSummary' in f)));
  });

  it('answers undefined for an unknown id and refuses an ambiguous prefix', () => {
    const store = fixtureStore();
    assert.equal(getIncident(store, 'zzz'), undefined);
    store.putIncident({ ...openIncident(), id: 'b3d39b59961f5c31' });
    assert.throws(() => getIncident(store, 'b3d3'), /ambiguous/);
  });
});

describe('JSON API: pipelines and graph', () => {
  it('lists streams with features, drift sparklines, last seen and whether the reference is warming up', () => {
    const [churn, ...rest] = listPipelines(fixtureStore());
    assert.equal(rest.length, 0);
    assert.equal(churn?.pipeline, 'churn');
    assert.equal(churn?.openIncidents, 1);
    const load = churn?.streams.find((s) => s.key.component === 'load');
    assert.ok(load);
    assert.equal(load.warmingUp, false);
    assert.equal(load.windows, 5);
    assert.equal(load.lastSeenMs, T + 5 * 60_000 - 1000);
    const income = load.features.find((f) => f.name === 'income');
    assert.deepEqual(income?.sparkline, [0, 0, 0, 0.3 / 0.05, 0.3 / 0.05]);
  });

  it("marks the incident's root cause, its path to the symptom, and components with errors", () => {
    const g = pipelineGraph(fixtureStore(), 'shop/churn', 'b3d39b59961f5c30');
    const health = Object.fromEntries(g.nodes.map((n) => [n.component, [n.health, n.onPath]]));
    assert.deepEqual(health, {
      load: ['cause', true],
      featurize: ['ok', true], // on the path, but it made no finding itself
      predict: ['anomalous', true],
      report: ['errors', false],
    });
    assert.equal(g.edges.length, 2);
    assert.ok(g.edges.every((e) => e.onPath));
    assert.equal(pipelineGraph(fixtureStore(), 'fraud').nodes.length, 0);
  });

  it('changes its state version when an incident grows or a reaction is recorded', () => {
    const store = fixtureStore();
    const before = stateVersion(store);
    store.putIncident({ ...openIncident(), findingCount: 4 });
    const grown = stateVersion(store);
    assert.notEqual(grown, before);
    const fallback = fixtureReactions()[1]!;
    store.addReactions([{ ...fallback, undo: true, reason: 'incident resolved', atMs: T + 20 * 60_000 }]);
    assert.notEqual(stateVersion(store), grown);
  });
});

describe('JSON API routes', () => {
  const ctx = { view: fixtureStore(), processor: 'ml', traceUrl: null };
  it('answers each documented route with JSON and 404/400 with an error saying what is wrong', () => {
    const q = (s = '') => new URLSearchParams(s);
    assert.equal(routeApi(ctx, '/api/v1/incidents', q('state=open')).status, 200);
    assert.equal((routeApi(ctx, '/api/v1/incidents', q()).body as unknown[]).length, 2);
    assert.equal(routeApi(ctx, '/api/v1/incidents/b3d39b59961f5c30', q()).status, 200);
    assert.deepEqual(routeApi(ctx, '/api/v1/incidents/nope', q()), {
      status: 404,
      body: { error: "no incident 'nope'" },
    });
    const bad = routeApi(ctx, '/api/v1/incidents', q('state=closed'));
    assert.equal(bad.status, 400);
    assert.match((bad.body as { error: string }).error, /open or resolved/);
    assert.equal(routeApi(ctx, '/api/v1/pipelines', q()).status, 200);
    assert.equal(routeApi(ctx, '/api/v1/graph', q('pipeline=churn')).status, 200);
    const id = encodeURIComponent(JSON.stringify(['shop', 'churn', 'load', '']));
    const windows = routeApi(ctx, `/api/v1/streams/${id}/windows`, q('limit=2'));
    assert.equal((windows.body as unknown[]).length, 2);
    assert.equal(routeApi(ctx, `/api/v1/streams/${id}/windows`, q('limit=0')).status, 400);
    assert.equal(routeApi(ctx, '/api/v2/incidents', q()).status, 404);
  });

  it('answers empty lists while no ml processor runs', () => {
    const none = { view: undefined, processor: '', traceUrl: null };
    assert.deepEqual(routeApi(none, '/api/v1/incidents', new URLSearchParams()).body, []);
    assert.deepEqual(routeApi(none, '/api/v1/status', new URLSearchParams()).body, {
      processor: '',
      running: false,
      traceUrl: null,
    });
  });
});
