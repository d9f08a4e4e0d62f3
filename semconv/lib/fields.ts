/** Readers for the small fields every group, attribute and member shares. */
import { isRecord } from './load.js';
import type { RequirementLevel } from './types.js';

/** Stability levels of the OTel syntax. */
export const STABILITIES = ['stable', 'development', 'alpha', 'beta', 'release_candidate'];

/** Span kinds of the OTel syntax. */
export const SPAN_KINDS = ['client', 'server', 'producer', 'consumer', 'internal'];

/** Reads a requirement level: a level name, or a one-key mapping `{ conditionally_required: <condition> }`. */
export function requirementLevel(raw: unknown, report: (m: string) => void): RequirementLevel | undefined {
  if (raw === 'required' || raw === 'recommended' || raw === 'opt_in') return { level: raw, condition: '' };
  if (isRecord(raw) && Object.keys(raw).length === 1) {
    const [key, condition] = Object.entries(raw)[0];
    if (
      (key === 'conditionally_required' || key === 'recommended') &&
      typeof condition === 'string' &&
      condition
    ) {
      return { level: key, condition: condition.trim() };
    }
  }
  report(
    `bad requirement_level ${JSON.stringify(raw)} (expected required, recommended, opt_in, ` +
      'or { conditionally_required: <condition> })',
  );
  return undefined;
}

/** A trimmed single-line string field; reports it when missing (if required) or not a string. */
export function text(raw: unknown, key: string, required: boolean, report: (m: string) => void): string {
  if (raw === undefined || raw === null) {
    if (required) report(`'${key}' is missing`);
    return '';
  }
  if (typeof raw !== 'string' || raw.trim() === '') {
    report(`'${key}' must be a non-empty string`);
    return '';
  }
  return raw.trim().replace(/\s+/g, ' ');
}

/** A stability field; reports unknown levels. */
export function stability(raw: unknown, required: boolean, report: (m: string) => void): string {
  const value = text(raw, 'stability', required, report);
  if (value && !STABILITIES.includes(value)) {
    report(`unknown stability '${value}' (expected one of ${STABILITIES.join(', ')})`);
  }
  return value;
}

/** Reports every key not in `allowed`, so a typo such as `requirement_levle` is not silently ignored. */
export function unknownKeys(
  raw: Record<string, unknown>,
  allowed: string[],
  report: (m: string) => void,
): void {
  for (const key of Object.keys(raw)) if (!allowed.includes(key)) report(`unknown key '${key}'`);
}
