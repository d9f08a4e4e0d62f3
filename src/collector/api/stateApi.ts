/**
 * The JSON API over the analysis state, as the web page, `mlobs incidents` and `mlobs
 * diagnose` read it: pure functions from a {@link StateView} (a live store or a state file
 * opened read-only) to plain JSON-able answers. They return what the analysis concluded —
 * incidents, findings, summaries, the learned component graph — and never raw rows.
 */

import { streamIdOf } from '../../analysis/observation.js';
import type { StoredState, StoredWindow } from '../../analysis/store/AnalysisStore.js';
import { decodeState } from '../../analysis/store/stateCodec.js';
import { type GraphEdge, type GraphNode, nodeIdOf } from '../../analysis/topology/types.js';
import { ErrorCodes, MlobsError } from '../../errors.js';
import type { Finding, Incident, StreamKey } from '../../model/finding.js';
import type { Reaction } from '../../model/reaction.js';
import { deserializeFeatureBase64, type FeatureSummary } from '../../summaries/index.js';

/** What the API reads: the analysis store's read side. */
export interface StateView {
  /** Incidents, oldest opened first, optionally only those with a status. */
  incidents(status?: Incident['status']): Incident[];
  /** Closed windows, oldest first, ending after `sinceMs`, at most `limit` newest. */
  windows(opts?: { sinceMs?: number; limit?: number }): StoredWindow[];
  /** The saved Analyzer state (global document and one per stream). */
  loadState(): StoredState;
  /** Reaction records in the order they were taken, of one incident and at most the `limit` newest when given. */
  reactions(filter?: { incidentId?: string; limit?: number }): Reaction[];
}

/** One step of a reaction taken for an incident, as its `ml.reaction` record says; see {@link reactionsOf}. */
export interface ReactionView {
  /** Stable reaction id: a reaction's steps (triggered, its outcome, its undo) share it. */
  id: string;
  /** Policy that fired. */
  policy: string;
  /** `alert`, `fallback`, `rollback`, `retrain` or `quarantine`. */
  action: Reaction['action'];
  /** `triggered`, `succeeded`, `failed` or `suppressed`. */
  status: Reaction['status'];
  /** What it applies to. */
  target: string;
  /** Where a fallback or rollback goes, or null. */
  to: string | null;
  /** True for the steps that end it (the incident resolved). */
  undo: boolean;
  /** True when the policy ran dry: recorded, not done. */
  dryRun: boolean;
  /** Why it acted, held back or failed. */
  reason: string;
  /** When, ms since the epoch. */
  atMs: number;
}

/** One incident as the list shows it. */
export interface IncidentSummary {
  /** Incident id. */
  id: string;
  /** `open` or `resolved`. */
  status: Incident['status'];
  /** Highest severity of its findings. */
  severity: Incident['severity'];
  /** One-line title. */
  title: string;
  /** `service.name`. */
  service: string;
  /** `ml.pipeline.name` ('' when absent). */
  pipeline: string;
  /** Model names among its findings' streams. */
  models: string[];
  /** Opened, ms since the epoch. */
  openedAtMs: number;
  /** Last finding joined, ms since the epoch. */
  lastFindingAtMs: number;
  /** Resolved, ms since the epoch, when resolved. */
  resolvedAtMs: number | null;
  /** The first ranked cause, or null while the diagnosis has nothing to say. */
  rootCause: { component: string; kind: string; explanation: string; score: number } | null;
  /** Components involved, root cause first. */
  components: string[];
  /** Features involved. */
  features: string[];
  /** Findings that joined. */
  findingCount: number;
  /** Every step of the reactions taken for it, oldest first (see {@link reactionsOf}). */
  reactions: ReactionView[];
}

/** Filters of {@link listIncidents}; empty strings and undefined mean "any". */
export interface IncidentFilter {
  /** `open` or `resolved`. */
  state?: string;
  /** `ml.pipeline.name`. */
  pipeline?: string;
  /** `ml.model.name` among the incident's findings. */
  model?: string;
}

