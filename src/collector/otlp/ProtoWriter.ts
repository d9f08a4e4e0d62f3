/**
 * A growable protobuf writer. Nested messages are written in place: `fork()` reserves room for
 * the length (one byte unless the caller expects a longer body) and `join()` writes it,
 * shifting the body when the length needs another number of varint bytes than reserved.
 * Output is canonical (minimal varints) without a sizing pass.
 */
import type { BufferPool } from '../exporterhelper/BufferPool.js';

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[97 + i] = 10 + i;
  HEX_VALUE[65 + i] = 10 + i;
}

/** A block of bytes a writer refers to instead of copying, and where it goes. */
interface Referenced {
  /** Offset in the writer's own buffer the block goes before. */
  at: number;
  /** Bytes of all blocks before this one. */
  before: number;
  /** The block. */
  data: Uint8Array;
}

/**
 * Writes protobuf wire-format values into one growing buffer. A writer made with
 * `referenceMin` keeps large verbatim blocks ({@link external}) as references rather than
 * copies: its output is then a list of pieces ({@link segments}), and positions come in two
 * kinds, offsets in its own buffer (`fork`, `length`) and sizes of the whole output (`size`).
 */
export class ProtoWriter {
  private buf: Buffer;
  private pos = 0;
  private blocks: Referenced[] = [];
  private blockBytes = 0;

  /**
   * With a `pool`, the buffer comes from it and growing trades it for a bigger one there;
   * `growLimit` caps doubling (a writer that will stay under a known size does not double past it).
   */
  constructor(
    initialSize = 4096,
    private readonly pool?: BufferPool,
    private readonly growLimit = 0,
    /** Blocks of at least this many bytes passed to {@link external} are referenced; 0 = never. */
    private readonly referenceMin = 0,
  ) {
    this.buf = pool ? pool.take(initialSize) : Buffer.allocUnsafe(initialSize);
  }

  /** Empties the writer, keeping its buffer for reuse. */
  reset(): void {
    this.pos = 0;
    this.blocks = [];
    this.blockBytes = 0;
  }

  /** Bytes of buffer currently held. */
  get capacity(): number {
    return this.buf.length;
  }

  /**
   * Returns the bytes written so far: a view, valid until the writer is used again, or, when
   * blocks are referenced, a fresh copy of all pieces.
   */
  finish(): Uint8Array {
    if (this.blocks.length === 0) return this.buf.subarray(0, this.pos);
    return Buffer.concat(this.segments(), this.size);
  }

  /** The output so far as consecutive pieces: views of the own buffer and referenced blocks. */
  segments(): Uint8Array[] {
    const out: Uint8Array[] = [];
    let own = 0;
    for (const b of this.blocks) {
      if (b.at > own) out.push(this.buf.subarray(own, b.at));
      out.push(b.data);
      own = b.at;
    }
    if (this.pos > own || out.length === 0) out.push(this.buf.subarray(own, this.pos));
    return out;
  }

  /** Bytes written to the own buffer so far (referenced blocks not counted). */
  get length(): number {
    return this.pos;
  }

  /** Size of the output so far, referenced blocks included. */
  get size(): number {
    return this.pos + this.blockBytes;
  }

