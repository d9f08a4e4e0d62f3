/**
 * The collector's web page (browser code, bundled by esbuild with uPlot and dagre). Three
 * views behind hash routes — incidents, one incident, pipelines and models — each rendered
 * from the JSON API; `/api/v1/events` (server-sent events) says when to fetch again, so the
 * page follows the collector without a reload. Text from the API is only ever set as text.
 */
import dagre from '@dagrejs/dagre';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';

// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
const C = {
  blue: '#0072B2',
  orange: '#E69F00',
  green: '#009E73',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  sky: '#56B4E9',
  grey: '#6b6b6b',
};
const HEALTH_COLOR: Record<string, string> = {
  ok: C.green,
  anomalous: C.orange,
  errors: C.purple,
  cause: C.vermillion,
};
const HEALTH_LABEL: Record<string, string> = {
  ok: 'healthy',
  anomalous: 'anomalous',
  errors: 'errors',
  cause: 'root cause',
};

// biome-ignore lint/suspicious/noExplicitAny: API answers are typed server-side (stateApi.ts); the page reads them as plain JSON
type Json = Record<string, any>;

interface Status {
  processor: string;
  running: boolean;
  traceUrl: string | null;
}

let status: Status = { processor: '', running: false, traceUrl: null };
let renderSeq = 0;
const charts: uPlot[] = [];
/** Charts to draw once their view is in the document (they measure their container). */
const pendingDraws: (() => void)[] = [];

/** Creates an element with attributes and children (strings become text nodes). */
function h(
  tag: string,
  attrs: Record<string, string | undefined> = {},
  ...children: (Node | string | null)[]
) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
  for (const c of children) if (c !== null) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

function svg(tag: string, attrs: Record<string, string | number> = {}): SVGElement {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

async function api<T = Json>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  const body = await res.json();
  // Browser code: the page catches this and shows the API's message; error codes are for Node callers.
  if (!res.ok) throw new Error(body?.error ?? `${res.status} ${res.statusText}`);
  return body as T;
}

