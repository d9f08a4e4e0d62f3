/**
 * One sentence a person can act on for a ranked cause: which component, what changed there and
 * when, and what moved downstream of it, e.g. "featurize started emitting different data at
 * 14:02 UTC (income: null rate 0.30 vs 0.01); predict moved downstream of it".
 */

import type { ComponentGraph } from '../topology/ComponentGraph.js';
import type { Candidate } from './diagnose.js';
import type { Symptom } from './symptoms.js';

/** `HH:MM UTC` of a time (the incident's own date is shown beside the explanation). */
export function clock(ms: number): string {
  if (!Number.isFinite(ms)) return 'an unknown time';
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

/** A duration in the largest unit that reads well. */
export function span(ms: number): string {
  const m = ms / 60_000;
  if (m < 1) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (m < 120) return `${Math.round(m)} min`;
  const h = m / 60;
  if (h < 48) return `${h.toFixed(1)} hours`;
  return `${(h / 24).toFixed(1)} days`;
}

function downstreamText(downstream: readonly Symptom[]): string {
  if (downstream.length === 0) return '';
  const names = [...new Set(downstream.map((s) => s.key.component))].sort();
  const list =
    names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  return `; ${list} moved downstream of it`;
}

function firstMessage(c: Candidate): string {
  const f = c.symptom?.findings[0];
  if (f === undefined) return '';
  return f.feature !== '' && !f.message.startsWith(f.feature) ? `${f.feature}: ${f.message}` : f.message;
}

/** The sentence for one cause. */
export function explain(c: Candidate, downstream: readonly Symptom[], graph: ComponentGraph): string {
  const who = c.key.component;
  const at = clock(c.onsetMs);
  const detail = firstMessage(c);
  const withDetail = detail !== '' ? ` (${detail})` : '';
  const rest = downstreamText(downstream);
  switch (c.kind) {
    case 'schedule':
      return `${who} did not run since ${clock(graph.node(c.node)?.lastRunMs ?? Number.NaN)}${
        typeof c.note.intervalMs === 'number' ? ` (it usually runs every ${span(c.note.intervalMs)})` : ''
      }, so ${c.note.ref ?? 'its output'} went stale for ${c.note.reader ?? 'its readers'}${rest}`;
    case 'staleness':
      if (c.symptom === undefined)
        return `${c.note.ref ?? 'the output'} of ${who} was last rewritten at ${clock(
          Number(c.note.lastWriteMs),
        )} and went stale for ${c.note.reader ?? 'its readers'}${rest}`;
      return `${who} works on stale data since ${at}${withDetail}${rest}`;
    case 'model':
      return `${who} switched model version ${c.note.from ?? '?'} → ${c.note.to ?? '?'} at ${clock(
        Number(c.note.atMs),
      )} and its outputs moved${withDetail}${rest}`;
    case 'errors': {
      const failed = typeof c.note.failures === 'number' ? ` (${c.note.failures} failed runs since)` : '';
      return `${who} started failing at ${at}${withDetail || failed}${rest}`;
    }
    case 'latency':
      return `${who} became slower at ${at}${withDetail}${rest}`;
    case 'volume':
      return `${who} changed how much it processes at ${at}${withDetail}${rest}`;
    case 'labels':
      if (c.symptom === undefined)
        return `the labels recorded by ${who} changed at ${at} while the inputs of ${
          c.note.predictor ?? 'the model'
        } did not${rest}`;
      return `${who} lost accuracy at ${at} while its inputs did not move${withDetail}${rest}`;
    default:
      return `${who} started emitting different data at ${at}${withDetail}${rest}`;
  }
}
