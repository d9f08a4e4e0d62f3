/**
 * Root-cause ranking of one incident over the learned component graph. A pure function over
 * plain data that returns `{ result, failed, errors }` instead of throwing.
 *
 * Every component with findings is a symptom; candidates are the symptoms plus components the
 * findings point at without having findings themselves (the writer of a table a reader found
 * stale, the component whose delayed labels were joined with a predictor that lost accuracy).
 * For each candidate u and symptom v the ranking asks how plausible it is that u explains v:
 * - v must be reachable from u in the graph (io, span links, child → parent, labels; sibling
 *   order counts for less, since running after something is weaker evidence than reading it);
 * - u's anomaly must not start after v's (one window of slack: a run late in its window);
 * - the kinds must fit (slowness only explains slowness; failures explain gaps, not slowness);
 * - feature lineage: a feature that moved at both supports it; a feature that moved at u and
 *   reached v unchanged contradicts it (u's change did not flow through v).
 * The root cause is the candidate that nothing else explains and that explains the most of
 * the incident (weighted by anomaly strength), earlier onsets and stronger anomalies breaking
 * ties. Nothing depends on the order spans or findings arrived in.
 */
import type { Cause, CauseKind, Finding } from '../../model/finding.js';
import type { ComponentGraph } from '../topology/ComponentGraph.js';
import type { EdgeKind, GraphNode } from '../topology/types.js';
import { explain } from './explain.js';
import { type Symptom, symptomsOf } from './symptoms.js';

/** What the diagnosis reads. */
export interface DiagnosisInput {
  /** The incident's findings. */
  findings: readonly Finding[];
  /** The learned graph (read only). */
  graph: ComponentGraph;
  /** Current time (the Analyzer's watermark), ms since the epoch. */
  nowMs: number;
  /** Window step, ms: the time slack between a cause and its effects. */
  windowMs: number;
  /** Causes to return at most (default 5). */
  maxCauses?: number;
}

/** The ranking, or why there is none. */
export interface DiagnosisResult {
  /** Causes, most likely first. */
  result: Cause[];
  /** Whether the diagnosis could not run (then `result` is empty). */
  failed: boolean;
  /** What went wrong. */
  errors: string[];
}

/** A component that may be the root cause. */
export interface Candidate {
  node: string;
  key: { service: string; pipeline: string; component: string };
  kind: CauseKind;
  /** Its own symptom, when it has findings. */
  symptom: Symptom | undefined;
  onsetMs: number;
  /**
   * Symptoms it explains whatever the graph says (a stale table's readers, a predictor whose
   * labels it recorded), with how plausible that is.
   */
  forced: Map<string, number>;
  /** Facts for the explanation. */
  note: Record<string, string | number>;
}

const STRONG: ReadonlySet<EdgeKind> = new Set(['io', 'link', 'contains', 'labels']);

/** Ranks the candidate root causes of an incident. */
export function diagnose(input: DiagnosisInput): DiagnosisResult {
  try {
    return { result: rank(input), failed: false, errors: [] };
  } catch (err) {
    return { result: [], failed: true, errors: [err instanceof Error ? err.message : String(err)] };
  }
}