function time(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

function ago(ms: number | null): string {
  if (ms === null) return 'never';
  const s = Math.round((Date.now() - ms) / 1000);
  if (s < 60) return `${Math.max(0, s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return time(ms);
}

function num(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (Math.abs(x) >= 1e4 || (Math.abs(x) > 0 && Math.abs(x) < 1e-3)) return x.toExponential(2);
  return String(Number(x.toFixed(digits)));
}

function pct(x: number | null): string {
  return x === null ? '—' : `${(100 * x).toFixed(1)}%`;
}

function badge(text: string, kind: string): HTMLElement {
  return h('span', { class: `badge badge-${kind}` }, text);
}

function severityBadge(sev: string): HTMLElement {
  const icon = sev === 'critical' ? '▲▲' : sev === 'warning' ? '▲' : '●';
  return h('span', { class: `badge sev-${sev}` }, `${icon} ${sev}`);
}

function empty(title: string, ...lines: (string | Node)[]): HTMLElement {
  return h('div', { class: 'empty', role: 'note' }, h('h2', {}, title), ...lines.map((l) => h('p', {}, l)));
}

function sendSpansHint(): HTMLElement {
  return h(
    'span',
    {},
    'Send OTLP spans from an instrumented pipeline to this collector’s OTLP receiver (',
    h('code', {}, 'http://127.0.0.1:4318'),
    ' with the default config), e.g. ',
    h(
      'code',
      {},
      'OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 npx tsx examples/pipeline.ts --batches 9 --interval 2000 --drift-from 6 --quiet',
    ),
    ' (with collector-config/demo.yaml, whose 2-second windows show an incident within seconds).',
  );
}

function traceLink(traceId: string): Node {
  if (!status.traceUrl)
    return h('code', { title: 'set trace_url in the mlobs_ui extension to link traces' }, traceId);
  return h(
    'a',
    {
      href: status.traceUrl.replace('{trace_id}', encodeURIComponent(traceId)),
      target: '_blank',
      rel: 'noopener',
    },
    traceId,
  );
}

// ---------------------------------------------------------------- reactions

/** Status as text with a shape, so it reads without colour. */
const REACTION_STATUS: Record<string, string> = {
  triggered: '● triggered',
  succeeded: '✓ succeeded',
  failed: '✗ failed',
  suppressed: '○ held back',
};

/**
 * One phrase per reaction (its records share an id): what it did and where it stands now,
 * e.g. `fallback → churn-rules-v1 (✓ succeeded, ended)`.
 */
function reactionsTaken(steps: Json[]): string[] {
  const byId = new Map<string, Json[]>();
  for (const r of steps) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  return [...byId.values()].map((rs) => {
    const first = rs[0] as Json;
    const done = rs.filter((r) => !r.undo);
    const last = (done[done.length - 1] ?? first) as Json;
    const state = first.dryRun ? 'dry run' : (REACTION_STATUS[last.status] ?? last.status);
    const ended = rs.some((r) => r.undo) ? ', ended' : '';
    return `${first.action}${first.to ? ` → ${first.to}` : ''} (${state}${ended})`;
  });
}

/** Every reaction record of an incident, oldest first, as its `ml.reaction` log record says. */
function reactionsTable(steps: Json[]): HTMLElement {
  if (steps.length === 0)
    return h(
      'p',
      { class: 'muted' },
      'None recorded for this incident: no reaction policy of the ml processor matched it (processors::ml::reactions::policies).',
    );
  const head = ['Time', 'Policy', 'Action', 'Target', 'Status', 'Reason'];
  const table = h(
    'table',
    { class: 'reactions' },
    h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
  );
  const body = h('tbody');
  for (const r of steps)
    body.append(
      h(
        'tr',
        { 'data-action': r.action, 'data-status': r.status, 'data-undo': String(r.undo) },
        h('td', {}, time(r.atMs)),
        h('td', {}, r.policy),
        h('td', {}, `${r.undo ? 'end ' : ''}${r.action}${r.to && !r.undo ? ` → ${r.to}` : ''}`),
        h('td', {}, r.target),
        h(
          'td',
          { class: `reaction-${r.status}` },
          `${REACTION_STATUS[r.status] ?? r.status}${r.dryRun ? ' (dry run)' : ''}`,
        ),
        h('td', {}, r.reason),
      ),
    );
  table.append(body);
  return h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Reactions' }, table);
}

// ---------------------------------------------------------------- incidents list

async function renderIncidents(app: HTMLElement, params: URLSearchParams): Promise<void> {
  const query = new URLSearchParams();
  for (const k of ['state', 'pipeline', 'model']) if (params.get(k)) query.set(k, params.get(k) as string);
  const [list, all] = await Promise.all([
    api<Json[]>(`/api/v1/incidents?${query}`),
    api<Json[]>('/api/v1/incidents'),
  ]);
  const pipelines = [...new Set(all.map((i) => i.pipeline || i.service))].sort();
  const models = [...new Set(all.flatMap((i) => i.models as string[]))].sort();
  const select = (name: string, label: string, options: string[]) => {
    const s = h('select', { id: `f-${name}`, name }) as HTMLSelectElement;
    s.append(h('option', { value: '' }, `any ${label}`));
    for (const o of options) {
      const opt = h('option', { value: o }, o) as HTMLOptionElement;
      if (params.get(name) === o) opt.selected = true;
      s.append(opt);
    }
    s.addEventListener('change', () => {
      const next = new URLSearchParams(params);
      if (s.value) next.set(name, s.value);
      else next.delete(name);
      location.hash = `#/incidents?${next}`;
    });
    return h('label', { for: `f-${name}` }, `${label} `, s);
  };
  const filters = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter incidents' },
    select('state', 'state', ['open', 'resolved']),
    select('pipeline', 'pipeline', pipelines),
    select('model', 'model', models),
  );
  filters.addEventListener('submit', (e) => e.preventDefault());
  const open = all.filter((i) => i.status === 'open').length;
  app.replaceChildren(
    h('h1', {}, 'Incidents'),
    h('p', { class: 'summary' }, `${open} open, ${all.length - open} resolved`),
    filters,
  );
  if (all.length === 0) {
    app.append(
      status.running
        ? empty(
            'No incidents yet',
            'The analysis is running and has found nothing wrong so far. Streams first gather a reference (their first windows); drift is judged after that — see Pipelines & models.',
            sendSpansHint(),
          )
        : empty(
            'No analysis is running',
            'This page shows the state of an ml processor: add one to a pipeline of this collector (processors: ml) and send it spans.',
            sendSpansHint(),
          ),
    );
    return;
  }
  if (list.length === 0) {
    app.append(empty('No incident matches these filters', 'Choose “any” in a filter to see more.'));
    return;
  }
  const ul = h('ul', { class: 'incidents', 'aria-label': 'Incidents, newest first' });
  for (const i of list) {
    const cause = i.rootCause
      ? h(
          'p',
          { class: 'cause' },
          h('strong', {}, `Root cause: ${i.rootCause.component}`),
          ` (${i.rootCause.kind}) — ${i.rootCause.explanation}`,
        )
      : h('p', { class: 'cause muted' }, 'No diagnosis yet.');
    const taken = reactionsTaken(i.reactions as Json[]);
    const reactions = h(
      'p',
      { class: 'meta reactions-taken' },
      taken.length ? `Reactions taken: ${taken.join('; ')}` : 'Reactions taken: none',
    );
    ul.append(
      h(
        'li',
        { class: `incident ${i.status}`, 'data-incident': i.id },
        h(
          'a',
          // A stable id, so a live update that redraws the list gives keyboard focus back to it.
          { href: `#/incident/${encodeURIComponent(i.id)}`, class: 'incident-link', id: `incident-${i.id}` },
          h(
            'div',
            { class: 'row' },
            severityBadge(i.severity),
            badge(i.status, i.status),
            h('span', { class: 'title' }, i.title),
          ),
          h(
            'div',
            { class: 'meta' },
            `pipeline ${i.pipeline || '—'} (${i.service})`,
            i.models.length ? ` · model ${i.models.join(', ')}` : '',
            ` · first seen ${time(i.openedAtMs)} · last seen ${time(i.lastFindingAtMs)}`,
            i.resolvedAtMs ? ` · resolved ${time(i.resolvedAtMs)}` : '',
          ),
          cause,
          h('p', { class: 'meta' }, `${i.findingCount} findings · features ${i.features.join(', ') || '—'}`),
          reactions,
        ),
      ),
    );
  }
  app.append(ul);
}

