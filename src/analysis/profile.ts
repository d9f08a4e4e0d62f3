/**
 * The reference profile: summaries of training (or any trusted) data that `mlobs profile`
 * writes and the analysis compares live windows with. It is JSON so people can read the
 * schema part and diff it; summaries are the summaries library's versioned, length-checked
 * binary form in base64. `segments` (optional) are summaries of consecutive chunks of the
 * same data, so thresholds can be calibrated on the profile as on warm-up windows.
 *
 * Format (version 1):
 * ```json
 * { "format": "mlobs.profile", "version": 1, "createdAt": "2026-01-01T00:00:00.000Z",
 *   "source": "train.csv", "rows": 1000,
 *   "stream": { "pipeline": "churn", "component": "score" },        // optional; omitted keys match all
 *   "features": { "age": "<base64 summary>" }, "predictions": { "score": "<base64>" },
 *   "schema": { "age": { "kind": "numeric", "nullable": false, "min": 18, "max": 99 } },
 *   "segments": [ { "rows": 100, "features": { ... }, "predictions": { ... } } ] }
 * ```
 */
import { ErrorCodes, MlobsError } from '../errors.js';
import type { StreamKey } from '../model/finding.js';
import { deserializeFeatureBase64, type FeatureSummary, serializeFeatureBase64 } from '../summaries/index.js';
import type { FeatureSchema } from './detectors/detector.js';

/** The `format` marker every profile carries. */
export const PROFILE_FORMAT = 'mlobs.profile';
/** The profile format version this code reads and writes. */
export const PROFILE_VERSION = 1;

/** Summaries of one chunk of the profiled data. */
export interface ProfileSegment {
  /** Rows in the chunk. */
  rows: number;
  /** Feature summaries of the chunk. */
  features: Map<string, FeatureSummary>;
  /** Prediction-output summaries of the chunk. */
  predictions: Map<string, FeatureSummary>;
}

/** A parsed reference profile. */
export interface Profile {
  /** Format version. */
  version: typeof PROFILE_VERSION;
  /** When it was written, RFC 3339. */
  createdAt: string;
  /** What was profiled (file name, table), for people. */
  source: string;
  /** Rows profiled. */
  rows: number;
  /** Which streams it applies to; absent fields match any stream. */
  stream: Partial<StreamKey>;
  /** Feature summaries of all the data. */
  features: Map<string, FeatureSummary>;
  /** Prediction-output summaries of all the data. */
  predictions: Map<string, FeatureSummary>;
  /** Schema per feature (may be partial; the rest is learned from the summaries). */
  schema: Map<string, FeatureSchema>;
  /** Per-chunk summaries for calibration (may be empty). */
  segments: ProfileSegment[];
}

/** Whether a profile applies to a stream. */
export function profileMatches(p: Profile, k: StreamKey): boolean {
  return (Object.keys(p.stream) as (keyof StreamKey)[]).every((f) => p.stream[f] === k[f]);
}

function summariesToJson(m: ReadonlyMap<string, FeatureSummary>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of m) out[k] = serializeFeatureBase64(v);
  return out;
}

/** Serializes a profile to JSON text (stable key order: as the maps iterate). */
export function serializeProfile(p: Profile): string {
  const schema: Record<string, FeatureSchema> = {};
  for (const [k, v] of p.schema) schema[k] = v;
  return `${JSON.stringify(
    {
      format: PROFILE_FORMAT,
      version: PROFILE_VERSION,
      createdAt: p.createdAt,
      source: p.source,
      rows: p.rows,
      stream: p.stream,
      features: summariesToJson(p.features),
      predictions: summariesToJson(p.predictions),
      schema,
      segments: p.segments.map((s) => ({
        rows: s.rows,
        features: summariesToJson(s.features),
        predictions: summariesToJson(s.predictions),
      })),
    },
    null,
    2,
  )}\n`;
}

