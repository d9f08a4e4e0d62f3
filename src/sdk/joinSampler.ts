/**
 * Chooses which rows of a batch go into the prediction/label join arrays. Bottom-k sampling on
 * a hash of the prediction id: a prediction batch and a later label batch that share ids keep
 * the same ids (coordinated samples), so the collector can join a label to a sampled prediction
 * without either side knowing the other's batch. Deterministic: no randomness, no clock.
 */

/** Default most rows written to join arrays per event. */
export const DEFAULT_JOIN_SAMPLE_SIZE = 1000;

const SEED1 = 0xdeadbeef;
const SEED2 = 0x41c6ce57;

/** 53-bit string hash (cyrb53): uniform enough that bottom-k behaves like a random sample. */
export function hashId(id: string): number {
  let h1 = SEED1;
  let h2 = SEED2;
  for (let i = 0; i < id.length; i++) {
    const ch = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  return finish(h1, h2);
}

function finish(a: number, b: number): number {
  let h1 = Math.imul(a ^ (a >>> 16), 2246822507);
  h1 ^= Math.imul(b ^ (b >>> 13), 3266489909);
  let h2 = Math.imul(b ^ (b >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The ids of a batch's rows: their strings (built only for sampled rows) and their hashes. */
export interface IdSource {
  /** Rows. */
  readonly length: number;
  /** The id of `row`. */
  id(row: number): string;
  /** `hashId(id(row))`, possibly without building the string. */
  hash(row: number): number;
}

/** An id source over explicit ids. */
export function idsFrom(ids: ArrayLike<string>): IdSource {
  return { length: ids.length, id: (row) => ids[row], hash: (row) => hashId(ids[row]) };
}

/**
 * The ids `${batchId}:${position}` for positions `0..n-1` (or `positions[row]`). Hashes continue
 * the hash state of the `${batchId}:` prefix over the position's digits, so a 100k-row batch does
 * not build 100k strings, and the hash equals `hashId` of the same explicit id (labels sent later
 * with explicit ids sample the same rows).
 */
export function batchRowIds(batchId: string, n: number, positions?: ArrayLike<number>): IdSource {
  let p1 = SEED1;
  let p2 = SEED2;
  const prefix = `${batchId}:`;
  for (let i = 0; i < prefix.length; i++) {
    const ch = prefix.charCodeAt(i);
    p1 = Math.imul(p1 ^ ch, 2654435761);
    p2 = Math.imul(p2 ^ ch, 1597334677);
  }
  const digits = new Uint8Array(20);
  const position = positions ? (row: number) => positions[row] : (row: number) => row;
  return {
    length: n,
    id: (row) => prefix + position(row),
    hash: (row) => {
      let x = position(row);
      let d = 0;
      do {
        digits[d++] = 48 + (x % 10);
        x = Math.floor(x / 10);
      } while (x > 0);
      let h1 = p1;
      let h2 = p2;
      while (d > 0) {
        const ch = digits[--d];
        h1 = Math.imul(h1 ^ ch, 2654435761);
        h2 = Math.imul(h2 ^ ch, 1597334677);
      }
      return finish(h1, h2);
    },
  };
}

/**
 * Row indices (ascending) of the `k` ids with the smallest hashes among the rows where
 * `eligible` holds (all rows when omitted); every eligible row when there are at most `k`.
 * `k` must be a non-negative integer.
 */
export function sampleJoinRows(
  ids: ArrayLike<string> | IdSource,
  k: number,
  eligible?: (row: number) => boolean,
): number[] {
  const source = 'hash' in ids ? (ids as IdSource) : idsFrom(ids as ArrayLike<string>);
  const rows: number[] = [];
  for (let i = 0; i < source.length; i++) if (!eligible || eligible(i)) rows.push(i);
  if (rows.length <= k) return rows;
  if (k === 0) return [];
  const hashes = new Float64Array(rows.length);
  for (let j = 0; j < rows.length; j++) hashes[j] = source.hash(rows[j]);
  const threshold = kthSmallest(hashes.slice(), k - 1);
  let below = 0;
  for (let j = 0; j < hashes.length; j++) if (hashes[j] < threshold) below++;
  // Ties at the threshold (a 53-bit collision) are broken by row order.
  let ties = k - below;
  const picked: number[] = [];
  for (let j = 0; j < hashes.length; j++) {
    const h = hashes[j];
    if (h < threshold) picked.push(rows[j]);
    else if (h === threshold && ties > 0) {
      picked.push(rows[j]);
      ties--;
    }
  }
  return picked;
}

/** The value of rank `r` (0-based) of `a`, by in-place quickselect: O(n), cheaper than a sort. */
function kthSmallest(a: Float64Array, r: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // Median of three as pivot: hashes are uniform, so this is never quadratic in practice.
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (r <= j) hi = j;
    else if (r >= i) lo = i;
    else return a[r];
  }
  return a[r];
}