// ---------------------------------------------------------------- one incident

async function renderIncident(app: HTMLElement, id: string): Promise<void> {
  const i = await api(`/api/v1/incidents/${encodeURIComponent(id)}`);
  const graph = await api(
    `/api/v1/graph?pipeline=${encodeURIComponent(`${i.service}/${i.pipeline}`)}&incident=${encodeURIComponent(i.id)}`,
  );
  const cause = (i.causes as Json[])[0];
  app.replaceChildren(
    h('p', {}, h('a', { href: '#/incidents' }, '← All incidents')),
    h('h1', {}, i.title),
    h(
      'div',
      { class: 'row' },
      severityBadge(i.severity),
      badge(i.status, i.status),
      h(
        'span',
        { class: 'meta' },
        `pipeline ${i.pipeline || '—'} (${i.service}) · first seen ${time(i.openedAtMs)} · last seen ${time(i.lastFindingAtMs)}`,
      ),
    ),
  );
  if (cause) {
    const ev = cause.evidence as Json;
    app.append(
      h(
        'section',
        { class: 'rootcause', 'aria-labelledby': 'rc-h' },
        h('h2', { id: 'rc-h' }, `Root cause: ${cause.component}`),
        h('p', {}, cause.explanation),
        h(
          'p',
          { class: 'meta' },
          `kind ${cause.kind} · confidence ${num(cause.score, 2)} · explains ${pct(ev.explains)} · onset ${time(ev.onsetMs)} · path ${(ev.path as string[]).join(' → ')}`,
        ),
        ev.exemplarTraceIds.length
          ? h(
              'p',
              { class: 'meta' },
              'Exemplar traces: ',
              ...joinNodes((ev.exemplarTraceIds as string[]).map(traceLink)),
            )
          : null,
      ),
    );
    if ((i.causes as Json[]).length > 1) {
      const others = h('ol', { start: '2', class: 'others' });
      for (const c of (i.causes as Json[]).slice(1))
        others.append(
          h('li', {}, h('strong', {}, c.component), ` (${c.kind}, ${num(c.score, 2)}) — ${c.explanation}`),
        );
      app.append(h('details', {}, h('summary', {}, 'Other candidate causes'), others));
    }
  } else
    app.append(
      h('p', { class: 'muted' }, 'No diagnosis yet: the causes appear once findings join the incident.'),
    );

  app.append(h('h2', { id: 'reactions-h' }, 'Reactions'), reactionsTable(i.reactions as Json[]));

  app.append(h('h2', { id: 'graph-h' }, 'Pipeline graph'), drawGraph(graph));
  app.append(h('h2', {}, 'Findings'), findingsTable(i.findings as Json[]));

  app.append(h('h2', {}, 'Distributions that moved'));
  const dists = i.distributions as Json[];
  if (dists.length === 0)
    app.append(
      h(
        'p',
        { class: 'muted' },
        'No feature distributions to draw: the findings of this incident are stream-level (volume, latency, errors, staleness).',
      ),
    );
  for (const d of dists) app.append(distributionFigure(d));
}