/** Reference and current distribution of one moved feature, on common bins or categories. */
export interface DistributionView {
  /** Feature name. */
  feature: string;
  /** `numeric` (histogram) or `categorical` (top values); other kinds are not drawn. */
  kind: 'numeric' | 'categorical';
  /** Bin lower edges (numeric, plus the last upper edge) or category values. */
  labels: (string | number)[];
  /** Share of the reference in each bin / category, [0, 1]. */
  reference: number[];
  /** Share of the current window in each bin / category. */
  current: number[];
  /** Values summarized in the reference and the current window. */
  referenceCount: number;
  /** Values in the current window. */
  currentCount: number;
  /** Missing-value share of the reference and current window. */
  referenceMissing: number;
  /** Missing-value share of the current window. */
  currentMissing: number;
  /** The finding this was drawn from. */
  findingId: string;
  /** Its statistic over the stream's recent windows, oldest first (null: no finding then). */
  history: { windowEndMs: number; value: number | null; threshold: number | null }[];
  /** Name of that statistic. */
  statistic: string;
}

/** One incident in full: the stored incident plus what the page draws. */
export interface IncidentDetail extends IncidentSummary {
  /** Ranked causes with their evidence. */
  causes: Incident['causes'];
  /** Findings, newest last (bounded as stored). */
  findings: Omit<Finding, 'referenceSummary' | 'currentSummary'>[];
  /** One entry per moved feature that has both summaries. */
  distributions: DistributionView[];
}

/** One stream's feature in the pipelines view. */
export interface FeatureView {
  /** Feature name. */
  name: string;
  /** Missing share in the stream's latest window with data, or null when unknown. */
  missingRate: number | null;
  /** Drift score per recent closed window, oldest first: max value/threshold of its findings, 0 without. */
  sparkline: number[];
}

/** One analysed stream (a component or model of a pipeline). */
export interface StreamView {
  /** `streamIdOf(key)`: use it in `/api/v1/streams/{id}/windows`. */
  id: string;
  /** The stream. */
  key: StreamKey;
  /** Its features and prediction outputs. */
  features: FeatureView[];
  /** Last run seen, ms since the epoch, or null. */
  lastSeenMs: number | null;
  /** True while its reference is still being gathered (no drift is judged yet). */
  warmingUp: boolean;
  /** Closed windows kept. */
  windows: number;
}

/** A pipeline with its streams. */
export interface PipelineView {
  /** `service.name`. */
  service: string;
  /** `ml.pipeline.name` ('' when absent). */
  pipeline: string;
  /** Its streams. */
  streams: StreamView[];
  /** Open incidents in it. */
  openIncidents: number;
}

/** Health of a component on the graph. */
export type NodeHealth = 'ok' | 'anomalous' | 'errors' | 'cause';

/** The component graph of one pipeline (or all), marked for an incident when one is given. */
export interface GraphView {
  /** Components. */
  nodes: (Pick<GraphNode, 'id' | 'kind' | 'model' | 'runs' | 'errorRuns' | 'lastRunMs'> & {
    component: string;
    service: string;
    pipeline: string;
    health: NodeHealth;
    /** On the incident's root-cause path (cause to farthest symptom). */
    onPath: boolean;
  })[];
  /** Connections. */
  edges: (Pick<GraphEdge, 'from' | 'to' | 'kind' | 'count'> & { onPath: boolean })[];
}

const HISTORY_WINDOWS = 30;

/** Stored incidents matching `filter`, oldest opened first (`mlobs incidents --json` prints these). */
export function incidentsOf(view: StateView, filter: IncidentFilter = {}): Incident[] {
  const status = filter.state === 'open' || filter.state === 'resolved' ? filter.state : undefined;
  if (filter.state && status === undefined)
    throw new MlobsError(
      ErrorCodes.MLOBS_ERR_CLI_USAGE,
      `state must be open or resolved, got '${filter.state}'`,
    );
  return view
    .incidents(status)
    .filter((i) => !filter.pipeline || i.pipeline === filter.pipeline)
    .filter((i) => !filter.model || i.findings.some((f) => f.stream.model === filter.model));
}