function rank(input: DiagnosisInput): Cause[] {
  const { graph, windowMs } = input;
  const symptoms = symptomsOf(input.findings);
  if (symptoms.length === 0) return [];
  const candidates = candidatesOf(symptoms, input);
  const total = symptoms.reduce((t, s) => t + s.strength, 0);
  const firstOnset = Math.min(...symptoms.map((s) => s.onsetMs));

  const reach = new Map<string, Reach>();
  for (const c of candidates) reach.set(c.node, reachFrom(graph, c.node));
  const plaus = (u: Candidate, v: Symptom): number => plausibility(u, v, reach.get(u.node)!, graph, windowMs);

  const scored = candidates.map((c) => {
    let explainedBy = 0;
    if (c.symptom !== undefined)
      for (const u of candidates)
        if (u.node !== c.node) explainedBy = Math.max(explainedBy, plaus(u, c.symptom));
    let covered = c.symptom?.strength ?? 0;
    const explained: Symptom[] = [];
    for (const v of symptoms) {
      if (v.node === c.node) continue;
      const p = plaus(c, v);
      covered += v.strength * p;
      if (p >= 0.5) explained.push(v);
    }
    const coverage = total > 0 ? Math.min(1, covered / total) : 0;
    const early = Math.max(0, 1 - Math.max(0, c.onsetMs - firstOnset) / (2 * windowMs));
    const strength = c.symptom?.strength ?? Math.max(...explained.map((v) => v.strength), 0);
    const score = 0.5 * (1 - explainedBy) + 0.3 * coverage + 0.1 * early + 0.1 * strength;
    return { c, score, coverage, explained, explainedBy };
  });
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      a.c.onsetMs - b.c.onsetMs ||
      (a.c.node < b.c.node ? -1 : a.c.node > b.c.node ? 1 : 0),
  );
  const max = input.maxCauses ?? 5;
  return scored.slice(0, max).map(({ c, score, coverage, explained }) => {
    const r = reach.get(c.node)!;
    const path = longestPath(c, explained, r, graph);
    const findings = c.symptom?.findings ?? [];
    const exemplars = exemplarsOf(c, findings, graph.node(c.node));
    return {
      component: c.key.component,
      service: c.key.service,
      pipeline: c.key.pipeline,
      kind: c.kind,
      score: round(Math.min(1, Math.max(0, score))),
      explanation: explain(c, explained, graph),
      evidence: {
        findingIds: findings.map((f) => f.id),
        features: [...(c.symptom?.moved ?? [])].sort(),
        exemplarTraceIds: exemplars.map((e) => e.traceId),
        exemplarSpanIds: exemplars.map((e) => e.spanId),
        path,
        onsetMs: c.onsetMs,
        explains: round(coverage),
      },
    };
  });
}

/** The symptoms, and the components the findings point at without having findings. */
function candidatesOf(symptoms: Symptom[], input: DiagnosisInput): Candidate[] {
  const { graph, nowMs, windowMs } = input;
  const out = new Map<string, Candidate>();
  for (const s of symptoms) {
    const node = graph.node(s.node);
    const change = versionChange(node, s.onsetMs, windowMs);
    // A new model version explains moved outputs and lost accuracy alike.
    const kind = (s.kind === 'data' || s.kind === 'labels') && change !== undefined ? 'model' : s.kind;
    const note: Candidate['note'] = {};
    if (change !== undefined) Object.assign(note, change);
    // Failures are known run by run: the first failure, not the first significant window, is
    // when they started (an error-rate test may need several windows of evidence).
    const firstError = s.kinds.has('errors') ? firstErrorNear(node, s.onsetMs, windowMs) : undefined;
    out.set(s.node, {
      node: s.node,
      key: s.key,
      kind,
      symptom: s,
      onsetMs: Math.min(s.onsetMs, firstError ?? s.onsetMs),
      forced: new Map(),
      note,
    });
  }
  // Components upstream of a symptom whose runs started failing around its onset, with or
  // without a finding of their own: failed runs pass no rows on, so what follows shows gaps.
  for (const s of symptoms) {
    if (s.kinds.size === 1 && s.kinds.has('latency')) continue;
    for (const a of ancestorsOf(graph, s.node)) {
      const node = graph.node(a);
      const first = firstErrorNear(node, s.onsetMs, windowMs);
      if (node === undefined || first === undefined || !failingMoreThanUsual(node, s.onsetMs, windowMs))
        continue;
      const c = out.get(a);
      if (c === undefined)
        out.set(a, {
          node: a,
          key: node.key,
          kind: 'errors',
          symptom: undefined,
          onsetMs: first,
          forced: new Map(),
          note: { failures: node.recentErrors.filter((t) => t >= first).length },
        });
      else {
        c.onsetMs = Math.min(c.onsetMs, first);
        if (c.kind === 'volume' || c.kind === 'data') c.kind = 'errors';
      }
    }
  }
  for (const s of symptoms) {
    // A table found stale points at whoever should have rewritten it.
    for (const ref of s.staleInputs) {
      const w = graph.writerOf(ref);
      const writer = w !== undefined ? graph.node(w.node) : undefined;
      if (w === undefined || writer === undefined || w.node === s.node) continue;
      const overdue = writer.meanIntervalMs > 0 && nowMs - writer.lastRunMs > 2 * writer.meanIntervalMs;
      const c = out.get(w.node) ?? {
        node: w.node,
        key: writer.key,
        kind: overdue ? ('schedule' as const) : ('staleness' as const),
        symptom: undefined,
        onsetMs: Math.min(s.onsetMs, w.lastWriteMs + (writer.meanIntervalMs || 0)),
        forced: new Map<string, number>(),
        note: {},
      };
      c.forced.set(s.node, 1);
      c.note.ref = ref;
      c.note.lastWriteMs = w.lastWriteMs;
      if (writer.meanIntervalMs > 0) c.note.intervalMs = writer.meanIntervalMs;
      c.note.reader = s.key.component;
      out.set(w.node, c);
    }
    // Accuracy that fell while the predictions did not move, on the same model, points at the
    // labels themselves (label or concept shift).
    const predictionsMoved = s.findings.some((f) => f.detector === 'prediction_drift');
    if (s.kinds.has('labels') && !predictionsMoved && out.get(s.node)?.kind !== 'model') {
      for (const e of graph.inEdges(s.node)) {
        if (e.kind !== 'labels') continue;
        const labeller = graph.node(e.from);
        if (labeller === undefined) continue;
        const c = out.get(e.from) ?? {
          node: e.from,
          key: labeller.key,
          kind: 'labels' as const,
          symptom: undefined,
          onsetMs: s.onsetMs,
          forced: new Map<string, number>(),
          note: {},
        };
        // Other anomalies of the predictor (its inputs) the labels do not explain as surely.
        c.forced.set(s.node, s.kinds.size === 1 ? 1 : 0.6);
        c.note.predictor = s.key.component;
        out.set(e.from, c);
      }
    }
  }
  return [...out.values()];
}

