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
 * Row indices (ascending) of the `k` ids with the smallest hashes; all rows when there are at
 * most `k`. `k` must be a non-negative integer.
 */
export function sampleJoinRows(ids: ArrayLike<string>, k: number): number[] {
  const n = ids.length;
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  if (k === 0) return [];
  const hashes = new Float64Array(n);
  for (let i = 0; i < n; i++) hashes[i] = hashId(ids[i]);
  const sorted = hashes.slice().sort();
  const threshold = sorted[k - 1];
  let below = 0;
  for (let i = 0; i < k; i++) if (sorted[i] < threshold) below++;
  let ties = k - below;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) {
    const h = hashes[i];
    if (h < threshold) rows.push(i);
    else if (h === threshold && ties > 0) {
      rows.push(i);
      ties--;
    }
  }
  return rows;
}