  /** Output bytes from own offset `start` (a {@link fork} result) to the end. */
  bytesSince(start: number): number {
    const blocks = this.blocks;
    // Blocks are in order of `at`: find the first at or after `start`.
    let lo = 0;
    let hi = blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (blocks[mid].at < start) lo = mid + 1;
      else hi = mid;
    }
    return this.pos - start + (lo < blocks.length ? this.blockBytes - blocks[lo].before : 0);
  }

  /** Drops the output from `size` (an earlier {@link size}) on, referenced blocks included. */
  truncateSize(size: number): void {
    const blocks = this.blocks;
    while (blocks.length > 0 && blocks[blocks.length - 1].at + blocks[blocks.length - 1].before >= size)
      this.blockBytes -= (blocks.pop() as Referenced).data.length;
    this.pos = size - this.blockBytes;
  }

  /** Writes the output from `size` (an earlier {@link size}) to the end into `into`, blocks as blocks. */
  copyTail(size: number, into: ProtoWriter): void {
    const blocks = this.blocks;
    let i = blocks.length;
    while (i > 0 && blocks[i - 1].at + blocks[i - 1].before >= size) i--;
    let own = size - (i > 0 ? blocks[i - 1].before + blocks[i - 1].data.length : 0);
    for (; i < blocks.length; i++) {
      into.raw(this.buf.subarray(own, blocks[i].at));
      into.external(blocks[i].data);
      own = blocks[i].at;
    }
    into.raw(this.buf.subarray(own, this.pos));
  }

  /** The whole buffer written into (it changes when the writer grows). */
  get buffer(): Buffer {
    return this.buf;
  }

  /** Writes a field tag. */
  tag(field: number, wireType: number): void {
    this.varint32(((field << 3) | wireType) >>> 0);
  }

  /** Writes an unsigned varint below 2^32. */
  varint32(v: number): void {
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** Writes a varint for an int32 (negative values take ten bytes, as proto3 requires). */
  int32(v: number): void {
    if (v >= 0) this.varint32(v);
    else this.varint64(BigInt.asUintN(64, BigInt(v)));
  }

  /** Writes a zigzag sint32. */
  sint32(v: number): void {
    this.varint32(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** Writes a 64-bit varint from a number or bigint (negative values as two's complement). */
  varint64(v: number | bigint): void {
    if (typeof v === 'number') {
      if (v >= 0 && v < 4294967296) {
        this.varint32(v);
        return;
      }
      v = BigInt(Math.trunc(v));
    }
    let u = BigInt.asUintN(64, v);
    this.ensure(10);
    while (u > 0x7fn) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  /** Writes eight little-endian bytes of an unsigned 64-bit value. */
  fixed64(v: number | bigint): void {
    this.ensure(8);
    if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
      this.buf.writeUInt32LE(v % 4294967296, this.pos);
      this.buf.writeUInt32LE(Math.floor(v / 4294967296), this.pos + 4);
    } else {
      this.buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), this.pos);
    }
    this.pos += 8;
  }

  /** Writes eight little-endian bytes of a signed 64-bit value. */
  sfixed64(v: number | bigint): void {
    this.fixed64(BigInt.asUintN(64, BigInt(v)));
  }

  /** Writes four little-endian bytes. */
  fixed32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** Writes a little-endian double. */
  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** Writes a length-delimited UTF-8 string (without its tag); short ASCII skips the native encoder. */
  string(s: string): void {
    const n = s.length;
    if (n < 64) {
      this.ensure(1 + n);
      const buf = this.buf;
      const start = this.pos;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + 1 + i] = c;
      }
      if (i === n) {
        buf[start] = n;
        this.pos = start + 1 + n;
        return;
      }
    }
    const len = Buffer.byteLength(s, 'utf8');
    this.varint32(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }

  /** Writes length-delimited raw bytes (without the tag). */
  bytes(b: Uint8Array): void {
    this.varint32(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /**
   * Writes already-encoded fields verbatim (no tag, no length), by reference when the writer
   * was made with a `referenceMin` the block reaches: the block must then stay unchanged
   * while the writer's output is in use.
   */
  external(b: Uint8Array): void {
    if (this.referenceMin === 0 || b.length < this.referenceMin) {
      this.raw(b);
      return;
    }
    this.blocks.push({ at: this.pos, before: this.blockBytes, data: b });
    this.blockBytes += b.length;
  }

  /** Writes already-encoded fields verbatim (no tag, no length). */
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Writes a hex id as length-delimited bytes; throws on odd length or a non-hex digit. */
  hex(h: string): void {
    const n = h.length >>> 1;
    if (h.length !== n * 2) throw new TypeError(`id "${h}" has an odd number of hex digits`);
    this.varint32(n);
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < h.length; i += 2) {
      const a = h.charCodeAt(i);
      const b = h.charCodeAt(i + 1);
      const hi = a < 128 ? HEX_VALUE[a] : -1;
      const lo = b < 128 ? HEX_VALUE[b] : -1;
      if (hi < 0 || lo < 0) throw new TypeError(`id "${h}" is not hexadecimal`);
      buf[pos++] = (hi << 4) | lo;
    }
    this.pos = pos;
  }

  /**
   * Starts a length-delimited nested message, reserving `lengthBytes` for its length (pass
   * {@link varintSize} of the expected body size when it is likely 128 bytes or more); pass the
   * result and the same `lengthBytes` to {@link join}.
   */
  fork(lengthBytes = 1): number {
    this.ensure(lengthBytes);
    this.pos += lengthBytes;
    return this.pos;
  }

  /**
   * Ends a nested message begun at `start` with `lengthBytes` reserved, writing its length
   * prefix; the body moves only when the length takes another number of bytes than reserved.
   */
  join(start: number, lengthBytes = 1): void {
    const blocks = this.blocks;
    const referenced = blocks.length > 0 && blocks[blocks.length - 1].at >= start;
    const len = referenced ? this.bytesSince(start) : this.pos - start;
    if (len < 0x80 && lengthBytes === 1) {
      this.buf[start - 1] = len;
      return;
    }
    const shift = varintSize(len) - lengthBytes;
    if (shift > 0) this.ensure(shift);
    if (shift !== 0) {
      this.buf.copyWithin(start + shift, start, this.pos);
      if (referenced)
        for (let i = blocks.length - 1; i >= 0 && blocks[i].at >= start; i--) blocks[i].at += shift;
    }
    let pos = start - lengthBytes;
    let v = len;
    while (v > 0x7f) {
      this.buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[pos] = v;
    this.pos += shift;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const need = this.pos + n;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    if (this.growLimit > 0 && need <= this.growLimit && size > this.growLimit) size = this.growLimit;
    const next = this.pool ? this.pool.take(size) : Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.pool?.give(this.buf);
    this.buf = next;
  }
}

/** Bytes in the varint encoding of `v` (0 ≤ v < 2^35). */
export function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Parses a hex id into bytes; returns undefined when it is not even-length hex. */
export function hexToBytes(h: string): Uint8Array | undefined {
  if (h.length % 2 !== 0) return undefined;
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < h.length; i += 2) {
    const a = h.charCodeAt(i);
    const b = h.charCodeAt(i + 1);
    const hi = a < 128 ? HEX_VALUE[a] : -1;
    const lo = b < 128 ? HEX_VALUE[b] : -1;
    if (hi < 0 || lo < 0) return undefined;
    out[i / 2] = (hi << 4) | lo;
  }
  return out;
}

const SCRATCH_MAX = 16 * 1024 * 1024;
let scratch: ProtoWriter | undefined;

/**
 * Runs `write` on a process-wide scratch writer and returns a right-sized copy of the result.
 * Encoding is synchronous, so one writer serves every caller; reusing it avoids regrowing a
 * buffer (and copying it at each doubling) for every request. Oversized buffers are let go.
 */
export function encodeWithScratch(write: (w: ProtoWriter) => void): Uint8Array {
  const w = scratch ?? new ProtoWriter(256 * 1024);
  scratch = undefined;
  w.reset();
  try {
    write(w);
    return new Uint8Array(w.finish());
  } finally {
    if (w.capacity <= SCRATCH_MAX) scratch = w;
  }
}
