/**
 * The learned component graph: nodes, counted edges and the latest writer of each `ml.io`
 * reference, with caps and forgetting. Pure data structure, no I/O; the learner
 * ({@link TopologyLearner}) decides what to add, the diagnosis reads it.
 *
 * Memory: a node costs about 1 kB plus ~30 bytes per remembered feature name, an edge about
 * 200 bytes, a writer about 150 bytes (JSON form; see `sizeBytes`). The caps bound the total:
 * at the defaults (1 000 nodes, 10 000 edges, 10 000 writers) about 4.5 MB.
 */
import type { EdgeKind, GraphEdge, GraphNode, NodeKey, TopologyState, WriterSeen } from './types.js';
import { edgeIdOf, nodeIdOf } from './types.js';

/** Caps and forgetting of the graph. */
export interface GraphLimits {
  /** Components tracked (default 1 000); runs of further components are counted, not added. */
  maxNodes: number;
  /** Edges tracked (default 10 000); further edges are counted, not added. */
  maxEdges: number;
  /** References whose writer is remembered (default 10 000, oldest write forgotten first). */
  maxWriters: number;
  /** Feature names remembered per node (default 200). */
  maxFeaturesPerNode: number;
  /** Edges (and nodes without runs) not seen for this long are forgotten (default 7 days). */
  edgeTtlMs: number;
}

/** Counters of what the graph dropped or forgot. */
export interface GraphStats {
  /** Runs of components not added because `maxNodes` were tracked. */
  droppedNodes: number;
  /** Edges not added because `maxEdges` were tracked. */
  droppedEdges: number;
  /** Writers forgotten because `maxWriters` were tracked. */
  droppedWriters: number;
  /** Edges forgotten after `edgeTtlMs` without being seen. */
  expiredEdges: number;
  /** Nodes forgotten after `edgeTtlMs` without a run. */
  expiredNodes: number;
}

const RECENT_RUNS = 8;
const RECENT_ERRORS = 16;
const MAX_VERSIONS = 8;
const MAX_EDGE_REFS = 8;
/** Weight of the newest run in the moving averages of duration and interval. */
const EWMA = 0.2;

/** What one run adds to its node. */
export interface RunFacts {
  /** The component. */
  key: NodeKey;
  /** `ml.component.kind` ('' when absent). */
  kind: string;
  /** `ml.model.name` ('' when absent). */
  model: string;
  /** `ml.model.version` (undefined when absent). */
  modelVersion: string | undefined;
  /** Trace and span of the run. */
  traceId: string;
  /** Span id. */
  spanId: string;
  /** Start and end, ms since the epoch. */
  startMs: number;
  /** End. */
  endMs: number;
  /** Whether it failed. */
  error: boolean;
  /** Feature and prediction names it emitted. */
  features: readonly string[];
}

/** Nodes, edges and writers, bounded. */
export class ComponentGraph {
  /** What caps and forgetting dropped. */
  readonly stats: GraphStats = {
    droppedNodes: 0,
    droppedEdges: 0,
    droppedWriters: 0,
    expiredEdges: 0,
    expiredNodes: 0,
  };
  private readonly nodes = new Map<string, GraphNode>();
  private readonly edges = new Map<string, GraphEdge>();
  private readonly out = new Map<string, Set<string>>();
  private readonly in = new Map<string, Set<string>>();
  // Insertion order = write order (re-inserted on every write), so the oldest goes first.
  private readonly writers = new Map<string, WriterSeen>();
  /** `features` of each node as a set, for membership tests on the per-span path. */
  private readonly featureSets = new Map<string, Set<string>>();

  constructor(private readonly limits: GraphLimits) {}

