/**
 * The component graph as plain data: what the topology learner builds from spans and what the
 * diagnosis reads. Nodes are components of a pipeline of a service; edges say how an anomaly
 * at one component can show up at another.
 */

/** How two components were seen to be connected. */
export type EdgeKind =
  /** The source wrote an `ml.io` reference that the target read (possibly in another trace). */
  | 'io'
  /** The target's span carries a span link to a run of the source. */
  | 'link'
  /** The source's span is a child of the target's span: what the child does shows in the parent. */
  | 'contains'
  /** Siblings under one parent in one trace: the source ended before the target started. */
  | 'sequence'
  /** Delayed labels recorded by the source were joined with the target's predictions. */
  | 'labels';

/** Identity of a component in the graph. */
export interface NodeKey {
  /** `service.name`. */
  service: string;
  /** `ml.pipeline.name`, '' when absent. */
  pipeline: string;
  /** `ml.component.name`. */
  component: string;
}

/** A model version seen at a component. */
export interface VersionSeen {
  /** `ml.model.version` ('' when the span carried a model name only). */
  version: string;
  /** First run with this version, ms since the epoch (span end). */
  firstSeenMs: number;
  /** Last run with this version. */
  lastSeenMs: number;
}

/** One component and what the diagnosis needs to know about its runs. */
export interface GraphNode {
  /** `nodeIdOf(key)`. */
  id: string;
  /** Which component. */
  key: NodeKey;
  /** `ml.component.kind` of its latest run ('' when unknown). */
  kind: string;
  /** `ml.model.name` of its latest run ('' when none). */
  model: string;
  /** Model versions, oldest first seen first (at most a few). */
  versions: VersionSeen[];
  /** Feature and prediction names it emitted (bounded). */
  features: string[];
  /** Runs seen. */
  runs: number;
  /** Runs that ended with status ERROR. */
  errorRuns: number;
  /** Exponentially weighted mean run duration, ms. */
  meanDurationMs: number;
  /** Start of its first run seen, ms since the epoch. */
  firstRunMs: number;
  /** Start of its latest run. */
  lastRunMs: number;
  /** Exponentially weighted mean interval between run starts, ms (0 until two runs). */
  meanIntervalMs: number;
  /** A few recent runs (trace id, span id, end), newest last, for exemplar links. */
  recentRuns: { traceId: string; spanId: string; endMs: number }[];
  /**
   * End times of its latest failed runs, oldest first (at most 16): when failures started, even
   * before an error-rate finding was significant, and for components with no finding at all.
   */
  recentErrors: number[];
}

/** A directed connection between two components, counted. */
export interface GraphEdge {
  /** Source node id. */
  from: string;
  /** Target node id. */
  to: string;
  /** How they were seen to be connected. */
  kind: EdgeKind;
  /** Times seen (per pair of runs). */
  count: number;
  /** First time seen, ms since the epoch (span time). */
  firstSeenMs: number;
  /** Last time seen. */
  lastSeenMs: number;
  /** For `io` edges: the references that connect them (bounded). */
  refs: string[];
}

/** The writer last seen for an `ml.io` reference. */
export interface WriterSeen {
  /** The reference. */
  ref: string;
  /** Node id of the component that wrote it. */
  node: string;
  /** When it was last written (span end), ms since the epoch. */
  lastWriteMs: number;
}

/** The graph's durable state. */
export interface TopologyState {
  /** Nodes. */
  nodes: GraphNode[];
  /** Edges. */
  edges: GraphEdge[];
  /** Latest writer per reference, oldest write first. */
  writers: WriterSeen[];
  /** Counters (see `TopologyStats`). */
  stats: Record<string, number>;
}

/** Stable string id of a node key. */
export function nodeIdOf(k: NodeKey): string {
  return JSON.stringify([k.service, k.pipeline, k.component]);
}

/** Stable string id of an edge. */
export function edgeIdOf(from: string, to: string, kind: EdgeKind): string {
  return `${kind}\u0000${from}\u0000${to}`;
}
