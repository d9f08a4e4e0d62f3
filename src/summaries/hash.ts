/** 32-bit string hashing for distinct-count sketches. */

/**
 * MurmurHash3-style 32-bit hash of the first `limit` UTF-16 code units of `s`, finalised with
 * the full length so long strings sharing a prefix still differ when their lengths do. The
 * limit bounds the work per value: a 100 MB string costs no more than a 64 KiB one.
 */
export function hashString(s: string, limit: number): number {
  const n = Math.min(s.length, limit);
  let h = 0x9747b28c;
  let i = 0;
  // Two code units per round: half the mixing work of one-per-round.
  for (; i + 1 < n; i += 2) {
    let k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < n) {
    let k = s.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= s.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** murmur3's 32-bit finaliser: every input bit flips each output bit with probability ≈ ½. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * 32-bit hash of a double's bits (−0 hashed as 0, so equal numbers hash alike), for counting
 * the distinct values of a numeric feature.
 */
export function hashNumber(x: number): number {
  F64[0] = x === 0 ? 0 : x;
  return fmix32((U32[0] as number) ^ Math.imul(fmix32((U32[1] as number) ^ 0x9e3779b9), 0xcc9e2d51));
}
