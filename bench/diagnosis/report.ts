/**
 * The diagnosis benchmark's tables: overall, per fault type and per shape, for mlobs and every
 * baseline on the same cases; the cost; the goal line; and the failure list that names what
 * mlobs ranked first in the cases it got wrong.
 */
import { FAULT_TYPES } from './faults.js';
import { MODES, SHAPES } from './generator.js';
import { type Summary, summarize } from './metrics.js';
import { BASELINES, type CaseOutcome, METHODS, type Method } from './outcome.js';

const f2 = (x: number) => x.toFixed(2);

/** Per-method summaries of some outcomes. */
export function summaries(outcomes: readonly CaseOutcome[]): Record<Method, Summary> {
  const out = {} as Record<Method, Summary>;
  for (const m of METHODS) out[m] = summarize(outcomes.map((o) => o.scores[m]));
  return out;
}

/** The goal: AC@1 ≥ 0.90, AC@3 ≥ 0.98 overall, and AC@1 ≥ 0.20 above the best baseline's. */
export interface GoalVerdict {
  /** mlobs overall. */
  mlobs: Summary;
  /** The baseline with the best AC@1. */
  best: { method: Method; ac1: number };
  /** Whether every part holds. */
  met: boolean;
  /** The line to print. */
  line: string;
}

/** Judges the goal on the overall summaries. */
export function goal(s: Record<Method, Summary>): GoalVerdict {
  let best: { method: Method; ac1: number } = { method: BASELINES[0] as Method, ac1: -1 };
  for (const m of BASELINES) if (s[m].ac1 > best.ac1) best = { method: m, ac1: s[m].ac1 };
  const mlobs = s.mlobs;
  const parts = [
    [`AC@1 ${f2(mlobs.ac1)} ≥ 0.90`, mlobs.ac1 >= 0.9],
    [`AC@3 ${f2(mlobs.ac3)} ≥ 0.98`, mlobs.ac3 >= 0.98],
    [
      `AC@1 − best baseline (${best.method} ${f2(best.ac1)}) = ${f2(mlobs.ac1 - best.ac1)} ≥ 0.20`,
      mlobs.ac1 - best.ac1 >= 0.2,
    ],
  ] as const;
  const met = parts.every(([, ok]) => ok);
  const line = `Goal: ${parts.map(([t, ok]) => `${t} (${ok ? 'met' : 'not met'})`).join('; ')} — ${met ? 'MET' : 'NOT MET'}`;
  return { mlobs, best, met, line };
}

