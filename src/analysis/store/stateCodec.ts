/**
 * The durable form of {@link AnalyzerState}: JSON documents (one global, one per stream)
 * with summaries in the summaries library's versioned binary form as base64, and
 * non-finite numbers (the watermark starts at -Infinity, unknown scores are NaN) spelled
 * `{"$n":"NaN"}` so nothing is silently turned into null. Closed reference windows never
 * change, so their encoded form is cached per object: re-saving a stream costs the open
 * panes only.
 */
import { ErrorCodes, MlobsError } from '../../errors.js';
import type { StreamKey } from '../../model/finding.js';
import {
  deserializeFeatureBase64,
  type FeatureSummary,
  type NumericSummary,
  serializeFeatureBase64,
} from '../../summaries/index.js';
import type { AnalyzerState, AnalyzerStreamState } from '../Analyzer.js';
import type { RunWindow, WindowData } from '../detectors/detector.js';
import { Pane } from '../windows/Pane.js';
import type { StoredState } from './AnalysisStore.js';

/** Version of the documents written here; a different version is refused, not guessed at. */
export const STATE_FORMAT_VERSION = 1;

interface EncodedWindow {
  stream: StreamKey;
  startMs: number;
  endMs: number;
  runs: number;
  errorRuns: number;
  durationMs: string | null;
  rows: number;
  features: [string, string][];
  predictions: [string, string][];
  outcomes: WindowData['outcomes'] | null;
  modelTrainedAtMs: number | null;
  inputLastWrittenMs: [string, number][];
  exemplarTraceIds: string[];
  /** Absent in documents written before run ids were kept, and when no run carried one. */
  runIds?: string[];
  /** Absent in documents written before writer periods were learned. */
  inputWritePeriodMs?: [string, number][];
}

interface EncodedPane {
  data: EncodedWindow;
  exemplarSpans: [string, string][];
  kindConflicts: number;
  droppedOutcomes: number;
}

interface EncodedRunWindow {
  startMs: number;
  endMs: number;
  runs: number;
  errorRuns: number;
  durationMs: string | null;
}

interface EncodedStream {
  v: number;
  id: string;
  key: StreamKey;
  panes: EncodedPane[];
  names: string[];
  firstPaneStart: number;
  lastClosedStart: number;
  referencePool: EncodedWindow[];
  /** Absent in documents written before few-run detection; read as none. */
  recentRuns?: EncodedRunWindow[];
}

const closedCache = new WeakMap<WindowData, EncodedWindow>();

function replacer(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? { $n: String(v) } : v;
}

function reviver(_key: string, v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.$n === 'string' && Object.keys(o).length === 1) return Number(o.$n);
  }
  return v;
}

function encodeSummaries(m: ReadonlyMap<string, FeatureSummary>): [string, string][] {
  return [...m].map(([k, s]) => [k, serializeFeatureBase64(s)]);
}

function decodeSummaries(list: [string, string][]): Map<string, FeatureSummary> {
  return new Map(list.map(([k, b64]) => [k, deserializeFeatureBase64(b64)]));
}

function encodeWindow(w: WindowData): EncodedWindow {
  return {
    stream: w.stream,
    startMs: w.startMs,
    endMs: w.endMs,
    runs: w.runs,
    errorRuns: w.errorRuns,
    durationMs: w.durationMs ? serializeFeatureBase64(w.durationMs) : null,
    rows: w.rows,
    features: encodeSummaries(w.features),
    predictions: encodeSummaries(w.predictions),
    outcomes: w.outcomes ?? null,
    modelTrainedAtMs: w.modelTrainedAtMs ?? null,
    inputLastWrittenMs: [...w.inputLastWrittenMs],
    exemplarTraceIds: [...w.exemplarTraceIds],
    ...(w.runIds ? { runIds: [...w.runIds] } : {}),
    ...(w.inputWritePeriodMs ? { inputWritePeriodMs: [...w.inputWritePeriodMs] } : {}),
  };
}

function encodeClosed(w: WindowData): EncodedWindow {
  let e = closedCache.get(w);
  if (e === undefined) {
    e = encodeWindow(w);
    closedCache.set(w, e);
  }
  return e;
}

function decodeWindow(e: EncodedWindow): WindowData {
  return {
    stream: e.stream,
    startMs: e.startMs,
    endMs: e.endMs,
    runs: e.runs,
    errorRuns: e.errorRuns,
    durationMs:
      e.durationMs === null ? undefined : (deserializeFeatureBase64(e.durationMs) as NumericSummary),
    rows: e.rows,
    features: decodeSummaries(e.features),
    predictions: decodeSummaries(e.predictions),
    outcomes: e.outcomes ?? undefined,
    modelTrainedAtMs: e.modelTrainedAtMs ?? undefined,
    inputLastWrittenMs: new Map(e.inputLastWrittenMs),
    exemplarTraceIds: e.exemplarTraceIds,
    ...(e.runIds ? { runIds: e.runIds } : {}),
    ...(e.inputWritePeriodMs ? { inputWritePeriodMs: new Map(e.inputWritePeriodMs) } : {}),
  };
}

