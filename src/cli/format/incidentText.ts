/**
 * Incidents as text for a terminal: one line each for `mlobs incidents`, and the ranked causes
 * with their evidence and the reactions taken for `mlobs diagnose`.
 */
import { reactionBody } from '../../analysis/reactions/reactionRecords.js';
import type { Cause, Incident } from '../../model/finding.js';
import type { Reaction } from '../../model/reaction.js';

/** `2026-11-26 14:02 UTC`. */
export function utc(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function rootCause(i: Incident): string {
  const c = i.causes[0];
  return c === undefined ? '(no diagnosis yet)' : `${c.component} (${c.kind}, ${c.score.toFixed(2)})`;
}

/**
 * What the reactions of one incident came to, one phrase per reaction (its steps share an
 * id): `fallback shop/score to churn-rules-v1 succeeded, ended`; `-` when none.
 */
export function reactionsTaken(steps: readonly Reaction[]): string {
  const byId = new Map<string, Reaction[]>();
  for (const r of steps) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  const phrases = [...byId.values()].map((rs) => {
    const first = rs[0]!;
    const done = rs.filter((r) => !r.undo);
    const status = (done[done.length - 1] ?? first).status;
    const ended = rs.some((r) => r.undo);
    const to = first.to === undefined ? '' : ` to ${first.to}`;
    return `${first.action} ${first.target}${to} ${first.dryRun ? 'dry run' : status}${ended ? ', ended' : ''}`;
  });
  return phrases.length === 0 ? '-' : phrases.join('; ');
}

/** A table of incidents, one per line, with a header; `reactions` holds each incident's records. */
export function incidentTable(
  incidents: readonly Incident[],
  reactions: (incidentId: string) => readonly Reaction[] = () => [],
): string {
  const rows = incidents.map((i) => [
    i.id,
    i.status,
    i.severity,
    utc(i.openedAtMs),
    i.pipeline !== '' ? i.pipeline : i.service,
    rootCause(i),
    String(i.findingCount),
    reactionsTaken(reactions(i.id)),
  ]);
  const header = ['ID', 'STATUS', 'SEVERITY', 'OPENED', 'PIPELINE', 'ROOT CAUSE', 'FINDINGS', 'REACTIONS'];
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
  const line = (r: string[]) =>
    r
      .map((x, k) => (k === r.length - 1 ? x : x.padEnd(widths[k]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function causeLines(c: Cause, rank: number): string[] {
  const e = c.evidence;
  const out = [
    `${rank}. ${c.component} — ${c.kind}, score ${c.score.toFixed(2)}, explains ${Math.round(e.explains * 100)}% of the incident`,
    `   ${c.explanation}`,
    `   since ${utc(e.onsetMs)}; path: ${e.path.join(' → ')}`,
  ];
  if (c.service !== '' || c.pipeline !== '')
    out.push(`   service ${c.service || '-'}, pipeline ${c.pipeline || '-'}`);
  if (e.features.length > 0) out.push(`   features moved: ${e.features.join(', ')}`);
  if (e.findingIds.length > 0) out.push(`   findings: ${e.findingIds.join(', ')}`);
  if (e.exemplarTraceIds.length > 0) out.push(`   traces with its runs: ${e.exemplarTraceIds.join(', ')}`);
  return out;
}

/** The full diagnosis of one incident, with the records of the reactions taken for it. */
export function diagnosisText(i: Incident, reactions: readonly Reaction[] = []): string {
  const out = [
    `incident ${i.id}: ${i.status}, ${i.severity}, ${i.pipeline !== '' ? `pipeline ${i.pipeline}` : `service ${i.service}`}`,
    `  ${i.title}`,
    `  opened ${utc(i.openedAtMs)}${i.resolvedAtMs !== undefined ? `, resolved ${utc(i.resolvedAtMs)}` : ''}, ${i.findingCount} findings`,
    '',
  ];
  if (i.causes.length === 0)
    out.push('no causes ranked yet (the diagnosis runs when findings join the incident)');
  else {
    out.push('causes, most likely first:');
    i.causes.forEach((c, k) => {
      out.push(...causeLines(c, k + 1));
    });
  }
  out.push('', 'findings (newest last):');
  for (const f of i.findings)
    out.push(
      `  ${utc(f.windowStartMs)}  ${f.stream.component}  ${f.detector}${f.feature !== '' ? ` ${f.feature}` : ''}: ${f.message}`,
    );
  out.push('', 'reactions (oldest first):');
  if (reactions.length === 0) out.push('  none recorded (no reaction policy matched this incident)');
  for (const r of reactions) out.push(`  ${utc(r.atMs)}  ${reactionBody(r)}`);
  return out.join('\n');
}