  /** Records one run; returns its node id, or undefined when the node cap binds. */
  addRun(r: RunFacts): string | undefined {
    const id = nodeIdOf(r.key);
    let n = this.nodes.get(id);
    if (n === undefined) {
      if (this.nodes.size >= this.limits.maxNodes) {
        this.stats.droppedNodes++;
        return undefined;
      }
      n = {
        id,
        key: { ...r.key },
        kind: r.kind,
        model: r.model,
        versions: [],
        features: [],
        runs: 0,
        errorRuns: 0,
        meanDurationMs: 0,
        firstRunMs: r.startMs,
        lastRunMs: r.startMs,
        meanIntervalMs: 0,
        recentRuns: [],
        recentErrors: [],
      };
      this.nodes.set(id, n);
    }
    if (r.kind !== '') n.kind = r.kind;
    if (r.model !== '') n.model = r.model;
    const duration = Math.max(0, r.endMs - r.startMs);
    n.meanDurationMs = n.runs === 0 ? duration : n.meanDurationMs + EWMA * (duration - n.meanDurationMs);
    // Runs can arrive out of order: only a later start moves the interval estimate.
    if (n.runs > 0 && r.startMs > n.lastRunMs) {
      const gap = r.startMs - n.lastRunMs;
      n.meanIntervalMs = n.meanIntervalMs === 0 ? gap : n.meanIntervalMs + EWMA * (gap - n.meanIntervalMs);
    }
    n.firstRunMs = Math.min(n.firstRunMs, r.startMs);
    n.lastRunMs = Math.max(n.lastRunMs, r.startMs);
    n.runs++;
    if (r.error) {
      n.errorRuns++;
      n.recentErrors.push(r.endMs);
      n.recentErrors.sort((a, b) => a - b);
      if (n.recentErrors.length > RECENT_ERRORS) n.recentErrors.shift();
    }
    if (r.modelVersion !== undefined) this.addVersion(n, r.modelVersion, r.endMs);
    if (n.features.length < this.limits.maxFeaturesPerNode) {
      let known = this.featureSets.get(id);
      if (known === undefined) {
        known = new Set(n.features);
        this.featureSets.set(id, known);
      }
      for (const f of r.features) {
        if (n.features.length >= this.limits.maxFeaturesPerNode) break;
        if (known.has(f)) continue;
        known.add(f);
        n.features.push(f);
      }
    }
    if (r.traceId !== '') {
      n.recentRuns.push({ traceId: r.traceId, spanId: r.spanId, endMs: r.endMs });
      n.recentRuns.sort((a, b) => a.endMs - b.endMs);
      if (n.recentRuns.length > RECENT_RUNS) n.recentRuns.shift();
    }
    return id;
  }

  /** Counts one sighting of an edge (self-loops are ignored). */
  addEdge(from: string, to: string, kind: EdgeKind, atMs: number, ref?: string): void {
    if (from === to || !this.nodes.has(from) || !this.nodes.has(to)) return;
    const id = edgeIdOf(from, to, kind);
    let e = this.edges.get(id);
    if (e === undefined) {
      if (this.edges.size >= this.limits.maxEdges) {
        this.stats.droppedEdges++;
        return;
      }
      e = { from, to, kind, count: 0, firstSeenMs: atMs, lastSeenMs: atMs, refs: [] };
      this.edges.set(id, e);
      link(this.out, from, id);
      link(this.in, to, id);
    }
    e.count++;
    e.firstSeenMs = Math.min(e.firstSeenMs, atMs);
    e.lastSeenMs = Math.max(e.lastSeenMs, atMs);
    if (ref !== undefined && !e.refs.includes(ref) && e.refs.length < MAX_EDGE_REFS) e.refs.push(ref);
  }

  /** Remembers that `node` wrote `ref` at `atMs`. */
  setWriter(ref: string, node: string, atMs: number): void {
    const prev = this.writers.get(ref);
    if (prev !== undefined && prev.lastWriteMs > atMs) return; // an older write arriving late
    this.writers.delete(ref);
    this.writers.set(ref, { ref, node, lastWriteMs: atMs });
    if (this.writers.size > this.limits.maxWriters) {
      this.writers.delete(this.writers.keys().next().value as string);
      this.stats.droppedWriters++;
    }
  }

  /** The latest writer of a reference. */
  writerOf(ref: string): WriterSeen | undefined {
    return this.writers.get(ref);
  }

  /** A node by id. */
  node(id: string): GraphNode | undefined {
    return this.nodes.get(id);
  }

  /** Every node. */
  allNodes(): IterableIterator<GraphNode> {
    return this.nodes.values();
  }