/** A Markdown table padded as the repository's formatter writes it: first column left, others right. */
export function table(header: string[], rows: string[][]): string {
  const width = header.map((h, c) =>
    Math.max(3, [...h].length, ...rows.map((r) => [...(r[c] ?? '')].length)),
  );
  const pad = (cell: string, c: number) => {
    const fill = ' '.repeat(width[c]! - [...cell].length);
    return c === 0 ? cell + fill : fill + cell;
  };
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `| ${width.map((w, c) => (c === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...rows.map((r) => line(header.map((_, c) => r[c] ?? '')))].join('\n');
}

function overallTable(outcomes: readonly CaseOutcome[]): string {
  const s = summaries(outcomes);
  return table(
    ['method', 'cases', 'AC@1', 'AC@3', 'Avg@5', 'MRR'],
    METHODS.map((m) => [
      m === 'components-order' ? 'incident.components order (reference, not a baseline)' : m,
      String(s[m].n),
      f2(s[m].ac1),
      f2(s[m].ac3),
      f2(s[m].avg5),
      f2(s[m].mrr),
    ]),
  );
}

function groupTable(label: string, groups: [string, CaseOutcome[]][]): string {
  const header = [
    label,
    'cases',
    'incident',
    ...METHODS.filter((m) => m !== 'components-order').map((m) => `${m} AC@1 / AC@3`),
    'mlobs Avg@5',
    'mlobs MRR',
  ];
  const rows = groups
    .filter(([, os]) => os.length > 0)
    .map(([name, os]) => {
      const s = summaries(os);
      return [
        name,
        String(os.length),
        String(os.filter((o) => o.detected).length),
        ...METHODS.filter((m) => m !== 'components-order').map((m) => `${f2(s[m].ac1)} / ${f2(s[m].ac3)}`),
        f2(s.mlobs.avg5),
        f2(s.mlobs.mrr),
      ];
    });
  return table(header, rows);
}

/** Measured cost of the run. */
export interface CostFigures {
  /** Spans through the processor. */
  spans: number;
  /** Mean µs per span in `MlSpanProcessor` (onEnd and the shutdown flush). */
  processorUsPerSpan: number;
  /** Mean µs per span of the whole replay (data generation, SDK, processor). */
  totalUsPerSpan: number;
  /** Mean and largest encoded state per case, bytes. */
  stateBytesMean: number;
  /** Largest state. */
  stateBytesMax: number;
  /** Mean bytes per stream. */
  bytesPerStream: number;
  /** Component graph: mean JSON bytes per case, and bytes per node + edge. */
  topologyBytesMean: number;
  /** Graph bytes divided by nodes + edges, over all cases. */
  topologyBytesPerElement: number;
  /** Mean nodes and edges per case. */
  nodesMean: number;
  /** Mean edges per case. */
  edgesMean: number;
}

/** Cost figures over outcomes. */
export function cost(outcomes: readonly CaseOutcome[]): CostFigures {
  const spans = outcomes.reduce((a, o) => a + o.spans, 0);
  const proc = outcomes.reduce((a, o) => a + o.processorUs, 0);
  const total = outcomes.reduce((a, o) => a + o.totalUs, 0);
  const bytes = outcomes.reduce((a, o) => a + o.stateBytes, 0);
  const streams = outcomes.reduce((a, o) => a + o.streams, 0);
  const topoBytes = outcomes.reduce((a, o) => a + o.topology.bytes, 0);
  const nodes = outcomes.reduce((a, o) => a + o.topology.nodes, 0);
  const edges = outcomes.reduce((a, o) => a + o.topology.edges, 0);
  const n = Math.max(1, outcomes.length);
  return {
    spans,
    processorUsPerSpan: spans > 0 ? proc / spans : 0,
    totalUsPerSpan: spans > 0 ? total / spans : 0,
    stateBytesMean: outcomes.length > 0 ? bytes / outcomes.length : 0,
    stateBytesMax: outcomes.reduce((a, o) => Math.max(a, o.stateBytes), 0),
    bytesPerStream: streams > 0 ? bytes / streams : 0,
    topologyBytesMean: topoBytes / n,
    topologyBytesPerElement: nodes + edges > 0 ? topoBytes / (nodes + edges) : 0,
    nodesMean: nodes / n,
    edgesMean: edges / n,
  };
}

/** Everything the report prints, as Markdown. */
export function renderReport(
  outcomes: readonly CaseOutcome[],
  meta: {
    command: string;
    date: string;
    seed: number;
    wallS: number;
    cpuS: number;
    load: string;
    jobs: number;
    determinism?: string;
    /** The same cases replayed alone in the main thread: CPU per span is clean there. */
    replay?: readonly CaseOutcome[];
  },
): string {
  const s = summaries(outcomes);
  const g = goal(s);
  const c = cost(outcomes);
  const hasCauses = outcomes.some((o) => o.top !== undefined);
  const missed = outcomes.filter((o) => !o.detected).length;
  const byFault: [string, CaseOutcome[]][] = FAULT_TYPES.map((f) => [
    f,
    outcomes.filter((o) => o.spec.fault === f),
  ]);
  const byShape: [string, CaseOutcome[]][] = [];
  for (const sh of SHAPES)
    for (const m of MODES)
      byShape.push([`${sh} / ${m}`, outcomes.filter((o) => o.spec.shape === sh && o.spec.mode === m)]);
  const parts = [
    '# Diagnosis benchmark results',
    '',
    `Command: \`${meta.command}\` · seed ${meta.seed} · ${outcomes.length} cases · ${meta.date} · ${meta.wallS.toFixed(0)} s wall, ${meta.cpuS.toFixed(0)} s CPU on ${meta.jobs} worker threads, load average ${meta.load}`,
    '',
    g.line,
    '',
    ...(hasCauses
      ? []
      : [
          '> No incident carried `causes` (diagnosis not on this build): the mlobs column is empty (all misses).\n',
        ]),
    `Cases without an incident opened at or after the fault: ${missed} of ${outcomes.length} (they count as misses for every method). Incidents opened before the fault (false alarms, ignored): ${outcomes.reduce((a, o) => a + o.falseAlarms, 0)}.`,
    '',
    '## Overall',
    '',
    overallTable(outcomes),
    '',
    '## Per fault type',
    '',
    groupTable('fault', byFault),
    '',
    '## Per shape',
    '',
    groupTable('shape / cadence', byShape),
    '',
    '## Cost',
    '',
    table(
      [
        'spans',
        'µs/span in MlSpanProcessor',
        'µs/span whole replay',
        'state bytes/case (mean)',
        'state bytes/case (max)',
        'state bytes/stream',
        'graph bytes/case',
        'graph nodes / edges per case',
        'graph bytes per node or edge',
      ],
      [
        [
          String(c.spans),
          c.processorUsPerSpan.toFixed(0),
          c.totalUsPerSpan.toFixed(0),
          c.stateBytesMean.toFixed(0),
          String(c.stateBytesMax),
          c.bytesPerStream.toFixed(0),
          c.topologyBytesMean.toFixed(0),
          `${c.nodesMean.toFixed(1)} / ${c.edgesMean.toFixed(1)}`,
          c.topologyBytesPerElement.toFixed(0),
        ],
      ],
    ),
    '',
    ...(meta.replay && meta.replay.length > 0
      ? [
          `CPU time in \`MlSpanProcessor\` measured on the first ${meta.replay.length} cases replayed alone in one thread (no other thread of this process running): ${(
            meta.replay.reduce((a, o) => a + o.processorCpuUs, 0) /
              Math.max(
                1,
                meta.replay.reduce((a, o) => a + o.spans, 0),
              )
          ).toFixed(0)} µs CPU per span (${(
            meta.replay.reduce((a, o) => a + o.processorUs, 0) /
              Math.max(
                1,
                meta.replay.reduce((a, o) => a + o.spans, 0),
              )
          ).toFixed(0)} µs wall).`,
          '',
        ]
      : []),
    'µs per span is the time inside `MlSpanProcessor.onEnd` (which closes and judges windows and runs diagnosis on incident changes) plus its shutdown flush; no switch turns diagnosis off, so this is the total. State bytes: `Analyzer.snapshot(true)` encoded with `src/analysis/store/stateCodec.ts` at the end of a case; graph bytes: its component-graph part (JSON), divided by the number of nodes plus edges.',
    ...(meta.determinism ? ['', `Determinism: ${meta.determinism}`] : []),
    '',
  ];
  return parts.join('\n');
}