function joinNodes(nodes: Node[]): (Node | string)[] {
  const out: (Node | string)[] = [];
  nodes.forEach((n, k) => {
    if (k > 0) out.push(', ');
    out.push(n);
  });
  return out;
}

function findingsTable(findings: Json[]): HTMLElement {
  if (findings.length === 0) return h('p', { class: 'muted' }, 'No findings kept.');
  const head = [
    'Detector',
    'Component',
    'Feature',
    'Statistic',
    'Value',
    'Threshold',
    'p-value',
    'Window',
    'Reference n',
    'Current n',
    'Severity',
  ];
  const table = h(
    'table',
    { class: 'findings' },
    h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
  );
  const body = h('tbody');
  for (const f of [...findings].reverse()) {
    body.append(
      h(
        'tr',
        {},
        h('td', {}, f.detector),
        h('td', {}, f.stream.component),
        h('td', {}, f.feature || '—'),
        h('td', {}, f.statistic),
        h('td', { class: 'n' }, num(f.value)),
        h('td', { class: 'n' }, num(f.threshold)),
        h('td', { class: 'n' }, f.pValue === undefined ? '—' : num(f.pValue)),
        h('td', {}, `${time(f.windowStartMs).slice(11)} – ${time(f.windowEndMs).slice(11)}`),
        h('td', { class: 'n' }, String(f.referenceCount)),
        h('td', { class: 'n' }, String(f.currentCount)),
        h('td', {}, severityBadge(f.severity)),
      ),
    );
  }
  table.append(body);
  return h(
    'div',
    { class: 'scroll findings-wrap', tabindex: '0', role: 'region', 'aria-label': 'Findings table' },
    table,
  );
}

