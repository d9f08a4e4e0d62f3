import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  findingStrength,
  mlobsRanking,
  mltraceFrequency,
  mostAnomalous,
  mostUpstream,
  randomAnomalous,
  type SeenSpan,
  spanGraph,
} from '../../../bench/diagnosis/baselines.js';
import { scoreRanking } from '../../../bench/diagnosis/metrics.js';
import type { Finding, Incident } from '../../../src/model/finding.js';

// Trace T1 (a batch run; siblings hand data over through ml.io tables):
//
//   root
//   ├── ext    writes t:ext
//   ├── feat   reads t:ext, t:job  (link → job run in trace J)   writes t:feat
//   └── model  reads t:feat
//
// Trace J (a scheduled job, its own trace):  job  writes t:job
// Trace T2 (a per-request run; no io, order is execution order):
//
//   handler
//   ├── parse   0–1 ms
//   └── score   2–3 ms
function span(
  traceId: string,
  spanId: string,
  parent: string,
  component: string,
  startMs: number,
  endMs: number,
  io: { inputs?: string[]; outputs?: string[]; links?: [string, string][] } = {},
): SeenSpan {
  return {
    traceId,
    spanId,
    parentSpanId: parent,
    component,
    startMs,
    endMs,
    error: false,
    inputs: io.inputs ?? [],
    outputs: io.outputs ?? [],
    links: (io.links ?? []).map(([t, s]) => ({ traceId: t, spanId: s })),
  };
}

const SPANS: SeenSpan[] = [
  span('J', 'j1', '', 'job', 0, 5, { outputs: ['t:job'] }),
  span('T1', 'r1', '', 'root', 10, 40),
  span('T1', 'e1', 'r1', 'ext', 11, 15, { outputs: ['t:ext'] }),
  span('T1', 'f1', 'r1', 'feat', 16, 25, {
    inputs: ['t:ext', 't:job'],
    outputs: ['t:feat'],
    links: [['J', 'j1']],
  }),
  span('T1', 'm1', 'r1', 'model', 26, 39, { inputs: ['t:feat'] }),
  span('T2', 'h2', '', 'handler', 100, 104),
  span('T2', 'p2', 'h2', 'parse', 100, 101),
  span('T2', 's2', 'h2', 'score', 102, 103),
];

function finding(
  component: string,
  detector: string,
  pValue: number | undefined,
  traces: string[],
  value = 1,
  threshold = 1,
): Finding {
  return {
    id: `${component}/${detector}`,
    detector,
    stream: { service: 's', pipeline: 'p', component, model: '' },
    feature: '',
    statistic: 'x',
    value,
    threshold,
    ...(pValue !== undefined ? { pValue } : {}),
    effectSize: 1,
    severity: 'warning',
    windowStartMs: 0,
    windowEndMs: 60_000,
    referenceCount: 10,
    currentCount: 10,
    exemplarTraceIds: traces,
    message: '',
    details: {},
  };
}

function incident(findings: Finding[], extra: Partial<Incident> = {}): Incident {
  return {
    id: 'i',
    status: 'open',
    title: '',
    severity: 'warning',
    service: 's',
    pipeline: 'p',
    openedAtMs: 0,
    lastFindingAtMs: 0,
    components: [...new Set(findings.map((f) => f.stream.component))],
    features: [],
    findings,
    findingCount: findings.length,
    causes: [],
    ...extra,
  };
}

describe('diagnosis baselines', () => {
  it('the span graph links io writers to readers, parents to children, and untyped siblings by execution order', () => {
    const g = spanGraph(SPANS);
    assert.ok(g.get('ext')?.has('feat'), 'io: ext → feat');
    assert.ok(g.get('job')?.has('feat'), 'io across traces: job → feat');
    assert.ok(g.get('feat')?.has('model'), 'io: feat → model');
    assert.ok(g.get('root')?.has('model'), 'tree: root → model');
    assert.ok(g.get('parse')?.has('score'), 'order: parse ended before score started');
    assert.ok(!g.get('score')?.has('parse'));
    // model reads t:feat, whose writer is known: execution order adds nothing for it.
    assert.ok(!g.get('ext')?.has('model'));
  });

  it('most-upstream ranks the anomalous component that reaches the most other anomalous ones first', () => {
    const inc = incident([
      finding('model', 'numeric_drift', 1e-9, ['T1']),
      finding('feat', 'numeric_drift', 1e-3, ['T1']),
    ]);
    assert.deepEqual(mostUpstream(inc, SPANS), [['feat'], ['model']]);
  });

  it('most-anomalous ranks by the strongest finding; a finding without p-value counts 2 × value/threshold', () => {
    const inc = incident([
      finding('model', 'numeric_drift', 1e-9, ['T1']),
      finding('feat', 'staleness', undefined, ['T1'], 30, 10),
      finding('ext', 'missing_rate', 1e-3, ['T1']),
    ]);
    assert.equal(findingStrength(inc.findings[1]!), 6);
    assert.deepEqual(mostAnomalous(inc), [['model'], ['feat'], ['ext']]);
  });

  it('random among anomalous components is one tie group, scored as its expected value', () => {
    const inc = incident([finding('model', 'a', 0.001, []), finding('feat', 'a', 0.001, [])]);
    const r = randomAnomalous(inc);
    assert.deepEqual(r, [['model', 'feat']]);
    assert.equal(scoreRanking(r, 'feat').ac[0], 0.5);
  });

  it('mltrace counts flagged traces per component, following io links one hop to the job run', () => {
    // Two findings flag T1 (once each) and T2: every component of T1, plus job through the link,
    // appears in one flagged trace; handler, parse and score in the other.
    const inc = incident([finding('model', 'a', 0.001, ['T1']), finding('score', 'a', 0.001, ['T2', 'T1'])]);
    const r = mltraceFrequency(inc, SPANS);
    assert.deepEqual(
      r.map((g) => [...g].sort()),
      [['ext', 'feat', 'handler', 'job', 'model', 'parse', 'root', 'score']],
    );
    const only = mltraceFrequency(incident([finding('model', 'a', 0.001, ['T1'])]), SPANS);
    assert.deepEqual(
      only.map((g) => [...g].sort()),
      [['ext', 'feat', 'job', 'model', 'root']],
    );
  });

  it("mlobs' ranking is the incident's causes in order, a component once, empty without causes", () => {
    const inc = incident([finding('model', 'a', 0.001, [])]);
    assert.deepEqual(mlobsRanking(inc), []);
    const withCauses = {
      ...inc,
      causes: [{ component: 'job' }, { component: 'feat' }, { component: 'job' }],
    };
    assert.deepEqual(mlobsRanking(withCauses as Incident), [['job'], ['feat']]);
  });
});