/** Incidents for the list, newest opened first, filtered. */
export function listIncidents(view: StateView, filter: IncidentFilter = {}): IncidentSummary[] {
  const byIncident = new Map<string, ReactionView[]>();
  for (const r of view.reactions()) {
    const list = byIncident.get(r.incidentId) ?? [];
    list.push(reactionView(r));
    byIncident.set(r.incidentId, list);
  }
  return incidentsOf(view, filter)
    .map((i) => summarize(i, byIncident.get(i.id) ?? []))
    .reverse();
}

/**
 * The incident with this id, or the only one whose id starts with it; undefined when none.
 * Throws MLOBS_ERR_CLI_USAGE when a prefix matches several.
 */
export function findIncident(view: StateView, idOrPrefix: string): Incident | undefined {
  const all = view.incidents();
  const exact = all.find((i) => i.id === idOrPrefix);
  if (exact) return exact;
  const matches = all.filter((i) => i.id.startsWith(idOrPrefix));
  if (matches.length > 1)
    throw new MlobsError(
      ErrorCodes.MLOBS_ERR_CLI_USAGE,
      `incident id '${idOrPrefix}' is ambiguous: ${matches
        .slice(0, 5)
        .map((i) => i.id)
        .join(', ')}${matches.length > 5 ? ', …' : ''}`,
    );
  return matches[0];
}

/** One incident with its findings and the distributions that moved; undefined when unknown. */
export function getIncident(view: StateView, idOrPrefix: string): IncidentDetail | undefined {
  const i = findIncident(view, idOrPrefix);
  if (i === undefined) return undefined;
  const windows = view.windows({ limit: 2000 });
  return {
    ...summarize(i, reactionsOf(view, i)),
    causes: i.causes,
    findings: i.findings.map(({ referenceSummary: _r, currentSummary: _c, ...rest }) => rest),
    distributions: distributionsOf(i, windows),
  };
}

/**
 * The reaction records of an incident, oldest first: what each policy triggered or held
 * back, what the pipeline reported back, and the undo when the incident resolved. They are
 * the ones the `ml` processor stored as it emitted them, so they survive a restart.
 */
export function reactionsOf(view: StateView, incident: Incident): ReactionView[] {
  return view.reactions({ incidentId: incident.id }).map(reactionView);
}

function reactionView(r: Reaction): ReactionView {
  return {
    id: r.id,
    policy: r.policy,
    action: r.action,
    status: r.status,
    target: r.target,
    to: r.to ?? null,
    undo: r.undo,
    dryRun: r.dryRun,
    reason: r.reason,
    atMs: r.atMs,
  };
}

/** Pipelines with their streams' features, drift sparklines, missing rates and warm-up state. */
export function listPipelines(view: StateView): PipelineView[] {
  const state = decodeState(view.loadState());
  const windows = view.windows({ limit: 5000 });
  const byStream = new Map<string, StoredWindow[]>();
  for (const w of windows) {
    const id = streamIdOf(w.stream);
    const list = byStream.get(id) ?? [];
    list.push(w);
    byStream.set(id, list);
  }
  const lastRun = new Map<string, number>();
  for (const n of state?.topology?.nodes ?? []) lastRun.set(n.id, n.lastRunMs);
  const streams: StreamView[] = [];
  const seen = new Set<string>();
  for (const s of state?.streams ?? []) {
    seen.add(s.id);
    const closed = byStream.get(s.id) ?? [];
    const latestData = [...s.windows.panes.map((p) => p.data)]
      .reverse()
      .find((d) => d.features.size + d.predictions.size > 0);
    const fallback = s.referencePool[s.referencePool.length - 1];
    const source = latestData ?? fallback;
    const names = new Set<string>([...s.windows.names]);
    for (const w of closed) for (const f of w.findings) if (f.feature) names.add(f.feature);
    streams.push(streamView(s.id, s.key, [...names], source, closed, lastRun));
  }
  for (const [id, closed] of byStream) {
    if (seen.has(id)) continue;
    const key = (closed[0] as StoredWindow).stream;
    const names = new Set<string>();
    for (const w of closed) for (const f of w.findings) if (f.feature) names.add(f.feature);
    streams.push(streamView(id, key, [...names], undefined, closed, lastRun));
  }
  const open = view.incidents('open');
  const pipelines = new Map<string, PipelineView>();
  for (const s of streams) {
    const k = JSON.stringify([s.key.service, s.key.pipeline]);
    let p = pipelines.get(k);
    if (p === undefined) {
      p = {
        service: s.key.service,
        pipeline: s.key.pipeline,
        streams: [],
        openIncidents: open.filter((i) => i.service === s.key.service && i.pipeline === s.key.pipeline)
          .length,
      };
      pipelines.set(k, p);
    }
    p.streams.push(s);
  }
  const out = [...pipelines.values()];
  for (const p of out) p.streams.sort((a, b) => a.key.component.localeCompare(b.key.component));
  return out.sort((a, b) => `${a.service}/${a.pipeline}`.localeCompare(`${b.service}/${b.pipeline}`));
}

