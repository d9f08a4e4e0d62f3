/**
 * `recordFeatures(data, options)`: summarises a batch of features and attaches the summaries to
 * a span as `ml.features` events (one per summary kind); inside a `component()` run, batches
 * merge and are attached when the run ends. Never throws: bad input is counted and reported
 * with `diag.warn`, and the span gets nothing from a batch that failed. Features marked `hash`
 * or `drop` (see `privacy.ts`) are summarised from keyed hashes of their values, and a dropped
 * feature's summary lists no values at all.
 */
import { EVENT_ML_FEATURES } from '../semconv/index.js';
import { summarize } from '../summaries/index.js';
import { sdkDrops } from './DropCounter.js';
import {
  anyFeaturePrivacy,
  type FeaturePrivacy,
  featurePrivacy,
  hashValues,
  type PrivacyOptions,
} from './privacy.js';
import { SummaryBuffer } from './SummaryBuffer.js';
import { targetSpan } from './targetSpan.js';
import type { FeatureOptions } from './types.js';

type SummarizeInput = Parameters<typeof summarize>[0];
type Columns = Record<string, ArrayLike<unknown>>;

/** Feature names of this input that are hashed or dropped, with their treatment. */
function privateFeatures(
  data: unknown,
  privacy: PrivacyOptions | undefined,
): Map<string, FeaturePrivacy> | undefined {
  const names = new Set<string>();
  if (Array.isArray(data)) {
    for (const row of data)
      if (row && typeof row === 'object') for (const k of Object.keys(row)) names.add(k);
  } else if (data && typeof data === 'object') {
    const t = data as { columns?: unknown; shape?: unknown };
    if (Array.isArray(t.columns) && Array.isArray(t.shape)) for (const c of t.columns) names.add(String(c));
    else for (const k of Object.keys(data)) names.add(k);
  }
  const out = new Map<string, FeaturePrivacy>();
  for (const n of names) {
    const mode = featurePrivacy(n, privacy);
    if (mode !== 'raw') out.set(n, mode);
  }
  return out.size > 0 ? out : undefined;
}

/** A copy of the input (as columns) whose private features hold keyed hashes instead of values. */
function hashPrivateColumns(
  data: SummarizeInput,
  modes: Map<string, FeaturePrivacy>,
  privacy: PrivacyOptions | undefined,
): SummarizeInput {
  if (Array.isArray(data)) {
    const cols = new Map<string, unknown[]>();
    for (const name of modes.keys())
      cols.set(
        name,
        data.map((row) => (row as Record<string, unknown>)?.[name]),
      );
    const hashed = new Map([...cols].map(([n, v]) => [n, hashValues(v, privacy)]));
    return data.map((row, i) => {
      if (!row || typeof row !== 'object') return row;
      const copy = { ...(row as Record<string, unknown>) };
      for (const [n, v] of hashed) if (n in copy) copy[n] = v[i];
      return copy;
    }) as SummarizeInput;
  }
  const t = data as { columns?: unknown; shape?: unknown; data?: ArrayLike<number> };
  let columns: Columns;
  if (Array.isArray(t.columns) && Array.isArray(t.shape) && t.data !== undefined) {
    // A tensor: split it into columns so the private ones can be replaced.
    const [rows, width] = t.shape as [number, number];
    columns = {};
    t.columns.forEach((name, c) => {
      const col = new Array<number>(rows);
      for (let r = 0; r < rows; r++) col[r] = (t.data as ArrayLike<number>)[r * width + c];
      columns[String(name)] = col;
    });
  } else columns = { ...(data as Columns) };
  for (const name of modes.keys()) if (name in columns) columns[name] = hashValues(columns[name], privacy);
  return columns as SummarizeInput;
}

/**
 * Summarises `data` — columns (`Record<string, ArrayLike>`), rows (`Record<string, unknown>[]`)
 * or a 2-D tensor `{ data, shape, columns }` — onto the active span or `options.span`.
 */
export function recordFeatures(data: unknown, options: FeatureOptions = {}): void {
  try {
    const span = targetSpan(options.span, 'recordFeatures');
    if (!span) return;
    const { span: _span, batchId, privacy, ...summarizeOptions } = options;
    let input = data as SummarizeInput;
    const modes = anyFeaturePrivacy(privacy) ? privateFeatures(data, privacy) : undefined;
    if (modes) {
      input = hashPrivateColumns(data as SummarizeInput, modes, privacy);
      // Hashed values are categorical whatever the column held.
      const schema = { ...summarizeOptions.schema };
      for (const name of modes.keys()) schema[name] = 'categorical';
      summarizeOptions.schema = schema;
    }
    const batch = summarize(input, summarizeOptions);
    for (const [name, mode] of modes ?? []) {
      const s = batch.features.get(name);
      if (mode === 'drop' && s?.kind === 'categorical') batch.features.set(name, s.withoutValues());
    }
    SummaryBuffer.record(span, { eventName: EVENT_ML_FEATURES, batch, common: {} }, batchId);
  } catch (err) {
    sdkDrops.drop('recordFeatures input rejected', err instanceof Error ? err.message : String(err));
  }
}
