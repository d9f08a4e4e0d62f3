/**
 * Builds a reference profile from rows of training data, chunk by chunk: each chunk is
 * summarized with the summaries library and merged into the totals, and kept (folded
 * pairwise once there are too many) as a segment for calibration. A column's kind is
 * declared, or inferred from the first chunk in which it has values and then fixed, so
 * every chunk's summary of it merges. Pure: rows in, a {@link Profile} out.
 */

import { ErrorCodes, MlobsError } from '../errors.js';
import type { StreamKey } from '../model/finding.js';
import {
  type BatchSummary,
  type FeatureKind,
  type FeatureSpec,
  type FeatureSummary,
  mergeBatch,
  summarize,
} from '../summaries/index.js';
import { inferKind } from '../summaries/inferKind.js';
import type { FeatureSchema } from './detectors/detector.js';
import { PROFILE_VERSION, type Profile, type ProfileSegment } from './profile.js';

/** Options of {@link ProfileBuilder}. */
export interface ProfileBuilderOptions {
  /** What is profiled (file name), for people. */
  source: string;
  /** Declared kinds (and summary parameters) by column. */
  schema?: Record<string, FeatureSpec>;
  /** Columns that are model outputs, profiled as predictions instead of features. */
  predictions?: readonly string[];
  /** Which streams the profile applies to (absent fields match any). */
  stream?: Partial<StreamKey>;
  /** Rows per chunk (default 10 000). */
  chunkRows?: number;
  /** Segments kept at most; beyond, neighbours are merged pairwise (default 32). */
  maxSegments?: number;
  /** Cells are text (CSV): numbers in them are parsed for numeric columns, `[..]` for vectors. */
  cellsAreText?: boolean;
  /** When the profile is written (default now). */
  createdAt?: Date;
}

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** Accumulates rows into a profile. */
export class ProfileBuilder {
  private rows: Record<string, unknown>[] = [];
  private totalRows = 0;
  private totals: BatchSummary = { rows: 0, features: new Map() };
  private segments: BatchSummary[] = [];
  private readonly kinds = new Map<string, FeatureSpec>();
  private readonly pendingNulls = new Map<string, number>();
  private readonly chunkRows: number;
  private readonly maxSegments: number;

  constructor(private readonly opts: ProfileBuilderOptions) {
    this.chunkRows = opts.chunkRows ?? 10_000;
    this.maxSegments = opts.maxSegments ?? 32;
    if (!Number.isInteger(this.chunkRows) || this.chunkRows < 1)
      throw new RangeError(`chunkRows must be a positive integer, got ${this.chunkRows}`);
    if (!Number.isInteger(this.maxSegments) || this.maxSegments < 2)
      throw new RangeError(`maxSegments must be an integer >= 2, got ${this.maxSegments}`);
    for (const [name, spec] of Object.entries(opts.schema ?? {})) this.kinds.set(name, spec);
  }

  /** Adds one row (column name → value; null or absent = missing). */
  add(row: Record<string, unknown>): void {
    this.rows.push(row);
    if (this.rows.length >= this.chunkRows) this.flush();
  }

  /** Summarizes what is left and returns the profile; throws if no row was added. */
  finish(): Profile {
    this.flush();
    if (this.totalRows === 0)
      throw new MlobsError(ErrorCodes.MLOBS_ERR_DATA_INVALID, `${this.opts.source}: no data rows to profile`);
    // Columns that never had a value: numeric, so the profile still records their nulls.
    for (const name of [...this.pendingNulls.keys()]) this.fixKind(name, 'numeric');
    const preds = new Set(this.opts.predictions ?? []);
    const split = (b: BatchSummary) => {
      const features = new Map<string, FeatureSummary>();
      const predictions = new Map<string, FeatureSummary>();
      for (const [k, v] of b.features) (preds.has(k) ? predictions : features).set(k, v);
      return { features, predictions };
    };
    const schema = new Map<string, FeatureSchema>();
    for (const name of Object.keys(this.opts.schema ?? {})) {
      const s = this.totals.features.get(name);
      if (s) schema.set(name, { kind: s.kind, nullable: s.nullCount > 0 });
    }
    const segments: ProfileSegment[] = this.segments.map((s) => ({ rows: s.rows, ...split(s) }));
    return {
      version: PROFILE_VERSION,
      createdAt: (this.opts.createdAt ?? new Date()).toISOString(),
      source: this.opts.source,
      rows: this.totalRows,
      stream: this.opts.stream ?? {},
      ...split(this.totals),
      schema,
      segments,
    };
  }

  private flush(): void {
    const rows = this.rows;
    if (rows.length === 0) return;
    this.rows = [];
    this.totalRows += rows.length;
    const names = new Set<string>(this.kinds.keys());
    for (const name of this.pendingNulls.keys()) names.add(name);
    for (const r of rows) for (const k of Object.keys(r)) names.add(k);
    const columns: Record<string, unknown[]> = {};
    const schema: Record<string, FeatureSpec> = {};
    for (const name of names) {
      let values: unknown[] = rows.map((r) => r[name] ?? null);
      let spec = this.kinds.get(name);
      if (spec === undefined) {
        const probe = this.opts.cellsAreText ? values.map(asNumberIfNumeric) : values;
        if (probe.every((v) => v === null)) {
          this.pendingNulls.set(name, (this.pendingNulls.get(name) ?? 0) + rows.length);
          continue;
        }
        spec = this.fixKind(name, inferKind(probe, 64).kind);
      }
      if (this.opts.cellsAreText) values = values.map((v) => fromText(v, kindOf(spec)));
      columns[name] = values;
      schema[name] = spec;
    }
    const batch = summarize(columns, { schema });
    batch.rows = rows.length;
    this.totals = mergeBatch(this.totals, batch);
    this.segments.push(batch);
    if (this.segments.length > this.maxSegments) {
      const folded: BatchSummary[] = [];
      for (let i = 0; i < this.segments.length; i += 2) {
        const a = this.segments[i]!;
        const b = this.segments[i + 1];
        folded.push(b ? mergeBatch(a, b) : a);
      }
      this.segments = folded;
    }
  }

  /** Fixes a column's kind and adds the nulls it had before its first value. */
  private fixKind(name: string, kind: FeatureKind): FeatureSpec {
    this.kinds.set(name, kind);
    const nulls = this.pendingNulls.get(name);
    if (nulls !== undefined) {
      this.pendingNulls.delete(name);
      const b = summarize({ [name]: new Array(nulls).fill(null) }, { schema: { [name]: kind } });
      b.rows = 0;
      this.totals = mergeBatch(this.totals, b);
    }
    return kind;
  }
}

function kindOf(spec: FeatureSpec): FeatureKind {
  return typeof spec === 'string' ? spec : spec.kind;
}

function asNumberIfNumeric(v: unknown): unknown {
  return typeof v === 'string' && NUMBER.test(v) ? Number(v) : v;
}

/** A CSV cell as the column's kind wants it; what does not convert stays text (counted invalid). */
function fromText(v: unknown, kind: FeatureKind): unknown {
  if (typeof v !== 'string') return v;
  if (kind === 'numeric') return NUMBER.test(v) ? Number(v) : v;
  if (kind === 'vector' && v.trimStart().startsWith('[')) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}