/** Closed windows of one stream, oldest first, with their findings' verdicts (no summaries). */
export function streamWindows(
  view: StateView,
  streamId: string,
  limit = 100,
): { startMs: number; endMs: number; runs: number; rows: number; warmingUp: boolean; findings: object[] }[] {
  return view
    .windows({ limit: 5000 })
    .filter((w) => streamIdOf(w.stream) === streamId)
    .slice(-limit)
    .map((w) => ({
      startMs: w.startMs,
      endMs: w.endMs,
      runs: w.runs,
      rows: w.rows,
      warmingUp: w.referenceSource === '',
      findings: w.findings.map((f) => ({
        id: f.id,
        detector: f.detector,
        feature: f.feature,
        statistic: f.statistic,
        value: f.value,
        threshold: f.threshold,
        severity: f.severity,
      })),
    }));
}

/**
 * The learned component graph, of one pipeline when `pipeline` is given (`service/pipeline`
 * or just the pipeline name). With an incident, its root cause and path are marked;
 * components with findings in open incidents are `anomalous`.
 */
export function pipelineGraph(view: StateView, pipeline?: string, incidentId?: string): GraphView {
  const state = decodeState(view.loadState());
  const topo = state?.topology ?? { nodes: [], edges: [], writers: [], stats: {} };
  const inPipeline = (n: GraphNode) =>
    pipeline === undefined ||
    pipeline === '' ||
    n.key.pipeline === pipeline ||
    `${n.key.service}/${n.key.pipeline}` === pipeline;
  const nodes = topo.nodes.filter(inPipeline);
  const ids = new Set(nodes.map((n) => n.id));
  const incident = incidentId === undefined ? undefined : findIncident(view, incidentId);
  const anomalous = new Set<string>();
  for (const i of incident ? [incident] : view.incidents('open'))
    for (const f of i.findings) anomalous.add(nodeIdOf(f.stream));
  const cause = incident?.causes[0];
  const causeId = cause ? nodeIdOf(cause) : undefined;
  const path = (cause?.evidence.path ?? []).map((c) =>
    nodeIdOf({ service: cause?.service ?? '', pipeline: cause?.pipeline ?? '', component: c }),
  );
  const pathSet = new Set(path);
  const pathEdges = new Set<string>();
  for (let k = 1; k < path.length; k++) pathEdges.add(`${path[k - 1]}\u0000${path[k]}`);
  return {
    nodes: nodes.map((n) => ({
      id: n.id,
      component: n.key.component,
      service: n.key.service,
      pipeline: n.key.pipeline,
      kind: n.kind,
      model: n.model,
      runs: n.runs,
      errorRuns: n.errorRuns,
      lastRunMs: n.lastRunMs,
      health:
        n.id === causeId
          ? 'cause'
          : anomalous.has(n.id)
            ? 'anomalous'
            : n.runs > 0 && n.errorRuns / n.runs > 0.05
              ? 'errors'
              : 'ok',
      onPath: pathSet.has(n.id),
    })),
    edges: topo.edges
      .filter((e) => ids.has(e.from) && ids.has(e.to))
      .map((e) => ({
        from: e.from,
        to: e.to,
        kind: e.kind,
        count: e.count,
        // The path runs cause → symptom; `contains` edges point child → parent the same way.
        onPath: pathEdges.has(`${e.from}\u0000${e.to}`) || pathEdges.has(`${e.to}\u0000${e.from}`),
      })),
  };
}

