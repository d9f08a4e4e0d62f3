import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryAnalysisStore } from '../../../src/analysis/store/InMemoryAnalysisStore.js';
import { decodeState } from '../../../src/analysis/store/stateCodec.js';
import { MlobsError } from '../../../src/errors.js';
import type { SpanRecord } from '../../../src/model/spanRecord.js';
import { ATTR_ML_IO_INPUTS, ATTR_ML_IO_OUTPUTS } from '../../../src/semconv/index.js';
import { componentSpan } from '../fixtures.js';
import { durable, MIN, recorder, run, straightRun } from './scenario.js';

/**
 * A batch stage that runs once a window and turns 180× slower from window 8, and a reader of a
 * table that an ETL job rewrites every 3 windows until window 9: the few-run evidence carried
 * from window to window and the learned write period must survive a restart between windows.
 */
function batchScenario(): SpanRecord[][] {
  const t0 = Date.UTC(2026, 0, 1);
  const out: SpanRecord[][] = [];
  for (let w = 0; w < 16; w++) {
    const end = t0 + w * MIN + 30_000;
    const batch = [
      componentSpan({ endMs: end, durationMs: w >= 8 ? 900 : 5 + (w % 3) * 0.4, component: 'featurize' }),
      componentSpan({
        endMs: end + 1,
        component: 'predict',
        attributes: { [ATTR_ML_IO_INPUTS]: ['table:f'] },
      }),
    ];
    if (w % 3 === 0 && w <= 9)
      batch.unshift(
        componentSpan({
          endMs: end - 1,
          component: 'etl',
          attributes: { [ATTR_ML_IO_OUTPUTS]: ['table:f'] },
        }),
      );
    out.push(batch);
  }
  return out;
}

describe('DurableAnalyzer on the in-memory store', () => {
  it('reports the same findings, incidents and label joins when rebuilt from the store every few batches', () => {
    const straight = straightRun();
    const shared = new InMemoryAnalysisStore();
    const restarted = run(() => shared, 4);
    assert.ok(straight.findings.length > 0, 'the fault must produce findings');
    assert.ok(
      straight.incidents.some((i) => i.startsWith('opened')),
      'the fault must open an incident',
    );
    assert.ok(straight.labelsJoined > 20, `labels joined: ${straight.labelsJoined}`);
    assert.deepEqual(restarted, straight);
  });

  it('carries few-run evidence and learned write periods across a restart between windows', () => {
    const batches = batchScenario();
    const straight = run(() => new InMemoryAnalysisStore(), 0, batches);
    const shared = new InMemoryAnalysisStore();
    const restarted = run(() => shared, 1, batches);
    const detectors = straight.findings.map((f) => JSON.parse(f) as { detector: string; statistic: string });
    assert.ok(
      detectors.some((f) => f.statistic === 'slowest_run'),
      'the slow stage is found',
    );
    assert.ok(
      detectors.some((f) => f.detector === 'staleness'),
      'the stale table is found',
    );
    assert.deepEqual(restarted, straight);
  });

  it('keeps closed-window results and incidents in the store', () => {
    const store = new InMemoryAnalysisStore();
    run(() => store, 0);
    const windows = store.windows();
    assert.equal(windows.length, 16 * 2, 'two streams, sixteen windows each');
    assert.ok(windows.some((w) => w.findings.some((f) => f.feature === 'monthly_spend')));
    assert.ok(store.incidents().length >= 1);
    assert.ok(store.incidents().every((i) => i.title !== ''));
  });

  it('refuses state written by another format version, naming it', () => {
    assert.throws(
      () => decodeState({ global: JSON.stringify({ v: 99 }), streams: new Map() }),
      (e: unknown) => e instanceof MlobsError && /format version 99/.test(e.message),
    );
  });
  it('keeps the learned component graph across a restart', () => {
    const store = new InMemoryAnalysisStore();
    const first = durable(store, recorder().listener);
    const t0 = Date.UTC(2026, 0, 1);
    first.apply((a) => {
      a.ingest(
        componentSpan({ endMs: t0, component: 'etl', attributes: { [ATTR_ML_IO_OUTPUTS]: ['table:x'] } }),
      );
      a.ingest(
        componentSpan({
          endMs: t0 + MIN,
          component: 'load',
          attributes: { [ATTR_ML_IO_INPUTS]: ['table:x'] },
        }),
      );
    });
    const edges = (d: ReturnType<typeof durable>) =>
      [...d.analyzer.topology.graph.allEdges()].map((e) => `${e.kind} ${e.from} ${e.to} ${e.count}`);
    assert.equal(edges(first).length, 1);
    const restarted = durable(store, recorder().listener);
    assert.deepEqual(edges(restarted), edges(first));
    assert.equal(restarted.analyzer.topology.stats.runs, 2);
  });
});
