import type { ByteReader } from './ByteReader.js';
import type { ByteWriter } from './ByteWriter.js';
import { DEFAULT_HLL_PRECISION, HyperLogLog } from './HyperLogLog.js';
import { hashString } from './hash.js';
import { type NumericOptions, NumericSummary } from './NumericSummary.js';
import { SummaryDecodeError } from './SummaryDecodeError.js';

/** Parameters of a text summary. */
export interface TextOptions extends NumericOptions {
  /** Only this many leading UTF-16 code units are hashed for the distinct count (default 65536). */
  maxHashLength?: number;
  /** HyperLogLog precision p (default 12). */
  hllPrecision?: number;
}

const CHUNK = 4096;

/**
 * Mergeable summary of a free-text feature: a numeric summary of string lengths (UTF-16 code
 * units) and a HyperLogLog distinct estimate over at most `maxHashLength` leading code units
 * per string, so a huge string costs a bounded amount of work and is still counted by length.
 */
export class TextSummary {
  /** Discriminant of `FeatureSummary`. */
  readonly kind = 'text' as const;
  /** Strings summarized. */
  count = 0;
  /** null, undefined. */
  nullCount = 0;
  /** Values that are not strings. */
  invalidCount = 0;
  /** Summary of the lengths. */
  length: NumericSummary;
  /** Distinct-value counter over hashed prefixes. */
  hll: HyperLogLog;
  /** Code units hashed per string. */
  readonly maxHashLength: number;
  private scratch: Float64Array | undefined;

  /** @param options length-sketch, hashing and HyperLogLog parameters. */
  constructor(options: TextOptions = {}) {
    this.length = new NumericSummary(options);
    this.hll = new HyperLogLog(options.hllPrecision ?? DEFAULT_HLL_PRECISION);
    this.maxHashLength = options.maxHashLength ?? 65536;
  }

  /** Adds values: strings are summarized, null/undefined counted as null, anything else invalid. */
  addValues(values: ArrayLike<unknown>): void {
    if (this.scratch === undefined) this.scratch = new Float64Array(CHUNK);
    const buf = this.scratch;
    let fill = 0;
    for (let k = 0; k < values.length; k++) {
      const v = values[k];
      if (typeof v === 'string') {
        buf[fill++] = v.length;
        this.hll.addHash(hashString(v, this.maxHashLength));
        this.count++;
        if (fill === CHUNK) {
          this.length.addNumbers(buf, 0, fill);
          fill = 0;
        }
      } else if (v === null || v === undefined) this.nullCount++;
      else this.invalidCount++;
    }
    if (fill > 0) this.length.addNumbers(buf, 0, fill);
  }

  /** HyperLogLog estimate of distinct strings (by hashed prefix and length), rounded. */
  distinct(): number {
    return Math.round(this.hll.estimate());
  }

  /** Standard relative error of `distinct()`. */
  get distinctRelativeError(): number {
    return this.hll.relativeError;
  }

  /** A new summary of both inputs (pure). */
  merge(other: TextSummary): TextSummary {
    const out = new TextSummary({ maxHashLength: Math.min(this.maxHashLength, other.maxHashLength) });
    out.length = this.length.merge(other.length);
    out.hll = this.hll.merge(other.hll);
    out.count = this.count + other.count;
    out.nullCount = this.nullCount + other.nullCount;
    out.invalidCount = this.invalidCount + other.invalidCount;
    return out;
  }

  /** Appends counts, the length summary and the HyperLogLog. */
  encode(w: ByteWriter): void {
    w.varint(this.count);
    w.varint(this.nullCount);
    w.varint(this.invalidCount);
    w.varint(this.maxHashLength);
    this.length.encode(w);
    this.hll.encode(w);
  }

  /** Reads a summary written by `encode`; the length summary must count every string. */
  static decode(r: ByteReader): TextSummary {
    const count = r.varint('text count');
    const nullCount = r.varint('text null count');
    const invalidCount = r.varint('text invalid count');
    const maxHashLength = r.varint('text max hash length');
    const length = NumericSummary.decode(r);
    const hll = HyperLogLog.decode(r);
    if (length.count !== count || length.nullCount + length.invalidCount + length.infiniteCount !== 0) {
      throw new SummaryDecodeError(
        `impossible counts: text count ${count} but length summary holds ${length.count}`,
      );
    }
    const s = new TextSummary({ maxHashLength });
    s.length = length;
    s.hll = hll;
    s.count = count;
    s.nullCount = nullCount;
    s.invalidCount = invalidCount;
    return s;
  }
}
