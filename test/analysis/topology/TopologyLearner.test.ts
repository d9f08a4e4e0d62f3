import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TopologyLearner } from '../../../src/analysis/topology/TopologyLearner.js';
import { rng } from '../fixtures.js';
import { edgeLines, runsOf } from './fixtures.js';

const MIN = 60_000;

/** A nightly job in its own trace writes a table that the pipeline reads. */
const NIGHTLY = `
trace t0 @0
  etl out=table:customers
trace t1 @10
  pipeline
    load in=table:customers out=table:raw
    featurize in=table:raw
    predict
`;

function learn(
  drawing: string,
  order: (runs: ReturnType<typeof runsOf>) => void = () => {},
): TopologyLearner {
  const t = new TopologyLearner();
  const runs = runsOf(drawing);
  order(runs);
  for (const r of runs) t.observe(r);
  t.advance(60 * MIN);
  return t;
}

describe('TopologyLearner', () => {
  it('learns io edges across traces, child → parent containment and sibling order', () => {
    const t = learn(NIGHTLY);
    assert.deepEqual(edgeLines(t.graph.allEdges()), [
      'etl -io-> load',
      'featurize -contains-> pipeline',
      'featurize -sequence-> predict',
      'load -contains-> pipeline',
      'load -io-> featurize',
      'load -sequence-> featurize',
      'predict -contains-> pipeline',
    ]);
  });

  it('learns the same graph whatever order the spans arrive in', () => {
    const expected = edgeLines(learn(NIGHTLY).graph.allEdges());
    const next = rng(7);
    for (let k = 0; k < 20; k++) {
      const shuffled = learn(NIGHTLY, (runs) => {
        for (let i = runs.length - 1; i > 0; i--) {
          const j = Math.floor(next() * (i + 1));
          [runs[i], runs[j]] = [runs[j]!, runs[i]!];
        }
      });
      assert.deepEqual(edgeLines(shuffled.graph.allEdges()), expected);
    }
  });

  it('orders siblings by their immediate predecessors only', () => {
    const t = learn(`
trace t1 @0
  root
    a
    b
    c
`);
    const seq = edgeLines(t.graph.allEdges()).filter((l) => l.includes('-sequence->'));
    assert.deepEqual(seq, ['a -sequence-> b', 'b -sequence-> c']);
  });

  it('follows span links to the run that wrote the input, even when the link arrives first', () => {
    const t = new TopologyLearner();
    const runs = runsOf(`
trace t0 @0
  job out=table:x
trace t1 @5
  reader link=t0/job
`);
    // The reader first, then the job it links to.
    for (const r of [...runs].reverse()) t.observe(r);
    t.advance(60 * MIN);
    assert.deepEqual(edgeLines(t.graph.allEdges()), ['job -link-> reader']);
  });

  it('counts a child whose parent never arrives as an orphan once its wait is over', () => {
    const t = new TopologyLearner({ orphanTtlMs: 5 * MIN });
    const runs = runsOf(`
trace t1 @0
  root
    child
`);
    t.observe(runs.find((r) => r.spanId === 'child')!);
    t.advance(4 * MIN);
    assert.equal(t.stats.orphanSpans, 0);
    t.advance(6 * MIN);
    assert.equal(t.stats.orphanSpans, 1);
    assert.equal(t.graph.size.edges, 0);
  });

  it('forgets edges not seen for edgeTtlMs and keeps those seen since', () => {
    const t = new TopologyLearner({ edgeTtlMs: 30 * MIN, traceWaitMs: 0 });
    for (const r of runsOf('trace t1 @0\n  a out=table:x\ntrace t2 @1\n  b in=table:x')) t.observe(r);
    for (const r of runsOf('trace t3 @20\n  c out=table:y\ntrace t4 @21\n  d in=table:y')) t.observe(r);
    t.advance(45 * MIN);
    assert.deepEqual(edgeLines(t.graph.allEdges()), ['c -io-> d']);
    assert.equal(t.graph.stats.expiredEdges, 1);
    assert.equal(t.graph.size.nodes, 2);
  });

  it('counts components and edges beyond its caps instead of growing', () => {
    const t = new TopologyLearner({ maxNodes: 3, maxEdges: 1, traceWaitMs: 0 });
    for (const r of runsOf('trace t1 @0\n  root\n    a\n    b\n    c')) t.observe(r);
    t.advance(10 * MIN);
    assert.equal(t.graph.size.nodes, 3);
    assert.equal(t.graph.size.edges, 1);
    assert.ok(t.graph.stats.droppedNodes >= 1);
    assert.ok(t.graph.stats.droppedEdges >= 1);
  });

  it('restores its graph from a snapshot and states its size per node and edge', () => {
    const t = learn(NIGHTLY);
    const copy = new TopologyLearner();
    copy.restore(JSON.parse(JSON.stringify(t.snapshot())));
    assert.deepEqual(edgeLines(copy.graph.allEdges()), edgeLines(t.graph.allEdges()));
    assert.equal(copy.stats.runs, t.stats.runs);
    const size = t.graph.sizeBytes();
    assert.ok(size.perNode > 100 && size.perNode < 2000, `per node ${size.perNode}`);
    assert.ok(size.perEdge > 50 && size.perEdge < 400, `per edge ${size.perEdge}`);
  });

  it('remembers model versions with when each was first seen', () => {
    const t = learn('trace t1 @0\n  score v=7\ntrace t2 @30\n  score v=8');
    const node = [...t.graph.allNodes()][0]!;
    assert.deepEqual(
      node.versions.map((v) => [v.version, v.firstSeenMs]),
      [
        ['7', 1000],
        ['8', 30 * MIN + 1000],
      ],
    );
  });
});