/** The first failed run of a component from two windows before `onsetMs` to one after, if any. */
function firstErrorNear(node: GraphNode | undefined, onsetMs: number, windowMs: number): number | undefined {
  if (node === undefined) return undefined;
  for (const t of node.recentErrors) if (t >= onsetMs - 2 * windowMs && t <= onsetMs + windowMs) return t;
  return undefined;
}

/**
 * Whether a component failed around `onsetMs` (two windows before to one after) clearly more
 * often than it usually does: at least once, and more than three times what its long-run error
 * rate predicts for that many runs, so a component that always fails now and then is not blamed.
 */
function failingMoreThanUsual(node: GraphNode, onsetMs: number, windowMs: number): boolean {
  const from = onsetMs - 2 * windowMs;
  const to = onsetMs + windowMs;
  const recent = node.recentErrors.filter((t) => t >= from && t <= to).length;
  if (recent === 0) return false;
  // The usual rate is the one before `from`: failures since then are what is being judged.
  const per = node.meanIntervalMs > 0 ? node.meanIntervalMs : windowMs;
  const runsThen = (to - from) / per;
  const errorsBefore = node.errorRuns - node.recentErrors.filter((t) => t >= from).length;
  const runsBefore = node.runs - Math.max(0, node.lastRunMs - from) / per;
  const usualRate = Math.max(0, errorsBefore) / Math.max(1, runsBefore);
  return recent > 3 * usualRate * runsThen;
}

/** Every component from which `node` can be reached (io, links, containment, sibling order). */
function ancestorsOf(graph: ComponentGraph, node: string): string[] {
  const seen = new Set([node]);
  const queue = [node];
  for (let i = 0; i < queue.length; i++)
    for (const e of graph.inEdges(queue[i]!)) {
      if (e.kind === 'labels' || seen.has(e.from)) continue;
      seen.add(e.from);
      queue.push(e.from);
    }
  seen.delete(node);
  return [...seen].sort();
}

/** A model version first seen around the anomaly's onset, after another version. */
function versionChange(
  node: GraphNode | undefined,
  onsetMs: number,
  windowMs: number,
): { from: string; to: string; atMs: number } | undefined {
  if (node === undefined || node.versions.length < 2) return undefined;
  for (let i = node.versions.length - 1; i >= 1; i--) {
    const v = node.versions[i]!;
    if (v.firstSeenMs >= onsetMs - 2 * windowMs && v.firstSeenMs <= onsetMs + 2 * windowMs)
      return { from: node.versions[i - 1]!.version, to: v.version, atMs: v.firstSeenMs };
  }
  return undefined;
}

interface Reach {
  /** Nodes reachable through strong edges only, with the previous node on a shortest path. */
  strong: Map<string, string>;
  /** Nodes reachable through any edge. */
  any: Map<string, string>;
}

