import type { ByteReader } from './ByteReader.js';
import type { ByteWriter } from './ByteWriter.js';
import { SummaryDecodeError } from './SummaryDecodeError.js';
import { SummaryMergeError } from './SummaryMergeError.js';

/** 2^-r for every possible register value: no Math.pow per register when estimating. */
const POW2_NEG = Float64Array.from({ length: 64 }, (_, r) => 2 ** -r);

/** Default precision: 2^12 registers, standard error 1.04/√4096 ≈ 1.6%. */
export const DEFAULT_HLL_PRECISION = 12;

/**
 * HyperLogLog distinct counter over 32-bit hashes (Flajolet et al., with linear counting for
 * small cardinalities, which is close to exact while few registers are set). Standard error
 * 1.04/√(2^p); reliable up to ~10^8 distinct values with 32-bit hashes. Merge takes the
 * register-wise maximum, so merging equals summarizing the union. Serialized sparsely
 * (index, value pairs) while that is smaller than the registers packed 5 bits each (a rank
 * never exceeds 29); the byte-per-register form older builds wrote still decodes.
 */
export class HyperLogLog {
  // Allocated on first use: counters are also created only to be merged into or decoded over.
  private regs: Uint8Array | undefined;
  private readonly shift: number;

  /** @param precision p in [4, 16]: 2^p registers. */
  constructor(readonly precision = DEFAULT_HLL_PRECISION) {
    if (!Number.isInteger(precision) || precision < 4 || precision > 16) {
      throw new RangeError(`HyperLogLog precision must be an integer in [4, 16], got ${precision}`);
    }
    this.shift = 32 - precision;
  }

  /** One rank per register (2^p bytes). */
  get registers(): Uint8Array {
    if (this.regs === undefined) this.regs = new Uint8Array(1 << this.precision);
    return this.regs;
  }

  /** Number of registers, 2^p. */
  get size(): number {
    return 1 << this.precision;
  }

  /** Standard relative error of `estimate()`: 1.04/√m. */
  get relativeError(): number {
    return 1.04 / Math.sqrt(this.size);
  }

  /** Records one 32-bit hash. */
  addHash(hash: number): void {
    const regs = this.regs ?? this.registers;
    const index = hash >>> this.shift;
    // Rank of the first 1 bit among the remaining bits; the sentinel bit caps it at 33 − p.
    const rank = Math.clz32((hash << this.precision) | (1 << (this.precision - 1))) + 1;
    if (rank > regs[index]) regs[index] = rank;
  }

  /** Estimated number of distinct hashes recorded. */
  estimate(): number {
    const regs = this.regs;
    if (regs === undefined) return 0;
    const m = regs.length;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      const r = regs[i];
      sum += POW2_NEG[r];
      if (r === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / m);
    const raw = (alpha * m * m) / sum;
    if (raw <= 2.5 * m && zeros > 0) return m * Math.log(m / zeros);
    return raw;
  }

  /** A new counter holding both inputs (register-wise max). */
  merge(other: HyperLogLog): HyperLogLog {
    if (other.precision !== this.precision) {
      throw new SummaryMergeError(
        `cannot merge HyperLogLog counters with different precisions: ${this.precision} vs ${other.precision}`,
      );
    }
    const out = new HyperLogLog(this.precision);
    const a = this.regs;
    const b = other.regs;
    if (a === undefined || b === undefined) {
      const only = a ?? b;
      if (only !== undefined) out.regs = only.slice();
      return out;
    }
    const regs = out.registers;
    for (let i = 0; i < a.length; i++) regs[i] = Math.max(a[i], b[i]);
    return out;
  }

  /** Takes the register-wise maximum with `other` in place (what `merge` returns). */
  absorb(other: HyperLogLog): void {
    if (other.precision !== this.precision) {
      throw new SummaryMergeError(
        `cannot merge HyperLogLog counters with different precisions: ${this.precision} vs ${other.precision}`,
      );
    }
    const b = other.regs;
    if (b === undefined) return;
    const a = this.regs;
    if (a === undefined) {
      this.regs = b.slice();
      return;
    }
    for (let i = 0; i < a.length; i++) if (b[i] > a[i]) a[i] = b[i];
  }

  /** Appends precision, then sparse (mode 0) or 5-bit packed (mode 2) registers. */
  encode(w: ByteWriter): void {
    w.u8(this.precision);
    const regs = this.regs;
    let set = 0;
    if (regs !== undefined) for (let i = 0; i < regs.length; i++) if (regs[i] !== 0) set++;
    // A sparse entry costs about 2.5 bytes (index gap varint, value); packed, 5/8 of a byte a register.
    if (regs === undefined || set * 4 < regs.length) {
      w.u8(0);
      w.varint(set);
      let prev = -1;
      for (let i = 0; regs !== undefined && i < regs.length; i++) {
        if (regs[i] === 0) continue;
        w.varint(i - prev - 1);
        w.u8(regs[i]);
        prev = i;
      }
    } else {
      w.u8(2);
      const packed = new Uint8Array(Math.ceil((regs.length * 5) / 8));
      for (let i = 0; i < regs.length; i++) {
        const bit = i * 5;
        const v = regs[i] << (bit & 7);
        packed[bit >> 3] |= v & 0xff;
        if (v > 0xff) packed[(bit >> 3) + 1] |= v >> 8;
      }
      w.bytes(packed);
    }
  }

  /** Reads a counter written by `encode`; rejects out-of-range registers. */
  static decode(r: ByteReader): HyperLogLog {
    const p = r.u8('hll precision');
    if (p < 4 || p > 16) throw new SummaryDecodeError(`impossible HyperLogLog precision ${p}`);
    const h = new HyperLogLog(p);
    const maxRank = 33 - p;
    const mode = r.u8('hll mode');
    if (mode === 0) {
      const set = r.varint('hll register count');
      if (set > h.size) throw new SummaryDecodeError(`impossible HyperLogLog: ${set} registers set`);
      let index = -1;
      for (let k = 0; k < set; k++) {
        index += 1 + r.varint('hll register index');
        const v = r.u8('hll register value');
        if (index >= h.size || v === 0 || v > maxRank) {
          throw new SummaryDecodeError(`impossible HyperLogLog register ${index} = ${v}`);
        }
        h.registers[index] = v;
      }
    } else if (mode === 1) {
      const regs = h.registers;
      regs.set(r.bytesView(h.size, 'hll registers'));
      for (let i = 0; i < regs.length; i++) {
        if (regs[i] > maxRank)
          throw new SummaryDecodeError(`impossible HyperLogLog register ${i} = ${regs[i]}`);
      }
    } else if (mode === 2) {
      const regs = h.registers;
      const packed = r.bytesView(Math.ceil((regs.length * 5) / 8), 'hll registers');
      for (let i = 0; i < regs.length; i++) {
        const bit = i * 5;
        const word = packed[bit >> 3] | ((packed[(bit >> 3) + 1] ?? 0) << 8);
        const v = (word >> (bit & 7)) & 31;
        if (v > maxRank) throw new SummaryDecodeError(`impossible HyperLogLog register ${i} = ${v}`);
        regs[i] = v;
      }
    } else {
      throw new SummaryDecodeError(`unknown HyperLogLog encoding mode ${mode}`);
    }
    return h;
  }
}
