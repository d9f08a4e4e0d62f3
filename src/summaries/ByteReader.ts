import { SummaryDecodeError } from './SummaryDecodeError.js';

/**
 * Bounds-checked reader mirroring `ByteWriter`. Every read that would run past the end throws a
 * `SummaryDecodeError` naming the byte offset, so truncated input can never be half-accepted.
 */
export class ByteReader {
  private readonly view: DataView;
  /** Offset of the next byte to read. */
  pos: number;
  /**
   * Summary format version of the payload being read (set by `deserializeFeature`); decoders
   * read fields a version added only from payloads of that version on. Default: the current one.
   */
  formatVersion = Number.POSITIVE_INFINITY;

  /**
   * @param bytes the buffer to read.
   * @param start first byte to read.
   * @param end one past the last readable byte.
   */
  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  /** True when every byte up to `end` has been consumed. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      throw new SummaryDecodeError(`truncated at byte ${this.pos}: expected ${n} more byte(s) for ${what}`);
    }
  }

  /** Reads one byte. */
  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }

  /** Reads a little-endian uint32. */
  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Reads a little-endian float64. */
  f64(what: string): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reads a LEB128 unsigned integer; rejects encodings longer than 2^53 can need. */
  varint(what: string): number {
    // One byte (most counts and index deltas) without the general loop's checks per byte.
    const p = this.pos;
    if (p < this.end) {
      const b = this.bytes[p];
      if (b < 0x80) {
        this.pos = p + 1;
        return b;
      }
    }
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8(what);
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 0x80;
    }
    throw new SummaryDecodeError(`varint too long at byte ${this.pos} for ${what}`);
  }

  /** Reads a zig-zag encoded signed integer. */
  zigzag(what: string): number {
    const v = this.varint(what);
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  /** Reads `n` raw bytes (a view, not a copy). */
  bytesView(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Reads a length-prefixed UTF-8 string. */
  string(what: string): string {
    const n = this.varint(what);
    this.need(n, what);
    const start = this.pos;
    this.pos += n;
    const b = this.bytes;
    // A Buffer (summaries decoded from base64 are) decodes its own range: no view per string.
    if (Buffer.isBuffer(b)) return b.toString('utf8', start, start + n);
    return Buffer.from(b.buffer, b.byteOffset + start, n).toString('utf8');
  }
}