  /** Every edge. */
  allEdges(): IterableIterator<GraphEdge> {
    return this.edges.values();
  }

  /** Edges leaving a node. */
  outEdges(id: string): GraphEdge[] {
    return [...(this.out.get(id) ?? [])].map((e) => this.edges.get(e)!);
  }

  /** Edges entering a node. */
  inEdges(id: string): GraphEdge[] {
    return [...(this.in.get(id) ?? [])].map((e) => this.edges.get(e)!);
  }

  /** Number of nodes and edges. */
  get size(): { nodes: number; edges: number; writers: number } {
    return { nodes: this.nodes.size, edges: this.edges.size, writers: this.writers.size };
  }

  /** Forgets edges not seen since `nowMs - edgeTtlMs`, then nodes with no edge and no recent run. */
  expire(nowMs: number): void {
    const before = nowMs - this.limits.edgeTtlMs;
    for (const [id, e] of this.edges) {
      if (e.lastSeenMs >= before) continue;
      this.edges.delete(id);
      this.out.get(e.from)?.delete(id);
      this.in.get(e.to)?.delete(id);
      this.stats.expiredEdges++;
    }
    for (const [id, n] of this.nodes) {
      if (n.lastRunMs >= before || (this.out.get(id)?.size ?? 0) > 0 || (this.in.get(id)?.size ?? 0) > 0)
        continue;
      this.nodes.delete(id);
      this.featureSets.delete(id);
      this.out.delete(id);
      this.in.delete(id);
      this.stats.expiredNodes++;
    }
    for (const [ref, w] of this.writers) if (!this.nodes.has(w.node)) this.writers.delete(ref);
  }

  /**
   * Plain-data state for durable stores, as live objects (like `Analyzer.snapshot`): encode it
   * before the graph changes again. It is taken on every stored batch, so it copies nothing.
   */
  snapshot(): Omit<TopologyState, 'stats'> {
    return {
      nodes: [...this.nodes.values()],
      edges: [...this.edges.values()],
      writers: [...this.writers.values()],
    };
  }

  /** Replaces everything with a snapshot. */
  restore(s: Omit<TopologyState, 'stats'>): void {
    this.nodes.clear();
    this.edges.clear();
    this.out.clear();
    this.in.clear();
    this.writers.clear();
    this.featureSets.clear();
    // Graphs saved before `recentErrors` existed lack it.
    for (const n of s.nodes)
      this.nodes.set(n.id, { ...structuredClone(n), recentErrors: n.recentErrors ?? [] });
    for (const e of s.edges) {
      const id = edgeIdOf(e.from, e.to, e.kind);
      this.edges.set(id, structuredClone(e));
      link(this.out, e.from, id);
      link(this.in, e.to, id);
    }
    for (const w of s.writers) this.writers.set(w.ref, { ...w });
  }

  /** Size of the state in bytes (JSON), total and per node and edge, as documented above. */
  sizeBytes(): { total: number; perNode: number; perEdge: number } {
    const nodes = JSON.stringify([...this.nodes.values()]).length;
    const edges = JSON.stringify([...this.edges.values()]).length;
    const writers = JSON.stringify([...this.writers.values()]).length;
    return {
      total: nodes + edges + writers,
      perNode: this.nodes.size > 0 ? nodes / this.nodes.size : 0,
      perEdge: this.edges.size > 0 ? edges / this.edges.size : 0,
    };
  }

  private addVersion(n: GraphNode, version: string, atMs: number): void {
    const v = n.versions.find((x) => x.version === version);
    if (v !== undefined) {
      v.firstSeenMs = Math.min(v.firstSeenMs, atMs);
      v.lastSeenMs = Math.max(v.lastSeenMs, atMs);
      return;
    }
    n.versions.push({ version, firstSeenMs: atMs, lastSeenMs: atMs });
    n.versions.sort((a, b) => a.firstSeenMs - b.firstSeenMs);
    if (n.versions.length > MAX_VERSIONS) n.versions.shift();
  }
}

function link(m: Map<string, Set<string>>, node: string, edge: string): void {
  let s = m.get(node);
  if (s === undefined) {
    s = new Set();
    m.set(node, s);
  }
  s.add(edge);
}