/**
 * A short fingerprint of what the page shows; it changes when an incident opens, grows or
 * resolves, a window closes or a reaction is recorded, so `/api/v1/events` can tell the page to refresh.
 */
export function stateVersion(view: StateView): string {
  const incidents = view.incidents();
  const last = view.windows({ limit: 1 })[0];
  let sum = 0;
  for (const i of incidents) sum += i.findingCount + (i.status === 'resolved' ? 1e6 : 0);
  const r = view.reactions({ limit: 1 })[0];
  const reaction = r ? `${r.id}/${r.status}/${r.undo}/${r.atMs}` : '-';
  return `${incidents.length}:${sum}:${last ? `${last.endMs}` : '-'}:${reaction}`;
}

function summarize(i: Incident, reactions: ReactionView[]): IncidentSummary {
  const models = [...new Set(i.findings.map((f) => f.stream.model).filter((m) => m !== ''))];
  const c = i.causes[0];
  return {
    id: i.id,
    status: i.status,
    severity: i.severity,
    title: i.title,
    service: i.service,
    pipeline: i.pipeline,
    models,
    openedAtMs: i.openedAtMs,
    lastFindingAtMs: i.lastFindingAtMs,
    resolvedAtMs: i.resolvedAtMs ?? null,
    rootCause: c
      ? { component: c.component, kind: c.kind, explanation: c.explanation, score: c.score }
      : null,
    components: i.components,
    features: i.features,
    findingCount: i.findingCount,
    reactions,
  };
}

function distributionsOf(i: Incident, windows: readonly StoredWindow[]): DistributionView[] {
  const out: DistributionView[] = [];
  const done = new Set<string>();
  // Newest finding per feature: it shows the distribution as it is now.
  for (const f of [...i.findings].reverse()) {
    if (!f.feature || !f.referenceSummary || !f.currentSummary) continue;
    const key = `${streamIdOf(f.stream)}\u0000${f.feature}`;
    if (done.has(key)) continue;
    let ref: FeatureSummary;
    let cur: FeatureSummary;
    try {
      ref = deserializeFeatureBase64(f.referenceSummary);
      cur = deserializeFeatureBase64(f.currentSummary);
    } catch {
      continue; // A summary this version cannot read is left out, not guessed at.
    }
    const drawn = drawPair(ref, cur);
    if (drawn === undefined) continue;
    done.add(key);
    out.push({
      feature: f.feature,
      ...drawn,
      findingId: f.id,
      statistic: f.statistic,
      history: historyOf(f, windows),
    });
  }
  // The root cause's features first, then components in the incident's order (cause first).
  const first = new Set(i.causes[0]?.evidence.features ?? []);
  const rank = (d: DistributionView) => {
    const f = i.findings.find((x) => x.id === d.findingId);
    const c = f ? i.components.indexOf(f.stream.component) : -1;
    return (first.has(d.feature) ? 0 : 1000) + (c < 0 ? 999 : c);
  };
  return out.sort((a, b) => rank(a) - rank(b) || a.feature.localeCompare(b.feature));
}

