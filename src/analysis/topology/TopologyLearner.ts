/**
 * Learns the component graph from component-run spans as they arrive, in any order:
 * - parent/child spans of one trace give `contains` edges (child → parent); a child whose
 *   parent has not arrived yet waits for it;
 * - siblings under one parent give `sequence` edges (earlier → later) once their trace has
 *   been quiet for `traceWaitMs`;
 * - `ml.io` outputs and inputs give `io` edges (writer → reader), across traces, processes
 *   and schedules; a read whose writer has not been seen yet waits for it;
 * - span links give `link` edges (linked run → linking run); a link to a span not seen yet waits;
 * - delayed labels joined with a component's predictions give `labels` edges (labeller → predictor).
 * Whatever waits longer than `orphanTtlMs` is dropped and counted (`orphanSpans`,
 * `unresolvedLinks`, `unresolvedReads`). Time is span time (the Analyzer's watermark), so a
 * replay learns the same graph as the live stream. Only the graph is durable: runs still
 * waiting for their trace, parent, link or writer at a restart are lost (their edges are
 * learned again from the next runs).
 */

import { ComponentGraph, type RunFacts } from './ComponentGraph.js';
import { OldestFirst } from './OldestFirst.js';
import { nodeIdOf, type TopologyState } from './types.js';

/** Topology options; every field has a documented default. */
export interface TopologyOptions {
  /** How long after its latest run a trace is held to connect siblings, ms (default 30 s). */
  traceWaitMs?: number;
  /** How long a run waits for its parent, a link target or an io writer, ms (default 10 min). */
  orphanTtlMs?: number;
  /** Edges not seen for this long are forgotten, ms (default 7 days). */
  edgeTtlMs?: number;
  /** Components tracked (default 1 000). */
  maxNodes?: number;
  /** Edges tracked (default 10 000). */
  maxEdges?: number;
  /** References whose writer is remembered (default 10 000). */
  maxWriters?: number;
  /** Feature names remembered per component (default 200). */
  maxFeaturesPerNode?: number;
  /** Runs held while their trace is assembled or they wait (default 20 000; oldest dropped). */
  maxPendingRuns?: number;
  /** Siblings under one parent that are ordered into `sequence` edges (default 64). */
  maxSiblings?: number;
}

/** {@link TopologyOptions} with defaults applied. */
export type ResolvedTopologyOptions = Required<TopologyOptions>;

/** Applies defaults and validates; the error names the option. */
export function resolveTopologyOptions(o: TopologyOptions = {}, path = 'topology'): ResolvedTopologyOptions {
  const r: ResolvedTopologyOptions = {
    traceWaitMs: o.traceWaitMs ?? 30_000,
    orphanTtlMs: o.orphanTtlMs ?? 600_000,
    edgeTtlMs: o.edgeTtlMs ?? 7 * 86_400_000,
    maxNodes: o.maxNodes ?? 1000,
    maxEdges: o.maxEdges ?? 10_000,
    maxWriters: o.maxWriters ?? 10_000,
    maxFeaturesPerNode: o.maxFeaturesPerNode ?? 200,
    maxPendingRuns: o.maxPendingRuns ?? 20_000,
    maxSiblings: o.maxSiblings ?? 64,
  };
  for (const [k, v] of Object.entries(r)) {
    const ok = k.startsWith('max') ? Number.isInteger(v) && v >= 1 : Number.isFinite(v) && v >= 0;
    if (!ok)
      throw new RangeError(
        `${path}.${k}: must be ${k.startsWith('max') ? 'an integer >= 1' : '>= 0'}, got ${v}`,
      );
  }
  return r;
}

/** One component run as the learner sees it. */
export interface RunRecord extends RunFacts {
  /** Parent span id, '' for a root. */
  parentSpanId: string;
  /** `ml.io.inputs`. */
  inputs: readonly string[];
  /** `ml.io.outputs`. */
  outputs: readonly string[];
  /** Span links (trace id, span id). */
  links: readonly { traceId: string; spanId: string }[];
}

/** Counters of the learner (the graph's own are in `graph.stats`). */
export interface TopologyStats {
  /** Runs learned from. */
  runs: number;
  /** Runs whose parent span never arrived within `orphanTtlMs`. */
  orphanSpans: number;
  /** Span links whose target never arrived within `orphanTtlMs`. */
  unresolvedLinks: number;
  /** `ml.io` reads whose writer was not seen within `orphanTtlMs`. */
  unresolvedReads: number;
  /** Held runs dropped because `maxPendingRuns` were held. */
  droppedPendingRuns: number;
}