function reachFrom(graph: ComponentGraph, from: string): Reach {
  const bfs = (allowed: (k: EdgeKind) => boolean): Map<string, string> => {
    const prev = new Map<string, string>([[from, '']]);
    const queue = [from];
    for (let i = 0; i < queue.length; i++) {
      const n = queue[i]!;
      // Sorted so that ties between equally short paths never depend on arrival order.
      const next = graph
        .outEdges(n)
        .filter((e) => allowed(e.kind))
        .map((e) => e.to)
        .sort();
      for (const t of next) {
        if (prev.has(t)) continue;
        prev.set(t, n);
        queue.push(t);
      }
    }
    return prev;
  };
  return { strong: bfs((k) => STRONG.has(k)), any: bfs(() => true) };
}

/** How plausible it is, in [0, 1], that candidate u explains symptom v (see the file comment). */
function plausibility(u: Candidate, v: Symptom, r: Reach, graph: ComponentGraph, windowMs: number): number {
  if (u.node === v.node) return 0;
  const forced = u.forced.get(v.node);
  if (forced !== undefined) return forced;
  const base = r.strong.has(v.node) ? 1 : r.any.has(v.node) ? 0.7 : 0;
  // A run that takes much longer holds up the runs scheduled after it, upstream ones of the
  // next pipeline run included: fewer of them land in the windows that follow.
  if (
    u.kind === 'latency' &&
    v.kinds.size === 1 &&
    v.kinds.has('volume') &&
    v.onsetMs >= u.onsetMs &&
    u.key.service === v.key.service &&
    u.key.pipeline === v.key.pipeline
  )
    return Math.max(base, 0.6);
  if (base === 0) return 0;
  if (!kindsFit(u.kind, v)) return 0;
  const lag = u.onsetMs - v.onsetMs;
  const time = lag <= 0 ? 1 : lag <= windowMs ? 0.6 : 0;
  if (time === 0) return 0;
  const moved = u.symptom?.moved ?? new Set<string>();
  let support = false;
  for (const f of moved) if (v.moved.has(f)) support = true;
  let contradiction = false;
  if (!support && moved.size > 0) {
    const emitted = new Set(graph.node(v.node)?.features ?? []);
    // Features that moved at u and that v also carries arrived at v unchanged (no support).
    for (const f of moved) if (emitted.has(f)) contradiction = true;
  }
  const lineage = support ? 1 : contradiction ? 0.1 : u.symptom === undefined ? 1 : 0.6;
  return base * time * lineage;
}

/** Whether an anomaly of kind `k` upstream can show up as symptom `v`. */
function kindsFit(k: CauseKind, v: Symptom): boolean {
  // A slow stage makes its parent slow and pushes the runs after it into later windows.
  if (k === 'latency') return v.kinds.has('latency') || v.kinds.has('volume');
  if (v.kinds.size === 1 && v.kinds.has('latency')) return false;
  return true;
}

/** From the cause to the explained symptom farthest from it, cause first. */
function longestPath(c: Candidate, explained: Symptom[], r: Reach, graph: ComponentGraph): string[] {
  let best: string[] = [c.key.component];
  for (const v of explained) {
    const prev = r.strong.has(v.node) ? r.strong : r.any;
    if (!prev.has(v.node)) continue;
    const ids: string[] = [];
    for (let n: string | undefined = v.node; n !== undefined && n !== ''; n = prev.get(n)) ids.unshift(n);
    const names = ids.map((id) => graph.node(id)?.key.component ?? id);
    if (names.length > best.length) best = names;
  }
  return best;
}

/** Traces that contain a run of the cause: its findings' exemplars, else its latest runs. */
function exemplarsOf(
  c: Candidate,
  findings: readonly Finding[],
  node: GraphNode | undefined,
): { traceId: string; spanId: string }[] {
  const out: { traceId: string; spanId: string }[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    const spans = Array.isArray(f.details.exemplarSpanIds) ? (f.details.exemplarSpanIds as unknown[]) : [];
    f.exemplarTraceIds.forEach((traceId, j) => {
      const spanId = typeof spans[j] === 'string' ? (spans[j] as string) : '';
      if (seen.has(traceId) || out.length >= 5) return;
      seen.add(traceId);
      out.push({ traceId, spanId });
    });
  }
  if (out.length === 0 && node !== undefined && c.symptom === undefined)
    for (const run of [...node.recentRuns].reverse().slice(0, 5)) out.push(run);
  return out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
