/**
 * Trace fixtures drawn as indented trees, one run per line:
 *
 *   trace t1 @0            (a trace id and its start, minutes)
 *     pipeline             (a root run)
 *       load  out=table:a  (a child run; siblings run one after the other)
 *       score in=table:a link=t0/etl
 *
 * A line is `name [in=ref,...] [out=ref,...] [link=trace/span,...] [error] [v=version]`;
 * children run inside their parent, siblings one after another, each for one second. A run's
 * span id is its name (unique within a trace), so links name `trace/name`.
 */
import type { RunRecord } from '../../../src/analysis/topology/TopologyLearner.js';

const SEC = 1000;
const MIN = 60_000;

/** The runs a drawing describes, children before parents (the order spans end in). */
export function runsOf(drawing: string, service = 'svc', pipeline = 'p'): RunRecord[] {
  const out: RunRecord[] = [];
  let traceId = '';
  let clock = 0;
  // Stack of open runs: indentation, record, and the time its next child starts.
  const stack: { indent: number; run: RunRecord; next: number }[] = [];
  const close = (indent: number): void => {
    while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) {
      const top = stack.pop()!;
      top.run.endMs = Math.max(top.run.endMs, top.next);
      out.push(top.run);
      const parent = stack[stack.length - 1];
      if (parent !== undefined) parent.next = top.run.endMs;
      else clock = top.run.endMs;
    }
  };
  for (const raw of drawing.split('\n')) {
    if (raw.trim() === '') continue;
    const indent = raw.length - raw.trimStart().length;
    const words = raw.trim().split(/\s+/);
    if (words[0] === 'trace') {
      close(-1);
      traceId = words[1]!;
      const at = words.find((w) => w.startsWith('@'));
      if (at !== undefined) clock = Number(at.slice(1)) * MIN;
      continue;
    }
    close(indent);
    const parent = stack[stack.length - 1];
    const start = parent !== undefined ? parent.next : clock;
    const opt = (k: string): string[] =>
      words
        .filter((w) => w.startsWith(`${k}=`))
        .flatMap((w) => w.slice(k.length + 1).split(','))
        .filter((x) => x !== '');
    const run: RunRecord = {
      key: { service, pipeline, component: words[0]! },
      kind: '',
      model: '',
      modelVersion: opt('v')[0],
      traceId,
      spanId: words[0]!,
      parentSpanId: parent?.run.spanId ?? '',
      startMs: start,
      endMs: start + SEC,
      error: words.includes('error'),
      features: opt('f'),
      inputs: opt('in'),
      outputs: opt('out'),
      links: opt('link').map((l) => {
        const [t, s] = l.split('/');
        return { traceId: t!, spanId: s! };
      }),
    };
    stack.push({ indent, run, next: start });
  }
  close(-1);
  return out;
}

/** Edges of a graph as `from -kind-> to` lines (component names), sorted. */
export function edgeLines(edges: Iterable<{ from: string; to: string; kind: string }>): string[] {
  const name = (id: string): string => (JSON.parse(id) as string[])[2]!;
  return [...edges].map((e) => `${name(e.from)} -${e.kind}-> ${name(e.to)}`).sort();
}
