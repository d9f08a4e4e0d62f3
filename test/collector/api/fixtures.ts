/**
 * A small analysis state for the API tests, as the ml processor would leave it: a pipeline
 *
 *   load ──io──▶ featurize ──io──▶ predict      (load broke: income went 30% null)
 *
 * with one open incident whose findings carry reference and current summaries, closed windows
 * (three warm-up, two with findings) and the learned component graph in the global state.
 */
import type { StoredWindow } from '../../../src/analysis/store/AnalysisStore.js';
import { InMemoryAnalysisStore } from '../../../src/analysis/store/InMemoryAnalysisStore.js';
import type { GraphEdge, GraphNode } from '../../../src/analysis/topology/types.js';
import { nodeIdOf } from '../../../src/analysis/topology/types.js';
import type { Finding, Incident, StreamKey } from '../../../src/model/finding.js';
import type { Reaction } from '../../../src/model/reaction.js';
import { CategoricalSummary, NumericSummary, serializeFeatureBase64 } from '../../../src/summaries/index.js';

/** 2026-11-26 14:00 UTC. */
export const T = Date.UTC(2026, 10, 26, 14, 0);
const W = 60_000;

/** The stream of a component of the `churn` pipeline. */
export function stream(component: string, model = ''): StreamKey {
  return { service: 'shop', pipeline: 'churn', component, model };
}

function numeric(values: (number | null)[]): string {
  const s = new NumericSummary();
  s.addValues(values);
  return serializeFeatureBase64(s);
}

function categorical(values: string[]): string {
  const s = new CategoricalSummary();
  s.addValues(values);
  return serializeFeatureBase64(s);
}

/** A finding with the fields the API reads; summaries optional. */
export function finding(over: Partial<Finding> & Pick<Finding, 'id' | 'stream'>): Finding {
  return {
    detector: 'missing_rate',
    feature: 'income',
    statistic: 'null_rate',
    value: 0.3,
    threshold: 0.05,
    effectSize: 0.27,
    severity: 'critical',
    windowStartMs: T + 4 * W,
    windowEndMs: T + 5 * W,
    referenceCount: 3000,
    currentCount: 1000,
    exemplarTraceIds: ['4bf92f3577b34da6a3ce929d0e0e4736'],
    message: 'income: 30% null',
    details: {},
    ...over,
  };
}

const incomeRef = Array.from({ length: 3000 }, (_, k) => 20_000 + (k % 100) * 500);
const incomeCur = Array.from({ length: 1000 }, (_, k) => (k % 10 < 3 ? null : 20_000 + (k % 100) * 500));

/** The open incident: load broke, featurize and predict moved downstream. */
export function openIncident(): Incident {
  const f1 = finding({
    id: 'f-income',
    stream: stream('load'),
    referenceSummary: numeric(incomeRef),
    currentSummary: numeric(incomeCur),
  });
  const f2 = finding({
    id: 'f-plan',
    stream: stream('load'),
    detector: 'categorical_drift',
    feature: 'plan',
    statistic: 'js',
    value: 0.4,
    threshold: 0.1,
    severity: 'warning',
    referenceSummary: categorical(Array.from({ length: 300 }, (_, k) => (k % 3 === 0 ? 'pro' : 'free'))),
    currentSummary: categorical(Array.from({ length: 100 }, (_, k) => (k % 2 === 0 ? 'team' : 'free'))),
  });
  const f3 = finding({
    id: 'f-class',
    stream: stream('predict', 'churn-gbm'),
    detector: 'prediction_drift',
    feature: 'class',
    statistic: 'js',
    value: 0.2,
    threshold: 0.1,
    severity: 'warning',
  });
  return {
    id: 'b3d39b59961f5c30',
    status: 'open',
    title: 'missing_rate in churn: income (load, featurize, predict)',
    severity: 'critical',
    service: 'shop',
    pipeline: 'churn',
    openedAtMs: T + 4 * W,
    lastFindingAtMs: T + 5 * W,
    components: ['load', 'featurize', 'predict'],
    features: ['income', 'plan', 'class'],
    findings: [f3, f2, f1],
    findingCount: 3,
    causes: [
      {
        component: 'load',
        service: 'shop',
        pipeline: 'churn',
        kind: 'data',
        score: 0.92,
        explanation: 'load started emitting different data at 14:04 UTC (income: 30% null)',
        evidence: {
          findingIds: ['f-income'],
          features: ['income'],
          exemplarTraceIds: ['4bf92f3577b34da6a3ce929d0e0e4736'],
          exemplarSpanIds: ['00f067aa0ba902b7'],
          path: ['load', 'featurize', 'predict'],
          onsetMs: T + 4 * W,
          explains: 1,
        },
      },
    ],
  };
}

