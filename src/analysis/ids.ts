/**
 * Stable ids from content: the same finding computed twice (on a replay, or on two shards
 * that both closed the window) gets the same id, so stores and alert receivers deduplicate.
 */

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/** 64-bit FNV-1a of a string's UTF-16 code units, as 16 hex digits. */
export function fnv1a64(s: string, seed = FNV_OFFSET): string {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= BigInt(s.charCodeAt(i));
    h = (h * FNV_PRIME) & MASK;
  }
  return h.toString(16).padStart(16, '0');
}

/** A 16-hex-digit id from parts (joined unambiguously). */
export function stableId(...parts: (string | number)[]): string {
  return fnv1a64(JSON.stringify(parts));
}

/** A 32-hex-digit id (e.g. a trace id) from parts; never all zeros. */
export function stableId128(...parts: (string | number)[]): string {
  const s = JSON.stringify(parts);
  const id = fnv1a64(s) + fnv1a64(s, 0x84222325cbf29ce4n);
  return /^0+$/.test(id) ? `${id.slice(0, 31)}1` : id;
}
