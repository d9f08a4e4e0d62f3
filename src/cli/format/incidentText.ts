/**
 * Incidents as text for a terminal: one line each for `mlobs incidents`, and the ranked causes
 * with their evidence for `mlobs diagnose`.
 */
import type { Cause, Incident } from '../../model/finding.js';

/** `2026-11-26 14:02 UTC`. */
export function utc(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function rootCause(i: Incident): string {
  const c = i.causes[0];
  return c === undefined ? '(no diagnosis yet)' : `${c.component} (${c.kind}, ${c.score.toFixed(2)})`;
}

/** A table of incidents, one per line, with a header. */
export function incidentTable(incidents: readonly Incident[]): string {
  const rows = incidents.map((i) => [
    i.id,
    i.status,
    i.severity,
    utc(i.openedAtMs),
    i.pipeline !== '' ? i.pipeline : i.service,
    rootCause(i),
    String(i.findingCount),
  ]);
  const header = ['ID', 'STATUS', 'SEVERITY', 'OPENED', 'PIPELINE', 'ROOT CAUSE', 'FINDINGS'];
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

/** The full diagnosis of one incident. */
export function diagnosisText(i: Incident): string {
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
  return out.join('\n');
}
