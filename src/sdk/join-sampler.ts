/**
 * Chooses which rows of a batch go into the prediction/label join arrays. Bottom-k sampling on
 * a hash of the prediction id: a prediction batch and a later label batch that share ids keep
 * the same ids (coordinated samples), so the collector can join a label to a sampled prediction
 * without either side knowing the other's batch. Deterministic: no randomness, no clock.
 */

/** Default most rows written to join arrays per event. */
export const DEFAULT_JOIN_SAMPLE_SIZE = 1000;

/** 53-bit string hash (cyrb53): uniform enough that bottom-k behaves like a random sample. */
export function hashId(id: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < id.length; i++) {
    const ch = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * Row indices (ascending) of the `k` ids with the smallest hashes among the rows where
 * `eligible` holds (all rows when omitted); every eligible row when there are at most `k`.
 * `k` must be a non-negative integer.
 */
export function sampleJoinRows(
  ids: ArrayLike<string>,
  k: number,
  eligible?: (row: number) => boolean,
): number[] {
  const rows: number[] = [];
  for (let i = 0; i < ids.length; i++) if (!eligible || eligible(i)) rows.push(i);
  if (rows.length <= k) return rows;
  if (k === 0) return [];
  const hashes = new Float64Array(rows.length);
  for (let j = 0; j < rows.length; j++) hashes[j] = hashId(ids[rows[j]]);
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
