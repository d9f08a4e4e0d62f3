/**
 * The baselines mlobs' diagnosis is measured against. Each sees only what mlobs saw — the
 * incident's findings and the spans — never the ground truth, and returns a ranking as tie
 * groups (best first), so a baseline that cannot tell two components apart is scored by the
 * expected value of a random tie-break instead of by the luck of a sort order.
 */
import type { Finding, Incident } from '../../src/model/finding.js';

/** The parts of an ended ML span a baseline may use. */
export interface SeenSpan {
  /** Trace id. */
  traceId: string;
  /** Span id. */
  spanId: string;
  /** Parent span id, '' for a root. */
  parentSpanId: string;
  /** `ml.component.name`. */
  component: string;
  /** Start, ms since the epoch. */
  startMs: number;
  /** End, ms since the epoch. */
  endMs: number;
  /** Status ERROR. */
  error: boolean;
  /** `ml.io.inputs`. */
  inputs: string[];
  /** `ml.io.outputs`. */
  outputs: string[];
  /** Span links (to the runs that wrote the inputs). */
  links: { traceId: string; spanId: string }[];
}

function getOrAdd<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) {
    v = make();
    m.set(k, v);
  }
  return v;
}

/** Components in tie groups, most likely root cause first. */
export type Ranking = string[][];

/** Components with at least one finding in the incident, in first-finding order. */
export function anomalousComponents(incident: Incident): string[] {
  const out: string[] = [];
  for (const f of incident.findings) if (!out.includes(f.stream.component)) out.push(f.stream.component);
  return out;
}

/** Groups components by a score, highest first; equal scores tie. */
export function groupByScore(scores: ReadonlyMap<string, number>): Ranking {
  const sorted = [...scores].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const out: Ranking = [];
  let prev = Number.NaN;
  for (const [c, s] of sorted) {
    if (out.length > 0 && s === prev) out[out.length - 1]!.push(c);
    else out.push([c]);
    prev = s;
  }
  return out;
}

/** Random choice among the anomalous components: one tie group, scored by its expected value. */
export function randomAnomalous(incident: Incident): Ranking {
  const a = anomalousComponents(incident);
  return a.length > 0 ? [a] : [];
}

/**
 * Strength of one finding on one scale: −log10 of its p-value, or, for findings without one
 * (staleness, schema breaks), 2 × value/threshold — just over the threshold counts as p = 0.01.
 */
export function findingStrength(f: Finding): number {
  if (f.pValue !== undefined && Number.isFinite(f.pValue)) return -Math.log10(Math.max(f.pValue, 1e-300));
  const ratio = Number.isFinite(f.threshold) && f.threshold !== 0 ? Math.abs(f.value / f.threshold) : 1;
  return 2 * (Number.isFinite(ratio) ? ratio : 1);
}

/** "Most anomalous component": each component scored by its strongest finding. */
export function mostAnomalous(incident: Incident): Ranking {
  const scores = new Map<string, number>();
  for (const f of incident.findings) {
    const s = findingStrength(f);
    scores.set(f.stream.component, Math.max(scores.get(f.stream.component) ?? Number.NEGATIVE_INFINITY, s));
  }
  return groupByScore(scores);
}

/**
 * The component graph the spans show, as upstream → downstream edges: a writer of an `ml.io`
 * reference (or a linked run) before its readers; a parent span before its children; and,
 * for a sibling that declares no `ml.io` input, the siblings that ended before it started
 * (execution order is the only provenance such a run carries).
 */
export function spanGraph(spans: readonly SeenSpan[]): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  const add = (a: string, b: string) => {
    if (a === b) return;
    getOrAdd(edges, a, () => new Set<string>()).add(b);
  };
  const writers = new Map<string, Set<string>>();
  const byId = new Map<string, SeenSpan>();
  const children = new Map<string, SeenSpan[]>();
  for (const s of spans) {
    byId.set(`${s.traceId}/${s.spanId}`, s);
    for (const o of s.outputs) {
      getOrAdd(writers, o, () => new Set<string>()).add(s.component);
    }
    if (s.parentSpanId) {
      getOrAdd(children, `${s.traceId}/${s.parentSpanId}`, () => [] as SeenSpan[]).push(s);
    }
  }
  for (const s of spans) {
    for (const i of s.inputs) for (const w of writers.get(i) ?? []) add(w, s.component);
    for (const l of s.links) {
      const src = byId.get(`${l.traceId}/${l.spanId}`);
      if (src) add(src.component, s.component);
    }
    const parent = s.parentSpanId ? byId.get(`${s.traceId}/${s.parentSpanId}`) : undefined;
    if (parent) add(parent.component, s.component);
  }
  for (const siblings of children.values()) {
    for (const b of siblings) {
      if (b.inputs.some((i) => writers.has(i))) continue;
      for (const a of siblings) if (a !== b && a.endMs <= b.startMs) add(a.component, b.component);
    }
  }
  return edges;
}

/** Components reachable from `from` (excluding itself). */
export function downstreamOf(edges: ReadonlyMap<string, ReadonlySet<string>>, from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const c = stack.pop() as string;
    for (const d of edges.get(c) ?? []) {
      if (d === from || seen.has(d)) continue;
      seen.add(d);
      stack.push(d);
    }
  }
  return seen;
}

/** "Most upstream anomalous component": anomalous components by how many other anomalous ones they reach. */
export function mostUpstream(incident: Incident, spans: readonly SeenSpan[]): Ranking {
  const anomalous = anomalousComponents(incident);
  const edges = spanGraph(spans);
  const scores = new Map<string, number>();
  for (const c of anomalous) {
    const down = downstreamOf(edges, c);
    scores.set(c, anomalous.filter((x) => x !== c && down.has(x)).length);
  }
  return groupByScore(scores);
}

/**
 * mltrace's "review": the flagged traces are the exemplar traces of the incident's findings;
 * each component is ranked by how many of them contain a run of it, following span links one
 * hop (a run that read a table counts the job run that wrote it, as mltrace's IO pointers do).
 */
export function mltraceFrequency(incident: Incident, spans: readonly SeenSpan[]): Ranking {
  const flagged = new Set<string>();
  for (const f of incident.findings) for (const t of f.exemplarTraceIds) flagged.add(t);
  const byTrace = new Map<string, SeenSpan[]>();
  const bySpan = new Map<string, SeenSpan>();
  for (const s of spans) {
    bySpan.set(`${s.traceId}/${s.spanId}`, s);
    getOrAdd(byTrace, s.traceId, () => [] as SeenSpan[]).push(s);
  }
  const counts = new Map<string, number>();
  for (const t of flagged) {
    const members = new Set<string>();
    for (const s of byTrace.get(t) ?? []) {
      members.add(s.component);
      for (const l of s.links) {
        const w = bySpan.get(`${l.traceId}/${l.spanId}`);
        if (w) members.add(w.component);
      }
    }
    for (const c of members) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  return groupByScore(counts);
}

/** mlobs' own ranking: the incident's causes, root cause first (empty when diagnosis had nothing). */
export function mlobsRanking(incident: Incident): Ranking {
  const out: Ranking = [];
  for (const c of incident.causes ?? [])
    if (!out.some((g) => g.includes(c.component))) out.push([c.component]);
  return out;
}

/** The incident's `components` list in its own order (arrival order before diagnosis). */
export function incidentComponentsOrder(incident: Incident): Ranking {
  return incident.components.map((c) => [c]);
}
