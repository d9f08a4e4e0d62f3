/**
 * A single forward cursor over protobuf bytes. Decoders call its methods inside one
 * `while (r.pos < end)` loop per message, so decoding allocates only the values it keeps
 * (no per-field closures, no intermediate objects).
 */
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './DecodeLimits.js';
import { OtlpDecodeError } from './OtlpDecodeError.js';

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i < 16 ? '0' : '') + i.toString(16));

const TWO_32 = 4294967296;
const INTERN_MAX = 40;
const INTERN_MASK = 4095;
// Process-wide: the table only ever holds strings, so sharing it between readers is safe.
const INTERN: (string | undefined)[] = new Array(INTERN_MASK + 1).fill(undefined);

/** Reads protobuf wire-format values from a byte array, failing with {@link OtlpDecodeError}. */
export class ProtoReader {
  /** The bytes being read, viewed as a Buffer (no copy) so long strings decode natively. */
  readonly buf: Buffer;
  /** Offset of the next byte to read. */
  pos: number;
  /** Offset one past the last readable byte. */
  readonly end: number;
  /** Items (attributes, events, links, array and list values) skipped by the decode limits. */
  dropped = 0;
  /** Set by the attribute checker when a value holds more items than the limits keep. */
  overLimit = false;

  /**
   * `borrowed`: the caller reuses `bytes` once decoding returns, so what a decoder keeps of
   * them must be copied rather than viewed (see lazy span event attributes).
   */
  constructor(
    bytes: Uint8Array,
    readonly borrowed = false,
    /** What the decoders keep per item; the rest is skipped and counted in `dropped`. */
    readonly limits: Readonly<DecodeLimits> = DEFAULT_DECODE_LIMITS,
  ) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
    this.end = this.buf.length;
  }

  /** Reads a varint of up to 32 significant bits (tags, lengths, enums, int32/uint32). */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= this.end) this.fail('truncated varint');
    let b = buf[pos++];
    let v = b & 0x7f;
    if (b < 0x80) {
      this.pos = pos;
      return v;
    }
    let shift = 7;
    while (true) {
      if (pos >= this.end) this.fail('truncated varint');
      b = buf[pos++];
      if (shift < 28) v |= (b & 0x7f) << shift;
      else if (shift === 28) v = (v | ((b & 0x0f) << 28)) >>> 0;
      if (b < 0x80) break;
      shift += 7;
      if (shift > 63) this.fail('varint longer than 10 bytes');
    }
    this.pos = pos;
    return v >>> 0;
  }

  /** Reads an int32 varint (negative values are sign-extended to 10 bytes on the wire). */
  int32(): number {
    return this.uint32() | 0;
  }

  /** Reads a zigzag-encoded sint32. */
  sint32(): number {
    const v = this.uint32();
    return (v >>> 1) ^ -(v & 1);
  }

  /** Reads a 64-bit varint as a number when it is a safe integer, bigint otherwise. */
  uint64(): number | bigint {
    const first = this.buf[this.pos];
    if (first < 0x80 && this.pos < this.end) {
      this.pos++;
      return first;
    }
    let lo = 0;
    let hi = 0;
    let shift = 0;
    const buf = this.buf;
    let pos = this.pos;
    while (true) {
      if (pos >= this.end) this.fail('truncated varint');
      const b = buf[pos++];
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if (b < 0x80) break;
      shift += 7;
      if (shift > 63) this.fail('varint longer than 10 bytes');
    }
    this.pos = pos;
    hi >>>= 0;
    lo >>>= 0;
    if (hi < 0x200000) return hi * TWO_32 + lo;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Reads a signed int64 varint (two's complement) as a number when safe, bigint otherwise. */
  int64(): number | bigint {
    const v = this.uint64();
    if (typeof v === 'number') return v;
    const s = BigInt.asIntN(64, v);
    return s >= -9007199254740991n && s <= 9007199254740991n ? Number(s) : s;
  }

  /** Reads a fixed64 as an unsigned bigint (timestamps). */
  fixed64(): bigint {
    const pos = this.need(8);
    return this.buf.readBigUInt64LE(pos);
  }

  /** Reads a fixed64 as a number when it is a safe integer, bigint otherwise (counts). */
  fixed64Num(): number | bigint {
    const pos = this.need(8);
    const lo = this.buf.readUInt32LE(pos);
    const hi = this.buf.readUInt32LE(pos + 4);
    if (hi < 0x200000) return hi * TWO_32 + lo;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Reads an sfixed64 as a number when it is a safe integer, bigint otherwise. */
  sfixed64(): number | bigint {
    const pos = this.need(8);
    const lo = this.buf.readUInt32LE(pos);
    const hi = this.buf.readInt32LE(pos + 4);
    if (hi >= -0x200000 && hi < 0x200000) return hi * TWO_32 + lo;
    return this.buf.readBigInt64LE(pos);
  }

  /** Reads a fixed32 as an unsigned number. */
  fixed32(): number {
    const pos = this.need(4);
    return this.buf.readUInt32LE(pos);
  }

  /** Reads a little-endian double. */
  double(): number {
    const pos = this.need(8);
    return this.buf.readDoubleLE(pos);
  }

  /** Reads a bool varint. */
  bool(): boolean {
    return this.uint64() !== 0;
  }

  /** Reads a length prefix and returns the end offset of the delimited region. */
  delimited(): number {
    const len = this.uint32();
    const end = this.pos + len;
    if (end > this.end) this.fail(`length ${len} runs past the end of the message`);
    return end;
  }

  /**
   * Reads a length-delimited UTF-8 string. Short ASCII strings (attribute keys, names, enum-like
   * values) repeat across spans, so they go through a small intern table: a hit costs one pass
   * over the bytes and no allocation; a miss allocates once and takes the slot.
   */
  string(): string {
    const end = this.delimited();
    const start = this.pos;
    this.pos = end;
    const len = end - start;
    if (len === 0) return '';
    if (len > INTERN_MAX) return this.buf.toString('utf8', start, end);
    const buf = this.buf;
    let h = len;
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c >= 0x80) return buf.toString('utf8', start, end);
      h = Math.imul(h ^ c, 0x01000193);
    }
    const slot = (h >>> 0) & INTERN_MASK;
    const cached = INTERN[slot];
    if (cached !== undefined && cached.length === len) {
      let i = 0;
      while (i < len && cached.charCodeAt(i) === buf[start + i]) i++;
      if (i === len) return cached;
    }
    const s = buf.toString('latin1', start, end);
    INTERN[slot] = s;
    return s;
  }

  /** Reads length-delimited bytes as a copy (so the request buffer can be released). */
  bytes(): Uint8Array {
    const end = this.delimited();
    const out = new Uint8Array(this.buf.subarray(this.pos, end));
    this.pos = end;
    return out;
  }

  /** Reads length-delimited bytes as lowercase hex (trace and span ids); '' when empty. */
  hex(): string {
    const end = this.delimited();
    const buf = this.buf;
    let s = '';
    for (let i = this.pos; i < end; i++) s += HEX[buf[i]];
    this.pos = end;
    return s;
  }

  /** Reads an id of exactly `size` bytes (or none) as lowercase hex; other lengths are malformed. */
  id(field: string, size: number): string {
    const start = this.pos;
    const h = this.hex();
    if (h.length !== 0 && h.length !== size * 2) {
      this.pos = start;
      this.fail(`${field} must be ${size} bytes, got ${h.length / 2}`);
    }
    return h;
  }

  /** Skips one field's value of the given wire type (proto3: unknown fields are ignored). */
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.uint64();
        return;
      case 1:
        this.need(8);
        return;
      case 2:
        this.pos = this.delimited();
        return;
      case 5:
        this.need(4);
        return;
      case 3: {
        // Deprecated groups: skip nested fields until the matching end-group tag.
        while (true) {
          if (this.pos >= this.end) this.fail('unterminated group');
          const tag = this.uint32();
          if ((tag & 7) === 4) return;
          this.skip(tag & 7);
        }
      }
      default:
        this.fail(`invalid wire type ${wireType}`);
    }
  }

  /** Handles a tag no case matched: a known field number (min..max) is malformed, others are skipped. */
  other(tag: number, message: string, min: number, max: number): void {
    const field = tag >>> 3;
    if (field >= min && field <= max) this.wrongType(`${message} field ${field}`, tag & 7);
    this.skip(tag & 7);
  }

  /** Fails because a known field arrived with the wrong wire type. */
  wrongType(field: string, wireType: number): never {
    return this.fail(`field ${field} has wire type ${wireType}`);
  }

  /** Throws an {@link OtlpDecodeError} naming the byte offset. */
  fail(message: string): never {
    throw new OtlpDecodeError(`invalid protobuf at byte ${this.pos}: ${message}`);
  }

  /** Advances over `n` bytes and returns where they start. */
  private need(n: number): number {
    const pos = this.pos;
    if (pos + n > this.end) this.fail(`truncated: ${n} bytes needed`);
    this.pos = pos + n;
    return pos;
  }
}