function decodeClosed(e: EncodedWindow): WindowData {
  const w = decodeWindow(e);
  closedCache.set(w, e);
  return w;
}

const runWindowCache = new WeakMap<RunWindow, EncodedRunWindow>();

/** A closed window's runs never change: encoded once, reused by every later save. */
function encodeRunWindow(r: RunWindow): EncodedRunWindow {
  let e = runWindowCache.get(r);
  if (e === undefined) {
    e = { ...r, durationMs: r.durationMs ? serializeFeatureBase64(r.durationMs) : null };
    runWindowCache.set(r, e);
  }
  return e;
}

/** Encodes one stream's state; seals its panes (folds buffered durations into their summary). */
export function encodeStream(s: AnalyzerStreamState): string {
  const doc: EncodedStream = {
    v: STATE_FORMAT_VERSION,
    id: s.id,
    key: s.key,
    panes: s.windows.panes.map((p) => ({
      data: encodeWindow(p.seal()),
      exemplarSpans: [...p.exemplarSpans],
      kindConflicts: p.kindConflicts,
      droppedOutcomes: p.droppedOutcomes,
    })),
    names: s.windows.names,
    firstPaneStart: s.windows.firstPaneStart,
    lastClosedStart: s.windows.lastClosedStart,
    referencePool: s.referencePool.map(encodeClosed),
    recentRuns: (s.windows.recentRuns ?? []).map(encodeRunWindow),
  };
  return JSON.stringify(doc, replacer);
}

/** Encodes everything but the streams. */
export function encodeGlobal(s: AnalyzerState): string {
  const { streams: _streams, ...rest } = s;
  return JSON.stringify({ v: STATE_FORMAT_VERSION, ...rest }, replacer);
}

function bad(what: string, why: string): never {
  throw new MlobsError(ErrorCodes.MLOBS_ERR_STORE, `stored analysis state: ${what}: ${why}`);
}

function parse(text: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text, reviver);
  } catch (err) {
    bad(what, `is not JSON (${(err as Error).message})`);
  }
  if (v === null || typeof v !== 'object') bad(what, 'is not a JSON object');
  const o = v as Record<string, unknown>;
  if (o.v !== STATE_FORMAT_VERSION)
    bad(what, `has format version ${JSON.stringify(o.v)}, this mlobs reads ${STATE_FORMAT_VERSION}`);
  return o;
}

function decodeStream(text: string, id: string): AnalyzerStreamState {
  const e = parse(text, `stream ${id}`) as unknown as EncodedStream;
  try {
    const panes = e.panes.map((p) => {
      const pane = new Pane(e.key, p.data.startMs, p.data.endMs);
      Object.assign(pane.data, decodeWindow(p.data));
      for (const [t, s] of p.exemplarSpans) pane.exemplarSpans.set(t, s);
      pane.kindConflicts = p.kindConflicts;
      pane.droppedOutcomes = p.droppedOutcomes;
      return pane;
    });
    return {
      id: e.id,
      key: e.key,
      windows: {
        panes,
        names: e.names,
        firstPaneStart: e.firstPaneStart,
        lastClosedStart: e.lastClosedStart,
        recentRuns: (e.recentRuns ?? []).map((r) => {
          const run: RunWindow = {
            ...r,
            durationMs:
              r.durationMs === null ? undefined : (deserializeFeatureBase64(r.durationMs) as NumericSummary),
          };
          runWindowCache.set(run, r);
          return run;
        }),
      },
      referencePool: e.referencePool.map(decodeClosed),
    };
  } catch (err) {
    if (err instanceof MlobsError) throw err;
    bad(`stream ${id}`, `cannot be decoded (${(err as Error).message})`);
  }
}

/** Decodes what a store holds; undefined for a store that never saved anything. */
export function decodeState(stored: StoredState): AnalyzerState | undefined {
  if (stored.global === undefined) return undefined;
  const g = parse(stored.global, 'global state') as unknown as Omit<AnalyzerState, 'streams'>;
  const streams = [...stored.streams].map(([id, text]) => decodeStream(text, id));
  return {
    watermark: g.watermark,
    checkedStep: g.checkedStep,
    lastWritten: g.lastWritten,
    writeGaps: g.writeGaps ?? [],
    incidents: g.incidents,
    stats: g.stats,
    streams,
    ...(g.topology !== undefined ? { topology: g.topology } : {}),
  };
}