/** Lays the component graph out left to right with dagre and draws it as SVG. */
function drawGraph(graph: Json): HTMLElement {
  const nodes = graph.nodes as Json[];
  if (nodes.length === 0)
    return h(
      'p',
      { class: 'muted' },
      'The component graph is still being learned: it appears once spans of this pipeline arrive.',
    );
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 60, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: Math.max(110, 8 * n.component.length + 24), height: 44 });
  // One arrow per pair of components, whatever the kinds of evidence that connect them.
  const byPair = new Map<string, Json>();
  for (const e of graph.edges as Json[]) {
    if (e.kind === 'contains' && !e.onPath && nodes.length > 2) continue;
    const [from, to] = e.kind === 'contains' ? [e.to, e.from] : [e.from, e.to];
    const key = JSON.stringify([from, to]);
    const seen = byPair.get(key);
    if (seen) {
      seen.kinds.push(e.kind);
      seen.count += e.count;
      seen.onPath ||= e.onPath;
    } else byPair.set(key, { from, to, kind: e.kind, kinds: [e.kind], count: e.count, onPath: e.onPath });
  }
  const edges = [...byPair.values()];
  edges.forEach((e, k) => {
    // `contains` runs child → parent; it was turned parent → child above so the flow reads left to right.
    g.setEdge(e.from, e.to, {}, `e${k}`);
  });
  dagre.layout(g);
  const size = g.graph() as { width?: number; height?: number };
  const width = Math.ceil(size.width ?? 300);
  const height = Math.ceil(size.height ?? 100);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'graph' });
  root.setAttribute(
    'aria-label',
    `Component graph: ${nodes.map((n) => `${n.component} ${HEALTH_LABEL[n.health]}`).join(', ')}`,
  );
  const defs = svg('defs');
  for (const [name, color] of [
    ['arrow', '#777'],
    ['arrow-path', C.vermillion],
  ]) {
    const m = svg('marker', {
      id: name as string,
      viewBox: '0 0 10 10',
      refX: 9,
      refY: 5,
      markerWidth: 7,
      markerHeight: 7,
      orient: 'auto',
    });
    m.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: color as string }));
    defs.append(m);
  }
  root.append(defs);
  edges.forEach((e, k) => {
    const pts = (g.edge({ v: e.from, w: e.to, name: `e${k}` }) as { points: { x: number; y: number }[] })
      .points;
    const d = pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    const path = svg('path', {
      d,
      fill: 'none',
      stroke: e.onPath ? C.vermillion : '#888',
      'stroke-width': e.onPath ? 3 : 1.5,
      'stroke-dasharray':
        e.kinds.includes('io') || e.kinds.includes('link') ? '0' : e.kind === 'labels' ? '2 3' : '6 3',
      'marker-end': `url(#${e.onPath ? 'arrow-path' : 'arrow'})`,
    });
    const title = svg('title');
    title.textContent = `${e.kinds.join(' + ')}, seen ${e.count}×`;
    path.append(title);
    root.append(path);
  });
  for (const n of nodes) {
    const p = g.node(n.id) as { x: number; y: number; width: number; height: number };
    const group = svg('g', {
      class: `node health-${n.health}`,
      'data-component': n.component,
      'data-health': n.health,
    });
    group.append(
      svg('rect', {
        x: p.x - p.width / 2,
        y: p.y - p.height / 2,
        width: p.width,
        height: p.height,
        rx: 6,
        fill: '#fff',
        stroke: HEALTH_COLOR[n.health] ?? C.grey,
        'stroke-width': n.health === 'cause' ? 4 : n.onPath ? 3 : 2,
        'stroke-dasharray': n.health === 'anomalous' ? '5 2' : '0',
      }),
    );
    const name = svg('text', { x: p.x, y: p.y - 3, 'text-anchor': 'middle', class: 'node-name' });
    name.textContent = n.component;
    const sub = svg('text', {
      x: p.x,
      y: p.y + 13,
      'text-anchor': 'middle',
      class: 'node-sub',
      fill: HEALTH_COLOR[n.health] ?? C.grey,
    });
    sub.textContent = `${n.health === 'cause' ? '◆ ' : n.health === 'anomalous' ? '▲ ' : ''}${HEALTH_LABEL[n.health]}`;
    const title = svg('title');
    title.textContent = `${n.component}${n.model ? ` (model ${n.model})` : ''}: ${n.runs} runs, ${n.errorRuns} errors, last run ${time(n.lastRunMs)}`;
    group.append(title, name, sub);
    root.append(group);
  }
  const legend = h(
    'p',
    { class: 'legend' },
    ...Object.entries(HEALTH_LABEL).map(([k, label]) =>
      h(
        'span',
        { class: 'key' },
        h('span', { class: 'swatch', style: `border-color:${HEALTH_COLOR[k]}` }),
        label,
      ),
    ),
    h(
      'span',
      { class: 'key' },
      h('span', { class: 'swatch line', style: `background:${C.vermillion}` }),
      'root-cause path',
    ),
  );
  return h('figure', { class: 'graph-wrap' }, h('div', { class: 'scroll' }, root as unknown as Node), legend);
}

