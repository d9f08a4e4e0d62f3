import type { ByteReader } from './ByteReader.js';
import type { ByteWriter } from './ByteWriter.js';
import { type NumericOptions, NumericSummary } from './NumericSummary.js';
import { SummaryDecodeError } from './SummaryDecodeError.js';
import { SummaryMergeError } from './SummaryMergeError.js';

/** Parameters of a vector summary. */
export interface VectorOptions extends NumericOptions {
  /** Expected dimension; when absent, the first valid row fixes it. */
  dimension?: number;
}

/** Per-dimension means are kept only up to this dimension: beyond it they cost more than they tell. */
export const MAX_MEAN_DIMENSION = 64;

const CHUNK = 1024;

/**
 * Mergeable summary of an embedding / fixed-length vector feature: the dimension, a numeric
 * summary of the rows' L2 norms, and per-dimension means when dimension ≤ 64. A row is an
 * array or typed array of finite numbers; rows with another dimension or a non-finite or
 * non-number element are counted in `invalidCount`.
 */
export class VectorSummary {
  /** Discriminant of `FeatureSummary`. */
  readonly kind = 'vector' as const;
  /** Valid rows summarized. */
  count = 0;
  /** null / undefined rows. */
  nullCount = 0;
  /** Rows that are not vectors of the feature's dimension. */
  invalidCount = 0;
  /** Vector length; 0 until a dimension is declared or a first valid row is seen. */
  dimension: number;
  /** Summary of the L2 norms. */
  norm: NumericSummary;
  private sums: Float64Array | undefined;
  private scratch: Float64Array | undefined;

  /** @param options norm-sketch parameters and optional declared dimension. */
  constructor(options: VectorOptions = {}) {
    this.norm = new NumericSummary(options);
    this.dimension = options.dimension ?? 0;
    if (!Number.isInteger(this.dimension) || this.dimension < 0) {
      throw new RangeError(`vector dimension must be a non-negative integer, got ${options.dimension}`);
    }
    if (this.dimension > 0 && this.dimension <= MAX_MEAN_DIMENSION)
      this.sums = new Float64Array(this.dimension);
  }

  /** Mean of each dimension over valid rows (dimension ≤ 64 only; NaN when count is 0). */
  get dimensionMeans(): Float64Array | undefined {
    if (this.sums === undefined) return undefined;
    const out = new Float64Array(this.sums.length);
    for (let i = 0; i < out.length; i++) out[i] = this.count === 0 ? Number.NaN : this.sums[i] / this.count;
    return out;
  }

  /** Adds rows; each is validated, its norm summarized and its elements added to the sums. */
  addValues(rows: ArrayLike<unknown>): void {
    if (this.scratch === undefined) this.scratch = new Float64Array(CHUNK);
    const buf = this.scratch;
    let fill = 0;
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k];
      if (row === null || row === undefined) {
        this.nullCount++;
        continue;
      }
      const norm = this.rowNorm(row);
      if (norm < 0) {
        this.invalidCount++;
        continue;
      }
      buf[fill++] = norm;
      this.count++;
      if (fill === CHUNK) {
        this.norm.addNumbers(buf, 0, fill);
        fill = 0;
      }
    }
    if (fill > 0) this.norm.addNumbers(buf, 0, fill);
  }

  /** L2 norm of a valid row (adding it to the sums), or −1 when the row is invalid. */
  private rowNorm(row: unknown): number {
    if (!(Array.isArray(row) || (ArrayBuffer.isView(row) && !(row instanceof DataView)))) return -1;
    const v = row as ArrayLike<unknown>;
    if (this.dimension === 0) {
      if (v.length === 0) return -1;
      this.dimension = v.length;
      if (this.dimension <= MAX_MEAN_DIMENSION) this.sums = new Float64Array(this.dimension);
    }
    if (v.length !== this.dimension) return -1;
    let sq = 0;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x !== 'number' || x - x !== 0) return -1;
      sq += x * x;
    }
    const sums = this.sums;
    if (sums !== undefined) for (let i = 0; i < sums.length; i++) sums[i] += v[i] as number;
    return Math.sqrt(sq);
  }

  /** A new summary of both inputs (pure); refuses different non-zero dimensions. */
  merge(other: VectorSummary): VectorSummary {
    if (this.dimension !== 0 && other.dimension !== 0 && this.dimension !== other.dimension) {
      throw new SummaryMergeError(
        `cannot merge vector summaries of dimension ${this.dimension} and ${other.dimension}`,
      );
    }
    const out = new VectorSummary({ dimension: this.dimension || other.dimension });
    out.norm = this.norm.merge(other.norm);
    out.count = this.count + other.count;
    out.nullCount = this.nullCount + other.nullCount;
    out.invalidCount = this.invalidCount + other.invalidCount;
    if (out.sums !== undefined) {
      for (const s of [this.sums, other.sums])
        if (s !== undefined) for (let i = 0; i < s.length; i++) out.sums[i] += s[i];
    }
    return out;
  }

  /** Appends counts, dimension, per-dimension sums (when kept) and the norm summary. */
  encode(w: ByteWriter): void {
    w.varint(this.count);
    w.varint(this.nullCount);
    w.varint(this.invalidCount);
    w.varint(this.dimension);
    if (this.sums !== undefined) for (let i = 0; i < this.sums.length; i++) w.f64(this.sums[i]);
    this.norm.encode(w);
  }

  /** Reads a summary written by `encode`; the norm summary must count every valid row. */
  static decode(r: ByteReader): VectorSummary {
    const count = r.varint('vector count');
    const nullCount = r.varint('vector null count');
    const invalidCount = r.varint('vector invalid count');
    const dimension = r.varint('vector dimension');
    if (dimension > 1 << 24) throw new SummaryDecodeError(`impossible vector dimension ${dimension}`);
    if (count > 0 && dimension === 0)
      throw new SummaryDecodeError(`impossible vector: ${count} rows of dimension 0`);
    const s = new VectorSummary({ dimension });
    if (s.sums !== undefined) for (let i = 0; i < s.sums.length; i++) s.sums[i] = r.f64(`vector sum ${i}`);
    s.norm = NumericSummary.decode(r);
    if (s.norm.count !== count) {
      throw new SummaryDecodeError(
        `impossible counts: vector count ${count} but norm summary holds ${s.norm.count}`,
      );
    }
    s.count = count;
    s.nullCount = nullCount;
    s.invalidCount = invalidCount;
    return s;
  }
}
