/**
 * Typed reads of plain attributes. Spans come from many producers, so a value of the wrong
 * type reads as absent rather than throwing; the callers count what they could not use.
 */
import type { PlainAttributes } from '../model/spanRecord.js';

/** A string attribute, or undefined when absent or not a string. */
export function attrString(attrs: PlainAttributes, key: string): string | undefined {
  const v = attrs[key];
  return typeof v === 'string' ? v : undefined;
}

/** A finite number attribute (ints arrive as numbers), or undefined. */
export function attrNumber(attrs: PlainAttributes, key: string): number | undefined {
  const v = attrs[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A string-array attribute; non-string slots become '' so parallel arrays stay aligned. */
export function attrStrings(attrs: PlainAttributes, key: string): string[] | undefined {
  const v = attrs[key];
  if (!Array.isArray(v)) return undefined;
  return v.map((x) => (typeof x === 'string' ? x : ''));
}

/** A number-array attribute; non-number slots become NaN so parallel arrays stay aligned. */
export function attrNumbers(attrs: PlainAttributes, key: string): number[] | undefined {
  const v = attrs[key];
  if (!Array.isArray(v)) return undefined;
  return v.map((x) => (typeof x === 'number' ? x : Number.NaN));
}

/** Parses an RFC 3339 timestamp to ms since the epoch, or undefined when it is not one. */
export function parseTimestampMs(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Formats ms since the epoch as RFC 3339 (UTC, millisecond precision). */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
