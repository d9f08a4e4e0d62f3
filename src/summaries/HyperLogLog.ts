import type { ByteReader } from './ByteReader.js';
import type { ByteWriter } from './ByteWriter.js';
import { SummaryDecodeError } from './SummaryDecodeError.js';
import { SummaryMergeError } from './SummaryMergeError.js';

/** Default precision: 2^12 registers, standard error 1.04/√4096 ≈ 1.6%. */
export const DEFAULT_HLL_PRECISION = 12;

/**
 * HyperLogLog distinct counter over 32-bit hashes (Flajolet et al., with linear counting for
 * small cardinalities, which is close to exact while few registers are set). Standard error
 * 1.04/√(2^p); reliable up to ~10^8 distinct values with 32-bit hashes. Merge takes the
 * register-wise maximum, so merging equals summarizing the union. Serialized sparsely
 * (index, value pairs) while that is smaller than the dense register array.
 */
export class HyperLogLog {
  /** One 6-bit rank per register, stored in bytes. */
  registers: Uint8Array;
  private readonly shift: number;

  /** @param precision p in [4, 16]: 2^p registers. */
  constructor(readonly precision = DEFAULT_HLL_PRECISION) {
    if (!Number.isInteger(precision) || precision < 4 || precision > 16) {
      throw new RangeError(`HyperLogLog precision must be an integer in [4, 16], got ${precision}`);
    }
    this.registers = new Uint8Array(1 << precision);
    this.shift = 32 - precision;
  }

  /** Standard relative error of `estimate()`: 1.04/√m. */
  get relativeError(): number {
    return 1.04 / Math.sqrt(this.registers.length);
  }

  /** Records one 32-bit hash. */
  addHash(hash: number): void {
    const index = hash >>> this.shift;
    // Rank of the first 1 bit among the remaining bits; the sentinel bit caps it at 33 − p.
    const rank = Math.clz32((hash << this.precision) | (1 << (this.precision - 1))) + 1;
    if (rank > this.registers[index]) this.registers[index] = rank;
  }

  /** Estimated number of distinct hashes recorded. */
  estimate(): number {
    const m = this.registers.length;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      const r = this.registers[i];
      sum += 2 ** -r;
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
    const a = this.registers;
    const b = other.registers;
    for (let i = 0; i < a.length; i++) out.registers[i] = Math.max(a[i], b[i]);
    return out;
  }

  /** Appends precision, then sparse (mode 0) or dense (mode 1) registers. */
  encode(w: ByteWriter): void {
    w.u8(this.precision);
    let set = 0;
    for (let i = 0; i < this.registers.length; i++) if (this.registers[i] !== 0) set++;
    if (set * 3 < this.registers.length) {
      w.u8(0);
      w.varint(set);
      let prev = -1;
      for (let i = 0; i < this.registers.length; i++) {
        if (this.registers[i] === 0) continue;
        w.varint(i - prev - 1);
        w.u8(this.registers[i]);
        prev = i;
      }
    } else {
      w.u8(1);
      w.bytes(this.registers);
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
      if (set > h.registers.length)
        throw new SummaryDecodeError(`impossible HyperLogLog: ${set} registers set`);
      let index = -1;
      for (let k = 0; k < set; k++) {
        index += 1 + r.varint('hll register index');
        const v = r.u8('hll register value');
        if (index >= h.registers.length || v === 0 || v > maxRank) {
          throw new SummaryDecodeError(`impossible HyperLogLog register ${index} = ${v}`);
        }
        h.registers[index] = v;
      }
    } else if (mode === 1) {
      h.registers.set(r.bytesView(h.registers.length, 'hll registers'));
      for (let i = 0; i < h.registers.length; i++) {
        if (h.registers[i] > maxRank) {
          throw new SummaryDecodeError(`impossible HyperLogLog register ${i} = ${h.registers[i]}`);
        }
      }
    } else {
      throw new SummaryDecodeError(`unknown HyperLogLog encoding mode ${mode}`);
    }
    return h;
  }
}