function distributionFigure(d: Json): HTMLElement {
  const fig = h('figure', { class: 'dist', 'data-feature': d.feature });
  fig.append(
    h(
      'figcaption',
      {},
      h('strong', {}, d.feature),
      ` — ${d.kind === 'numeric' ? 'histogram' : 'top values'}, share of values; reference n=${d.referenceCount} (missing ${pct(d.referenceMissing)}) vs current n=${d.currentCount} (missing ${pct(d.currentMissing)})`,
    ),
  );
  const charts = h('div', { class: 'charts' });
  const distDiv = h('div', {
    class: 'chart',
    role: 'img',
    'aria-label': `Reference and current distribution of ${d.feature}`,
  });
  const histDiv = h('div', {
    class: 'chart',
    role: 'img',
    'aria-label': `${d.statistic} of ${d.feature} over recent windows`,
  });
  charts.append(distDiv, histDiv);
  fig.append(charts);
  pendingDraws.push(() => {
    const width = Math.max(260, Math.min(520, (fig.clientWidth || 900) / 2 - 16));
    drawDistribution(distDiv, d, width);
    drawHistory(histDiv, d, width);
  });
  return fig;
}

function drawDistribution(el: HTMLElement, d: Json, width: number): void {
  const labels = d.labels as (string | number)[];
  const n = (d.reference as number[]).length;
  const xs = Array.from({ length: n }, (_, k) => k);
  const bars = uPlot.paths.bars?.({ size: [0.8, 60], align: 0 });
  const tick = (k: number) => {
    if (d.kind === 'numeric') {
      const lo = labels[k] as number;
      const hi = labels[k + 1] as number;
      return hi === undefined ? '' : num((lo + hi) / 2, 2);
    }
    return String(labels[k] ?? '');
  };
  const opts: uPlot.Options = {
    width,
    height: 220,
    legend: { show: true },
    scales: {
      x: { time: false, range: [-0.6, n - 0.4] },
      y: { range: (_u, _min, max) => [0, Math.max(0.01, max * 1.1)] },
    },
    axes: [
      {
        values: (_u, splits) => splits.map((s) => (Number.isInteger(s) ? tick(s) : '')),
        rotate: d.kind === 'categorical' ? 0 : 0,
        space: 40,
      },
      { values: (_u, splits) => splits.map((s) => `${Math.round(s * 100)}%`), size: 50 },
    ],
    series: [
      { label: d.kind === 'numeric' ? 'bin' : 'value', value: (_u, v) => (v === null ? '' : tick(v)) },
      {
        label: 'reference',
        stroke: C.blue,
        fill: `${C.blue}55`,
        width: 1,
        paths: bars,
        points: { show: false },
        value: (_u, v) => pct(v),
      },
      {
        label: 'current',
        stroke: C.orange,
        fill: `${C.orange}66`,
        width: 2,
        paths: bars,
        points: { show: false },
        value: (_u, v) => pct(v),
      },
    ],
  };
  charts.push(new uPlot(opts, [xs, d.reference, d.current], el));
}