function drawPair(
  ref: FeatureSummary,
  cur: FeatureSummary,
): Omit<DistributionView, 'feature' | 'findingId' | 'statistic' | 'history'> | undefined {
  const missing = (s: { count: number; nullCount: number }) =>
    s.count + s.nullCount === 0 ? 0 : s.nullCount / (s.count + s.nullCount);
  if (ref.kind === 'numeric' && cur.kind === 'numeric') {
    const lo = Math.min(...[ref, cur].filter((s) => s.count > 0).map((s) => s.min));
    const hi = Math.max(...[ref, cur].filter((s) => s.count > 0).map((s) => s.max));
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) return undefined;
    const bins = 24;
    const width = hi > lo ? (hi - lo) / bins : 1;
    return {
      kind: 'numeric',
      labels: Array.from({ length: bins + 1 }, (_, k) => lo + k * width),
      reference: shares(histogramOver(ref, lo, width, bins)),
      current: shares(histogramOver(cur, lo, width, bins)),
      referenceCount: ref.count,
      currentCount: cur.count,
      referenceMissing: missing(ref),
      currentMissing: missing(cur),
    };
  }
  if (ref.kind === 'categorical' && cur.kind === 'categorical') {
    const refTop = new Map(ref.top().map((e) => [e.value, e.count]));
    const curTop = new Map(cur.top().map((e) => [e.value, e.count]));
    const values = [...new Set([...refTop.keys(), ...curTop.keys()])]
      .sort(
        (a, b) => (curTop.get(b) ?? 0) + (refTop.get(b) ?? 0) - (curTop.get(a) ?? 0) - (refTop.get(a) ?? 0),
      )
      .slice(0, 12);
    const share = (m: Map<string, number>, n: number) => values.map((v) => (n > 0 ? (m.get(v) ?? 0) / n : 0));
    return {
      kind: 'categorical',
      labels: values,
      reference: share(refTop, ref.count),
      current: share(curTop, cur.count),
      referenceCount: ref.count,
      currentCount: cur.count,
      referenceMissing: missing(ref),
      currentMissing: missing(cur),
    };
  }
  return undefined;
}

/** Counts of a numeric summary on given bins: each sketch bucket spread over its interval. */
function histogramOver(
  s: Extract<FeatureSummary, { kind: 'numeric' }>,
  lo: number,
  width: number,
  bins: number,
): number[] {
  const out = new Array<number>(bins).fill(0);
  const binOf = (x: number) => Math.min(bins - 1, Math.max(0, Math.floor((x - lo) / width)));
  for (const b of s.sketch.buckets()) {
    // Buckets are relative-error intervals; clamp to the summary's exact range.
    const a = Math.max(s.min, Math.min(b.lower, b.upper));
    const z = Math.min(s.max, Math.max(b.lower, b.upper));
    if (!(z > a)) {
      out[binOf(Math.min(s.max, Math.max(s.min, a)))]! += b.count;
      continue;
    }
    for (let j = binOf(a); j <= binOf(z); j++) {
      const overlap = Math.min(z, lo + (j + 1) * width) - Math.max(a, lo + j * width);
      if (overlap > 0) out[j]! += (b.count * overlap) / (z - a);
    }
  }
  return out;
}

function shares(counts: number[]): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (n > 0 ? c / n : 0));
}

function historyOf(f: Finding, windows: readonly StoredWindow[]): DistributionView['history'] {
  const id = streamIdOf(f.stream);
  return windows
    .filter((w) => streamIdOf(w.stream) === id)
    .slice(-HISTORY_WINDOWS)
    .map((w) => {
      const hit = w.findings.find(
        (g) => g.feature === f.feature && g.detector === f.detector && g.statistic === f.statistic,
      );
      return { windowEndMs: w.endMs, value: hit?.value ?? null, threshold: hit?.threshold ?? null };
    });
}

function streamView(
  id: string,
  key: StreamKey,
  names: string[],
  latest: { features: Map<string, FeatureSummary>; predictions: Map<string, FeatureSummary> } | undefined,
  closed: readonly StoredWindow[],
  lastRun: ReadonlyMap<string, number>,
): StreamView {
  const recent = closed.slice(-HISTORY_WINDOWS);
  const last = closed[closed.length - 1];
  const nodeRun = lastRun.get(nodeIdOf(key));
  const windowSeen = [...closed].reverse().find((w) => w.runs > 0)?.endMs;
  return {
    id,
    key,
    features: names.sort().map((name) => {
      const s = latest?.features.get(name) ?? latest?.predictions.get(name);
      const total = s ? s.count + s.nullCount : 0;
      return {
        name,
        missingRate: s && total > 0 ? s.nullCount / total : null,
        sparkline: recent.map((w) =>
          Math.max(
            0,
            ...w.findings
              .filter((f) => f.feature === name && f.threshold > 0)
              .map((f) => f.value / f.threshold),
          ),
        ),
      };
    }),
    lastSeenMs: nodeRun ?? windowSeen ?? null,
    warmingUp: last === undefined || last.referenceSource === '',
    windows: closed.length,
  };
}