/** A resolved incident of another pipeline with no diagnosis. */
export function resolvedIncident(): Incident {
  return {
    id: 'a0000000000000001',
    status: 'resolved',
    title: 'volume in fraud',
    severity: 'warning',
    service: 'shop',
    pipeline: 'fraud',
    openedAtMs: T,
    resolvedAtMs: T + 10 * W,
    lastFindingAtMs: T + 2 * W,
    components: ['score'],
    features: [],
    findings: [
      finding({
        id: 'f-vol',
        stream: { service: 'shop', pipeline: 'fraud', component: 'score', model: 'fraud-xgb' },
        detector: 'volume',
        feature: '',
        statistic: 'ratio',
      }),
    ],
    findingCount: 1,
    causes: [],
  };
}

function node(component: string, runs: number, errorRuns = 0): GraphNode {
  const key = { service: 'shop', pipeline: 'churn', component };
  return {
    id: nodeIdOf(key),
    key,
    kind: '',
    model: component === 'predict' ? 'churn-gbm' : '',
    versions: [],
    features: [],
    runs,
    errorRuns,
    meanDurationMs: 5,
    firstRunMs: T,
    lastRunMs: T + 5 * W - 1000,
    meanIntervalMs: W,
    recentRuns: [],
    recentErrors: [],
  };
}

function edge(from: string, to: string): GraphEdge {
  const id = (c: string) => nodeIdOf({ service: 'shop', pipeline: 'churn', component: c });
  return {
    from: id(from),
    to: id(to),
    kind: 'io',
    count: 5,
    firstSeenMs: T,
    lastSeenMs: T + 5 * W,
    refs: [],
  };
}

/** The open incident's reactions: an alert, and a fallback the pipeline reported done. */
export function fixtureReactions(): Reaction[] {
  const alert: Reaction = {
    id: 'r-alert',
    policy: 'page-on-critical',
    action: 'alert',
    status: 'triggered',
    target: 'churn/load',
    undo: false,
    reason: 'incident opened (critical): missing_rate in churn: income (load, featurize, predict)',
    dryRun: false,
    incidentId: 'b3d39b59961f5c30',
    severity: 'critical',
    service: 'shop',
    pipeline: 'churn',
    atMs: T + 5 * W,
  };
  const fallback: Reaction = {
    ...alert,
    id: 'r-fallback',
    policy: 'rules-when-income-breaks',
    action: 'fallback',
    to: 'churn-rules-v1',
  };
  return [alert, fallback, { ...fallback, status: 'succeeded', atMs: T + 5 * W + 800 }];
}

/** A store holding the fixture state. */
export function fixtureStore(): InMemoryAnalysisStore {
  const store = new InMemoryAnalysisStore();
  store.putIncident(resolvedIncident());
  store.putIncident(openIncident());
  const windows: StoredWindow[] = [];
  for (let k = 0; k < 5; k++) {
    const incident = openIncident();
    windows.push({
      stream: stream('load'),
      startMs: T + k * W,
      endMs: T + (k + 1) * W,
      runs: 1,
      rows: 1000,
      referenceSource: k < 3 ? '' : 'warmup',
      findings: k >= 3 ? incident.findings.filter((f) => f.stream.component === 'load') : [],
    });
  }
  for (const w of windows) store.addWindow(w);
  store.addReactions(fixtureReactions());
  store.saveGlobal(
    JSON.stringify({
      v: 1,
      watermark: T + 5 * W,
      checkedStep: 5,
      lastWritten: [],
      incidents: { keys: [], open: [], opens: [], seq: 2, suppressedByRate: 0, droppedKeys: 0 },
      stats: {},
      topology: {
        nodes: [node('load', 5), node('featurize', 5), node('predict', 5), node('report', 10, 4)],
        edges: [edge('load', 'featurize'), edge('featurize', 'predict')],
        writers: [],
        stats: {},
      },
    }),
  );
  return store;
}
