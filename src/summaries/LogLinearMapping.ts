/**
 * Maps a positive double to a bucket index so that every bucket (lower, upper] satisfies
 * upper / lower ≤ γ = (1 + α) / (1 − α), hence its representative 2·lower·upper/(lower + upper)
 * is within relative error α of any value in it (the DDSketch guarantee).
 *
 * Instead of Math.log per value it reads the float's bits: for x = (1 + m)·2^e the quantity
 * f(x) = e + m + 1023 is exactly `hi / 2^20 + lo / 2^52` of the two 32-bit words, a piecewise
 * linear approximation of log2(x) + 1023 (DataDog's "linearly interpolated" mapping). Since
 * d(ln x)/df = 1/(1 + m) ≤ 1, a bucket of width 1/multiplier in f spans at most 1/multiplier
 * in ln x, so multiplier = 1/ln γ keeps the guarantee; the price is up to ~44% more buckets
 * than an exact logarithm would use. Buckets depend only on α, so two sketches with the same
 * accuracy have aligned bucket boundaries.
 */

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index of the high (sign/exponent) word in `U32`. */
export const HI = LITTLE_ENDIAN ? 1 : 0;
/** Index of the low mantissa word in `U32`. */
export const LO = LITTLE_ENDIAN ? 0 : 1;
/** Scratch views shared by the hot loops (single-threaded, never re-entered). */
export const BITS = { f64: F64, u32: U32 };
/** 2^-20: scale of the high word. */
export const HI_SCALE = 2 ** -20;
/** 2^-52: scale of the low word. */
export const LO_SCALE = 2 ** -52;

/** Magnitudes at or below this (including ±0 and subnormals) go to the zero bucket: relative accuracy is meaningless there. */
export const MIN_INDEXABLE = 2 ** -1000;

const SHARED = new Map<number, LogLinearMapping>();

/** Relative-accuracy index mapping shared by every store of a `QuantileSketch`. */
export class LogLinearMapping {
  /** Buckets per unit of f (roughly per octave). */
  readonly multiplier: number;
  /** Bucket boundaries already computed: they are costly and asked for repeatedly. */
  private readonly bounds = new Map<number, number>();

  /** The shared mapping for α: its boundary cache then serves every sketch of that accuracy. */
  static of(relativeAccuracy: number): LogLinearMapping {
    let m = SHARED.get(relativeAccuracy);
    if (m === undefined) {
      m = new LogLinearMapping(relativeAccuracy);
      if (SHARED.size < 64) SHARED.set(relativeAccuracy, m);
    }
    return m;
  }

  /** @param relativeAccuracy α in (0, 0.5]; the guarantee every bucket keeps. */
  constructor(readonly relativeAccuracy: number) {
    if (!(relativeAccuracy > 0 && relativeAccuracy <= 0.5)) {
      throw new RangeError(`relativeAccuracy must be in (0, 0.5], got ${relativeAccuracy}`);
    }
    const lnGamma = Math.log((1 + relativeAccuracy) / (1 - relativeAccuracy));
    // A hair above 1/lnγ so float rounding in f can never widen a bucket past γ.
    this.multiplier = (1 + 1e-9) / lnGamma;
  }

  /** Bucket index of a positive value ≥ MIN_INDEXABLE (finite). */
  index(x: number): number {
    F64[0] = x;
    return Math.ceil((U32[HI] * HI_SCALE + U32[LO] * LO_SCALE) * this.multiplier);
  }

  /** The largest double whose index is `i`: the inclusive upper boundary of bucket i. */
  upperBound(i: number): number {
    const cached = this.bounds.get(i);
    if (cached !== undefined) return cached;
    const y = i / this.multiplier;
    const e = Math.floor(y);
    const guess = (1 + (y - e)) * 2 ** (e - 1023);
    // The float inverse is only close (f carries ~2^-42 absolute error), so bracket the
    // boundary and bisect over doubles: at most ~60 steps, exact against index().
    let a = guess * (1 - 1e-9);
    let b = guess * (1 + 1e-9);
    for (let k = 0; k < 64 && this.index(a) > i; k++) a *= 1 - 1e-6;
    for (let k = 0; k < 64 && this.index(b) <= i; k++) b *= 1 + 1e-6;
    for (let k = 0; k < 2100; k++) {
      const m = a + (b - a) / 2;
      if (m === a || m === b) break;
      if (this.index(m) <= i) a = m;
      else b = m;
    }
    if (this.bounds.size < 1 << 16) this.bounds.set(i, a);
    return a;
  }

  /** Value reported for bucket i: within α of everything in (upperBound(i-1), upperBound(i)]. */
  value(i: number): number {
    const lower = this.upperBound(i - 1);
    const upper = this.upperBound(i);
    // = 2·lower·upper/(lower + upper), arranged so neither product nor sum under- or overflows.
    return lower * (2 / (1 + lower / upper));
  }
}