function fail(path: string, why: string): never {
  throw new MlobsError(ErrorCodes.MLOBS_ERR_PROFILE_INVALID, `invalid profile: ${path}: ${why}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function count(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    fail(path, `must be an integer >= 0, got ${JSON.stringify(v)}`);
  return v;
}

function summaries(v: unknown, path: string): Map<string, FeatureSummary> {
  if (v === undefined) return new Map();
  if (!isObject(v)) fail(path, 'must be an object of base64 summaries by name');
  const out = new Map<string, FeatureSummary>();
  for (const [name, b64] of Object.entries(v)) {
    const at = `${path}[${JSON.stringify(name)}]`;
    if (typeof b64 !== 'string') fail(at, 'must be a base64 string');
    try {
      out.set(name, deserializeFeatureBase64(b64));
    } catch (err) {
      fail(at, `is not a valid summary (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  return out;
}

const KINDS = new Set(['numeric', 'categorical', 'text', 'vector']);

function featureSchema(v: unknown, path: string): FeatureSchema {
  if (!isObject(v)) fail(path, 'must be an object');
  if (typeof v.kind !== 'string' || !KINDS.has(v.kind))
    fail(`${path}.kind`, `must be one of numeric, categorical, text, vector, got ${JSON.stringify(v.kind)}`);
  if (typeof v.nullable !== 'boolean') fail(`${path}.nullable`, 'must be a boolean');
  const out: FeatureSchema = { kind: v.kind as FeatureSchema['kind'], nullable: v.nullable };
  for (const f of ['min', 'max'] as const) {
    const x = v[f];
    if (x === undefined) continue;
    if (typeof x !== 'number' || !Number.isFinite(x)) fail(`${path}.${f}`, 'must be a finite number');
    out[f] = x;
  }
  if (out.min !== undefined && out.max !== undefined && out.min > out.max)
    fail(`${path}.min`, `must be <= max (${out.min} > ${out.max})`);
  if (v.categories !== undefined) {
    if (!Array.isArray(v.categories) || !v.categories.every((c) => typeof c === 'string'))
      fail(`${path}.categories`, 'must be an array of strings');
    out.categories = [...(v.categories as string[])];
  }
  return out;
}

function streamFilter(v: unknown): Partial<StreamKey> {
  if (v === undefined) return {};
  if (!isObject(v)) fail('profile.stream', 'must be an object');
  const out: Partial<StreamKey> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k !== 'service' && k !== 'pipeline' && k !== 'component' && k !== 'model')
      fail(`profile.stream.${k}`, 'is not a stream field (service, pipeline, component, model)');
    if (typeof x !== 'string') fail(`profile.stream.${k}`, 'must be a string');
    out[k] = x;
  }
  return out;
}

/** Parses profile JSON text (or an already parsed object); throws naming the first bad field. */
export function parseProfile(input: string | unknown): Profile {
  let v: unknown = input;
  if (typeof input === 'string') {
    try {
      v = JSON.parse(input);
    } catch (err) {
      fail('profile', `is not JSON (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (!isObject(v)) fail('profile', 'must be a JSON object');
  if (v.format !== PROFILE_FORMAT)
    fail('profile.format', `must be "${PROFILE_FORMAT}", got ${JSON.stringify(v.format)}`);
  if (v.version !== PROFILE_VERSION)
    fail(
      'profile.version',
      `must be ${PROFILE_VERSION} (the version this mlobs reads), got ${JSON.stringify(v.version)}`,
    );
  if (typeof v.createdAt !== 'string' || !Number.isFinite(Date.parse(v.createdAt)))
    fail('profile.createdAt', 'must be an RFC 3339 timestamp');
  if (typeof v.source !== 'string') fail('profile.source', 'must be a string');
  const schema = new Map<string, FeatureSchema>();
  if (v.schema !== undefined) {
    if (!isObject(v.schema)) fail('profile.schema', 'must be an object by feature name');
    for (const [k, s] of Object.entries(v.schema))
      schema.set(k, featureSchema(s, `profile.schema[${JSON.stringify(k)}]`));
  }
  const segments: ProfileSegment[] = [];
  if (v.segments !== undefined) {
    if (!Array.isArray(v.segments)) fail('profile.segments', 'must be an array');
    v.segments.forEach((s: unknown, i: number) => {
      const at = `profile.segments[${i}]`;
      if (!isObject(s)) fail(at, 'must be an object');
      segments.push({
        rows: count(s.rows, `${at}.rows`),
        features: summaries(s.features, `${at}.features`),
        predictions: summaries(s.predictions, `${at}.predictions`),
      });
    });
  }
  return {
    version: PROFILE_VERSION,
    createdAt: v.createdAt,
    source: v.source,
    rows: count(v.rows, 'profile.rows'),
    stream: streamFilter(v.stream),
    features: summaries(v.features, 'profile.features'),
    predictions: summaries(v.predictions, 'profile.predictions'),
    schema,
    segments,
  };
}