interface Held {
  node: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  startMs: number;
  endMs: number;
}

interface Waiting {
  node: string;
  sinceMs: number;
}

/** Learns and holds the component graph. */
export class TopologyLearner {
  /** The graph learned so far. */
  readonly graph: ComponentGraph;
  /** Counters. */
  readonly stats: TopologyStats = {
    runs: 0,
    orphanSpans: 0,
    unresolvedLinks: 0,
    unresolvedReads: 0,
    droppedPendingRuns: 0,
  };
  private readonly opts: ResolvedTopologyOptions;
  /** Runs by `traceId/spanId`, while their trace is assembled or something may refer to them. */
  private readonly spans = new Map<string, Held>();
  /** Runs of traces being assembled, with the trace's latest end. */
  private readonly traces = new Map<string, { runs: Held[]; lastEndMs: number }>();
  /** Children waiting for their parent, by the parent's `traceId/spanId`. */
  private readonly waitingParents = new Map<string, Waiting[]>();
  /** Runs whose links point at spans not seen yet, by the target's `traceId/spanId`. */
  private readonly waitingLinks = new Map<string, Waiting[]>();
  /** Reads of references whose writer has not been seen, by reference. */
  private readonly waitingReads = new Map<string, Waiting[]>();
  /** Insertion order of the maps above, for evicting their oldest entries cheaply. */
  private readonly order = new Map<Map<string, Waiting[]>, OldestFirst<Waiting[]>>();
  private readonly heldOrder = new OldestFirst<Held>();
  private pending = 0;

  constructor(options: TopologyOptions = {}) {
    this.opts = resolveTopologyOptions(options);
    this.graph = new ComponentGraph(this.opts);
  }

  /** Learns from one component run. */
  observe(r: RunRecord): void {
    this.stats.runs++;
    const node = this.graph.addRun(r);
    if (node === undefined) return;
    const at = r.endMs;
    for (const ref of r.outputs) {
      this.graph.setWriter(ref, node, at);
      for (const w of take(this.waitingReads, ref)) this.graph.addEdge(node, w.node, 'io', at, ref);
    }
    for (const ref of r.inputs) {
      const writer = this.graph.writerOf(ref);
      if (writer !== undefined) this.graph.addEdge(writer.node, node, 'io', at, ref);
      else this.wait(this.waitingReads, ref, node, at);
    }
    if (r.traceId === '' || r.spanId === '') return;
    const self = spanKey(r.traceId, r.spanId);
    const held: Held = {
      node,
      traceId: r.traceId,
      spanId: r.spanId,
      parentSpanId: r.parentSpanId,
      startMs: r.startMs,
      endMs: r.endMs,
    };
    for (const w of take(this.waitingParents, self)) this.graph.addEdge(w.node, node, 'contains', at);
    for (const w of take(this.waitingLinks, self)) this.graph.addEdge(node, w.node, 'link', at);
    if (r.parentSpanId !== '') {
      const parent = this.spans.get(spanKey(r.traceId, r.parentSpanId));
      if (parent !== undefined) this.graph.addEdge(node, parent.node, 'contains', at);
      else this.wait(this.waitingParents, spanKey(r.traceId, r.parentSpanId), node, at);
    }
    for (const l of r.links) {
      const target = this.spans.get(spanKey(l.traceId, l.spanId));
      if (target !== undefined) this.graph.addEdge(target.node, node, 'link', at);
      else this.wait(this.waitingLinks, spanKey(l.traceId, l.spanId), node, at);
    }
    this.hold(self, held);
  }

  /**
   * Moves time to `nowMs` (span time): orders the siblings of traces quiet for `traceWaitMs`,
   * drops what waited longer than `orphanTtlMs` (counted), and forgets old edges.
   */
  advance(nowMs: number): void {
    for (const [traceId, t] of this.traces) {
      if (t.lastEndMs + this.opts.traceWaitMs > nowMs) continue;
      this.sequence(t.runs);
      this.traces.delete(traceId);
    }
    const before = nowMs - this.opts.orphanTtlMs;
    for (const [k, h] of this.spans) {
      if (h.endMs >= before || this.traces.has(h.traceId)) continue;
      this.spans.delete(k);
      this.pending--;
    }
    this.stats.orphanSpans += expireWaiting(this.waitingParents, before);
    this.stats.unresolvedLinks += expireWaiting(this.waitingLinks, before);
    this.stats.unresolvedReads += expireWaiting(this.waitingReads, before);
    this.graph.expire(nowMs);
  }