function drawHistory(el: HTMLElement, d: Json, width: number): void {
  const hist = d.history as Json[];
  if (hist.length === 0) {
    el.append(h('p', { class: 'muted' }, 'No closed windows kept for this stream yet.'));
    return;
  }
  const xs = hist.map((p) => p.windowEndMs / 1000);
  const opts: uPlot.Options = {
    width,
    height: 220,
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1e-6, (max ?? 0) * 1.15)] } },
    series: [
      {},
      {
        label: `${d.statistic} (finding)`,
        stroke: C.vermillion,
        width: 2,
        points: { show: true, size: 6 },
        spanGaps: false,
      },
      { label: 'threshold', stroke: C.grey, width: 1, dash: [5, 4], spanGaps: true },
    ],
  };
  charts.push(new uPlot(opts, [xs, hist.map((p) => p.value), hist.map((p) => p.threshold)], el));
  el.append(
    h('p', { class: 'note' }, `Windows without a point had no ${d.statistic} finding for ${d.feature}.`),
  );
}

// ---------------------------------------------------------------- pipelines

async function renderPipelines(app: HTMLElement): Promise<void> {
  const pipelines = await api<Json[]>('/api/v1/pipelines');
  app.replaceChildren(h('h1', {}, 'Pipelines & models'));
  if (pipelines.length === 0) {
    app.append(
      empty(
        status.running ? 'No pipelines yet' : 'No analysis is running',
        status.running
          ? 'Streams appear here once component runs with ml.* summaries arrive.'
          : 'Add an ml processor to a pipeline of this collector to see its streams here.',
        sendSpansHint(),
      ),
    );
    return;
  }
  for (const p of pipelines) {
    const sec = h('section', { class: 'pipeline', 'aria-label': `pipeline ${p.pipeline || p.service}` });
    sec.append(
      h(
        'h2',
        {},
        `${p.pipeline || '(no pipeline name)'} `,
        h('span', { class: 'muted' }, `service ${p.service}`),
        ' ',
        p.openIncidents
          ? badge(`${p.openIncidents} open incident${p.openIncidents > 1 ? 's' : ''}`, 'open')
          : badge('no open incident', 'ok'),
      ),
    );
    const table = h(
      'table',
      { class: 'streams' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[
            'Component / model',
            'Feature',
            'Drift (last windows)',
            'Missing',
            'Last seen',
            'Reference',
          ].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
    );
    const body = h('tbody');
    for (const s of p.streams as Json[]) {
      const feats = s.features as Json[];
      const rows = feats.length ? feats : [{ name: '—', missingRate: null, sparkline: [] }];
      rows.forEach((f, k) => {
        const tr = h('tr', { 'data-stream': s.id });
        if (k === 0)
          tr.append(
            h(
              'th',
              { scope: 'rowgroup', rowspan: String(rows.length) },
              s.key.component,
              s.key.model ? h('div', { class: 'muted' }, `model ${s.key.model}`) : null,
              h(
                'div',
                {},
                h(
                  'a',
                  { href: `/api/v1/streams/${encodeURIComponent(s.id)}/windows`, class: 'small' },
                  `${s.windows} windows (JSON)`,
                ),
              ),
            ),
          );
        tr.append(
          h('td', {}, f.name),
          h('td', {}, sparkline(f.sparkline as number[], f.name)),
          h('td', { class: 'n' }, pct(f.missingRate)),
        );
        if (k === 0)
          tr.append(
            h('td', { rowspan: String(rows.length) }, ago(s.lastSeenMs)),
            h(
              'td',
              { rowspan: String(rows.length) },
              s.warmingUp ? badge('warming up', 'warm') : badge('ready', 'ok'),
            ),
          );
        body.append(tr);
      });
    }
    table.append(body);
    sec.append(h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Streams' }, table));
    app.append(sec);
  }
}

/** A tiny drift sparkline: value/threshold of the window's findings (≥ 1 means flagged). */
function sparkline(values: number[], feature: string): Node {
  const w = 120;
  const hgt = 24;
  if (values.length === 0) return h('span', { class: 'muted' }, 'no closed windows');
  const max = Math.max(1.5, ...values);
  const x = (k: number) => (values.length === 1 ? w / 2 : (k / (values.length - 1)) * (w - 4) + 2);
  const y = (v: number) => hgt - 2 - (v / max) * (hgt - 4);
  const root = svg('svg', { width: w, height: hgt, viewBox: `0 0 ${w} ${hgt}`, role: 'img', class: 'spark' });
  const flagged = values.filter((v) => v >= 1).length;
  root.setAttribute('aria-label', `${feature}: ${flagged} of the last ${values.length} windows flagged`);
  root.append(svg('line', { x1: 0, x2: w, y1: y(1), y2: y(1), stroke: '#bbb', 'stroke-dasharray': '3 3' }));
  root.append(
    svg('polyline', {
      points: values.map((v, k) => `${x(k).toFixed(1)},${y(v).toFixed(1)}`).join(' '),
      fill: 'none',
      stroke: C.blue,
      'stroke-width': 1.5,
    }),
  );
  values.forEach((v, k) => {
    if (v >= 1) root.append(svg('circle', { cx: x(k), cy: y(v), r: 2.5, fill: C.vermillion }));
  });
  return root as unknown as Node;
}

// ---------------------------------------------------------------- routing and live updates

async function render(): Promise<void> {
  const seq = ++renderSeq;
  const app = document.getElementById('app') as HTMLElement;
  const [path, queryText] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(queryText ?? '');
  const view = document.createElement('div');
  pendingDraws.length = 0;
  try {
    status = await api<Status>('/api/v1/status');
    if ((path ?? '').startsWith('/incident/'))
      await renderIncident(view, decodeURIComponent((path as string).slice(10)));
    else if (path === '/pipelines') await renderPipelines(view);
    else await renderIncidents(view, params);
  } catch (err) {
    view.replaceChildren(
      empty(
        'Could not load this view',
        (err as Error).message,
        'The page retries when the collector reports a change.',
      ),
    );
  }
  if (seq !== renderSeq) return; // a newer render superseded this one
  const scroll = window.scrollY;
  const focusedId = document.activeElement?.id;
  for (const c of charts.splice(0)) c.destroy();
  app.replaceChildren(...view.childNodes);
  for (const draw of pendingDraws.splice(0)) draw();
  window.scrollTo(0, scroll);
  if (focusedId) document.getElementById(focusedId)?.focus();
  for (const a of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) {
    const current = a.dataset.nav === 'pipelines' ? path === '/pipelines' : path !== '/pipelines';
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.body.dataset.rendered = String(seq);
}

function setLive(text: string, ok: boolean): void {
  const el = document.getElementById('live') as HTMLElement;
  el.textContent = text;
  el.className = `live ${ok ? 'on' : 'off'}`;
}

function connect(): void {
  let pollTimer: number | undefined;
  const source = new EventSource('/api/v1/events');
  source.addEventListener('change', () => {
    setLive('live', true);
    void render();
  });
  source.onopen = () => {
    setLive('live', true);
    if (pollTimer !== undefined) clearInterval(pollTimer);
    pollTimer = undefined;
  };
  source.onerror = () => {
    // EventSource reconnects by itself; meanwhile poll so the page does not go stale.
    setLive('reconnecting…', false);
    pollTimer ??= window.setInterval(() => void render(), 5000);
  };
}

window.addEventListener('hashchange', () => {
  void render().then(() => (document.getElementById('main') as HTMLElement).focus());
});
void render();
connect();
