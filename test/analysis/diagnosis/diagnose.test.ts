import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnose } from '../../../src/analysis/diagnosis/diagnose.js';
import { TopologyLearner } from '../../../src/analysis/topology/TopologyLearner.js';
import type { Finding } from '../../../src/model/finding.js';
import { rng } from '../fixtures.js';
import { runsOf } from '../topology/fixtures.js';

const MIN = 60_000;
const WINDOW = 5 * MIN;
const FAULT = 100 * MIN;

let seq = 0;

/** A finding of `component` in the window starting `windows` windows after the fault. */
function finding(
  component: string,
  detector: string,
  feature: string,
  o: Partial<Finding> & { windows?: number } = {},
): Finding {
  const start = FAULT + (o.windows ?? 0) * WINDOW;
  return {
    id: `f${++seq}`,
    detector,
    stream: { service: 'svc', pipeline: 'p', component, model: '' },
    feature,
    statistic: o.statistic ?? 'ks',
    value: o.value ?? 0.5,
    threshold: o.threshold ?? 0.1,
    pValue: o.pValue ?? 1e-12,
    effectSize: 0.5,
    severity: o.severity ?? 'warning',
    windowStartMs: start,
    windowEndMs: start + WINDOW,
    referenceCount: 1000,
    currentCount: 500,
    exemplarTraceIds: o.exemplarTraceIds ?? [`trace-${component}`],
    message: o.message ?? `${feature} moved`,
    details: o.details ?? { exemplarSpanIds: [`span-${component}`] },
  };
}

/** The graph of a drawing repeated every window before the fault (features per component). */
function graphOf(drawing: string, runs = 5): TopologyLearner {
  const t = new TopologyLearner({ traceWaitMs: 0 });
  for (let k = 0; k < runs; k++) {
    const shifted = drawing.replace(/@(\d+)/g, (_, m) => `@${Number(m) + (FAULT / MIN - runs * 5) + k * 5}`);
    for (const r of runsOf(shifted.replace(/trace (\w+)/g, `trace $1-${k}`))) t.observe(r);
  }
  t.advance(FAULT);
  return t;
}

function rank(t: TopologyLearner, findings: Finding[], nowMs = FAULT + 3 * WINDOW) {
  const d = diagnose({ findings, graph: t.graph, nowMs, windowMs: WINDOW });
  assert.equal(d.failed, false, d.errors.join('; '));
  return d.result;
}

/**
 * load → featurize → predict under one root; featurize derives `z` from load's `x`, `y` passes
 * through; predict scores featurize's columns.
 */
const CHAIN = `
trace t @0
  pipeline
    load out=table:raw f=x,y
    featurize in=table:raw out=table:feat f=y,z
    predict in=table:feat f=y,z,class
`;