  /** The durable part (the graph) and the counters. */
  snapshot(): TopologyState {
    const stats: Record<string, number> = { ...this.stats };
    for (const [k, v] of Object.entries(this.graph.stats)) stats[k] = v;
    return { ...this.graph.snapshot(), stats };
  }

  /** Restores the graph and counters of a snapshot; nothing is waiting afterwards. */
  restore(s: TopologyState): void {
    this.graph.restore(s);
    const own = this.stats as unknown as Record<string, number>;
    const graph = this.graph.stats as unknown as Record<string, number>;
    for (const [k, v] of Object.entries(s.stats)) {
      if (typeof own[k] === 'number') own[k] = v;
      else if (typeof graph[k] === 'number') graph[k] = v;
    }
  }

  private hold(key: string, h: Held): void {
    if (this.pending >= this.opts.maxPendingRuns) this.dropOldestHeld();
    if (!this.spans.has(key)) this.pending++;
    this.spans.set(key, h);
    this.heldOrder.push(key, h, this.spans);
    let t = this.traces.get(h.traceId);
    if (t === undefined) {
      t = { runs: [], lastEndMs: h.endMs };
      this.traces.set(h.traceId, t);
    }
    t.runs.push(h);
    t.lastEndMs = Math.max(t.lastEndMs, h.endMs);
  }

  private dropOldestHeld(): void {
    const key = this.heldOrder.shift(this.spans);
    if (key === undefined) return;
    const h = this.spans.get(key)!;
    this.spans.delete(key);
    this.pending--;
    this.stats.droppedPendingRuns++;
    const t = this.traces.get(h.traceId);
    if (t !== undefined) {
      // The oldest held run is almost always its trace's first: no copy of a long trace's list.
      const at = t.runs[0] === h ? 0 : t.runs.indexOf(h);
      if (at >= 0) t.runs.splice(at, 1);
      if (t.runs.length === 0) this.traces.delete(h.traceId);
    }
  }

  /** `sequence` edges between siblings: each run to the siblings that ended just before it started. */
  private sequence(runs: Held[]): void {
    const byParent = new Map<string, Held[]>();
    for (const r of runs) {
      const list = byParent.get(r.parentSpanId);
      if (list === undefined) byParent.set(r.parentSpanId, [r]);
      else list.push(r);
    }
    for (const [parent, all] of byParent) {
      // Several roots of one trace are not siblings of anything we saw.
      if (parent === '' || all.length < 2) continue;
      const sibs = all
        .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs || cmp(a.spanId, b.spanId))
        .slice(0, this.opts.maxSiblings);
      for (const b of sibs) {
        const before = sibs.filter((a) => a !== b && a.endMs <= b.startMs);
        // Immediate predecessors only: no other sibling ran wholly between a and b.
        for (const a of before) {
          const between = before.some((c) => c !== a && c.startMs >= a.endMs && c.endMs <= b.startMs);
          if (!between) this.graph.addEdge(a.node, b.node, 'sequence', b.endMs);
        }
      }
    }
  }

  private wait(m: Map<string, Waiting[]>, key: string, node: string, at: number): void {
    let list = m.get(key);
    let order = this.order.get(m);
    if (order === undefined) {
      order = new OldestFirst<Waiting[]>();
      this.order.set(m, order);
    }
    if (list === undefined) {
      list = [];
      m.set(key, list);
      order.push(key, list, m);
    }
    if (list.some((w) => w.node === node)) return;
    if (list.length >= 64) list.shift();
    list.push({ node, sinceMs: at });
    if (m.size > this.opts.maxPendingRuns) {
      const oldest = order.shift(m);
      if (oldest !== undefined) m.delete(oldest);
      this.stats.droppedPendingRuns++;
    }
  }

  /** Labels recorded by one component were joined with the predictions of another. */
  labelsJoined(labels: RunFacts['key'], predictions: RunFacts['key'], atMs: number): void {
    this.graph.addEdge(nodeIdOf(labels), nodeIdOf(predictions), 'labels', atMs);
  }
}

function spanKey(traceId: string, spanId: string): string {
  return `${traceId}/${spanId}`;
}

function take(m: Map<string, Waiting[]>, key: string): Waiting[] {
  const list = m.get(key);
  if (list === undefined) return [];
  m.delete(key);
  return list;
}

function expireWaiting(m: Map<string, Waiting[]>, before: number): number {
  let n = 0;
  for (const [k, list] of m) {
    const keep = list.filter((w) => w.sinceMs >= before);
    n += list.length - keep.length;
    if (keep.length === 0) m.delete(k);
    // In place: the list is what the map's eviction order recognizes the entry by.
    else if (keep.length !== list.length) list.splice(0, list.length, ...keep);
  }
  return n;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