/** The cases mlobs got wrong (truth not first), worst first, with what it blamed instead. */
export function renderFailures(outcomes: readonly CaseOutcome[], seed: number): string {
  const wrong = outcomes
    .filter((o) => o.scores.mlobs.ac[0] < 1)
    .sort((a, b) => a.scores.mlobs.rr - b.scores.mlobs.rr);
  const lines = [
    '# Diagnosis benchmark: cases mlobs got wrong',
    '',
    `Seed ${seed}. Replay one with \`npm run bench:diagnosis -- --seed ${seed} --only <case-id>\`.`,
    '',
    table(
      [
        'case',
        'truth',
        'incident',
        'truth rank (kind, score)',
        'mlobs first (kind, score, explains)',
        'explanation',
        'path',
        'features',
        'anomalous components (detectors)',
      ],
      wrong.map((o) => [
        o.spec.id,
        o.truth,
        o.detected ? 'yes' : 'no',
        o.truthCause ? `${o.truthRank} (${o.truthCause.kind}, ${o.truthCause.score.toFixed(2)})` : '-',
        o.top
          ? `${o.top.component} (${o.top.kind}, ${o.top.score.toFixed(2)}, ${o.top.explains.toFixed(2)})`
          : '-',
        (o.top?.explanation ?? '').replace(/\|/g, '/'),
        o.top?.path.join(' → ') ?? '',
        o.top?.features.slice(0, 4).join(', ') ?? '',
        o.anomalous
          .map((a) => `${a.component}${a.component === o.truth ? '*' : ''} (${a.detectors.join(',')})`)
          .join('; '),
      ]),
    ),
    '',
    '`*` marks the ground truth among the anomalous components.',
    '',
  ];
  return lines.join('\n');
}