describe('diagnose', () => {
  it('blames the anomalous component whose upstream is healthy, not the ones downstream of it', () => {
    const t = graphOf(CHAIN);
    const causes = rank(t, [
      finding('predict', 'prediction_drift', 'class', { windows: 0 }),
      finding('featurize', 'numeric_drift', 'z', { windows: 0 }),
      finding('predict', 'numeric_drift', 'z', { windows: 1 }),
    ]);
    assert.equal(causes[0]!.component, 'featurize');
    assert.equal(causes[0]!.kind, 'data');
    assert.deepEqual(causes[0]!.evidence.path, ['featurize', 'predict']);
    assert.deepEqual(causes[0]!.evidence.features, ['z']);
    assert.deepEqual(causes[0]!.evidence.exemplarTraceIds, ['trace-featurize']);
    assert.match(
      causes[0]!.explanation,
      /^featurize started emitting different data at .*predict moved downstream/,
    );
    assert.equal(causes[1]!.component, 'predict');
    assert.ok(causes[0]!.score > causes[1]!.score);
  });

  it('does not blame an upstream change that reached the symptom unchanged', () => {
    // load's y moved (it reached featurize and predict unchanged); featurize's z broke on its own.
    const t = graphOf(CHAIN);
    const causes = rank(t, [
      finding('load', 'numeric_drift', 'y', { windows: 0, severity: 'info', pValue: 1e-4 }),
      finding('featurize', 'numeric_drift', 'z', { windows: 0, severity: 'critical' }),
      finding('predict', 'numeric_drift', 'z', { windows: 0 }),
    ]);
    assert.equal(causes[0]!.component, 'featurize');
  });

  it('blames the earliest component when a change flows through all of them', () => {
    const t = graphOf(CHAIN);
    const causes = rank(t, [
      finding('predict', 'numeric_drift', 'y', { windows: 0 }),
      finding('featurize', 'numeric_drift', 'y', { windows: 0 }),
      finding('load', 'numeric_drift', 'y', { windows: 0 }),
    ]);
    assert.deepEqual(
      causes.map((c) => c.component),
      ['load', 'featurize', 'predict'],
    );
    assert.deepEqual(causes[0]!.evidence.path, ['load', 'featurize', 'predict']);
    assert.equal(causes[0]!.evidence.explains, 1);
  });

  it('blames a slow stage rather than the pipeline span that contains it', () => {
    const t = graphOf(CHAIN);
    const causes = rank(t, [
      finding('pipeline', 'latency', '', { statistic: 'p95', windows: 0 }),
      finding('featurize', 'latency', '', { statistic: 'p95', windows: 0 }),
    ]);
    assert.equal(causes[0]!.component, 'featurize');
    assert.equal(causes[0]!.kind, 'latency');
    assert.match(causes[0]!.explanation, /featurize became slower/);
  });

  it('blames a failing stage rather than the stages that then saw fewer rows', () => {
    const t = graphOf(CHAIN);
    const causes = rank(t, [
      finding('predict', 'volume', '', { statistic: 'rows', windows: 0 }),
      finding('pipeline', 'error_rate', '', { statistic: 'error_rate', windows: 0 }),
      finding('featurize', 'error_rate', '', { statistic: 'error_rate', windows: 0 }),
    ]);
    assert.equal(causes[0]!.component, 'featurize');
    assert.equal(causes[0]!.kind, 'errors');
  });

  it('blames the scheduled job that stopped rewriting a table, which has no finding of its own', () => {
    // The job ran every 60 minutes until FAULT - 10 min, then stopped.
    const t = new TopologyLearner({ traceWaitMs: 0 });
    for (let h = 0; h < 5; h++)
      for (const r of runsOf(`trace etl-${h} @${FAULT / MIN - 250 + h * 60}\n  etl out=table:customers`))
        t.observe(r);
    for (let k = 0; k < 5; k++)
      for (const r of runsOf(
        `trace run-${k} @${FAULT / MIN - 25 + 5 * k}\n  pipeline\n    load in=table:customers f=x\n    predict f=x,class`,
      ))
        t.observe(r);
    t.advance(FAULT);
    const causes = rank(
      t,
      [
        finding('load', 'staleness', 'table:customers', {
          statistic: 'input_age',
          pValue: undefined,
          windows: 0,
        }),
      ],
      FAULT + 2 * 60 * MIN,
    );
    assert.equal(causes[0]!.component, 'etl');
    assert.equal(causes[0]!.kind, 'schedule');
    assert.match(
      causes[0]!.explanation,
      /etl did not run since .* \(it usually runs every 60 min\), so table:customers went stale for load/,
    );
    // Links lead to the job's last runs, which carry no finding.
    assert.ok(causes[0]!.evidence.exemplarTraceIds[0]!.startsWith('etl-'));
    assert.equal(causes[1]!.component, 'load');
  });

  it('names a model version swap as a model cause', () => {
    const t = graphOf(CHAIN.replace('predict in=', 'predict v=7 in='));
    for (const r of runsOf(`trace swap @${FAULT / MIN + 1}\n  pipeline\n    predict v=8 f=y,z,class`))
      t.observe(r);
    t.advance(FAULT + 2 * MIN);
    const causes = rank(t, [finding('predict', 'prediction_drift', 'class', { windows: 0 })]);
    assert.equal(causes[0]!.component, 'predict');
    assert.equal(causes[0]!.kind, 'model');
    assert.match(causes[0]!.explanation, /predict switched model version 7 → 8/);
  });

  it('blames the labels when accuracy fell and nothing upstream moved', () => {
    const t = graphOf(CHAIN);
    // The labeller must be a known node: it ran (its runs carry the labels).
    for (const r of runsOf(`trace fb @${FAULT / MIN - 1}\n  feedback`)) t.observe(r);
    t.labelsJoined(
      { service: 'svc', pipeline: 'p', component: 'feedback' },
      { service: 'svc', pipeline: 'p', component: 'predict' },
      FAULT,
    );
    const causes = rank(t, [finding('predict', 'performance', '', { statistic: 'accuracy', windows: 0 })]);
    assert.equal(causes[0]!.component, 'feedback');
    assert.equal(causes[0]!.kind, 'labels');
  });

  it('ranks the same whatever order the findings come in', () => {
    const t = graphOf(CHAIN);
    const fs = [
      finding('predict', 'prediction_drift', 'class', { windows: 1 }),
      finding('featurize', 'numeric_drift', 'z', { windows: 0 }),
      finding('predict', 'numeric_drift', 'z', { windows: 1 }),
      finding('pipeline', 'latency', '', { statistic: 'p95', windows: 1 }),
    ];
    const expected = JSON.stringify(rank(t, fs));
    const next = rng(3);
    for (let k = 0; k < 10; k++) {
      const shuffled = [...fs].sort(() => next() - 0.5);
      assert.equal(JSON.stringify(rank(t, shuffled)), expected);
    }
  });

  it('still ranks the components it has findings of when the graph knows none of them', () => {
    const t = new TopologyLearner();
    const causes = rank(t, [
      finding('b', 'numeric_drift', 'x', { windows: 1 }),
      finding('a', 'numeric_drift', 'x', { windows: 0 }),
    ]);
    assert.deepEqual(
      causes.map((c) => c.component),
      ['a', 'b'],
    );
  });
  it('blames a stage whose runs started failing for the gaps after it, even before its error rate is significant', () => {
    const t = graphOf(CHAIN);
    // featurize fails from the fault on; its failed runs pass no rows on to predict.
    for (let k = 0; k < 3; k++)
      for (const r of runsOf(
        `trace bad-${k} @${FAULT / MIN + k * 5}\n  pipeline error\n    load f=x,y\n    featurize error`,
      ))
        t.observe(r);
    t.advance(FAULT + 20 * MIN);
    const causes = rank(t, [finding('predict', 'volume', '', { statistic: 'rows', windows: 0 })]);
    assert.equal(causes[0]!.component, 'featurize');
    assert.equal(causes[0]!.kind, 'errors');
    assert.match(
      causes[0]!.explanation,
      /featurize started failing at .* \(3 failed runs since\); predict moved downstream/,
    );
  });

  it('does not blame a component that fails now and then as it always did', () => {
    const t = new TopologyLearner({ traceWaitMs: 0 });
    // flaky fails one run in ten, before and after the fault; load feeds predict.
    for (let k = 0; k < 100; k++)
      for (const r of runsOf(
        `trace r${k} @${FAULT / MIN - 60 + k}\n  pipeline\n    flaky${k % 10 === 0 ? ' error' : ''}\n    predict f=x,class`,
      ))
        t.observe(r);
    t.advance(FAULT + 40 * MIN);
    const causes = rank(t, [finding('predict', 'prediction_drift', 'class', { windows: 0 })]);
    assert.equal(causes[0]!.component, 'predict');
    assert.ok(!causes.some((c) => c.component === 'flaky'), JSON.stringify(causes.map((c) => c.component)));
  });

  it('names a model swap, not the labels, when accuracy fell after a new model version', () => {
    const t = graphOf(CHAIN.replace('predict in=', 'predict v=7 in='));
    for (const r of runsOf(`trace fb @${FAULT / MIN - 1}\n  feedback`)) t.observe(r);
    t.labelsJoined(
      { service: 'svc', pipeline: 'p', component: 'feedback' },
      { service: 'svc', pipeline: 'p', component: 'predict' },
      FAULT,
    );
    for (const r of runsOf(`trace swap @${FAULT / MIN + 1}\n  pipeline\n    predict v=8 f=y,z,class`))
      t.observe(r);
    t.advance(FAULT + 2 * MIN);
    const causes = rank(t, [finding('predict', 'performance', '', { statistic: 'accuracy', windows: 0 })]);
    assert.equal(causes[0]!.component, 'predict');
    assert.equal(causes[0]!.kind, 'model');
  });

  it('blames a slow stage for the runs it held up, downstream and in the next pipeline run', () => {
    const t = graphOf(CHAIN);
    const causes = rank(t, [
      finding('predict', 'volume', '', { statistic: 'rows', windows: 0 }),
      finding('featurize', 'latency', '', { statistic: 'p95', windows: 0 }),
      finding('featurize', 'volume', '', { statistic: 'rows', windows: 0 }),
      // load runs first in the next pipeline run, which started late.
      finding('load', 'volume', '', { statistic: 'rows', windows: 1, severity: 'critical' }),
    ]);
    assert.equal(causes[0]!.component, 'featurize');
  });
});
