/**
 * The benchmark's case list: case i takes cell i mod 64 of shapes × cadences × fault types
 * and a seed derived from the run's seed and i, so any case can be replayed alone by its id.
 */
import { seedOf } from '../detection/Random.js';
import { FAULT_TYPES } from './faults.js';
import { MODES, SHAPES } from './generator.js';
import type { CaseSpec } from './simulate.js';

/** Number of distinct cells (shape × cadence × fault type). */
export const CELLS = SHAPES.length * MODES.length * FAULT_TYPES.length;

/** The i-th case of a run seeded with `seed`. */
export function caseAt(seed: number, i: number): CaseSpec {
  const cell = i % CELLS;
  const fault = FAULT_TYPES[cell % FAULT_TYPES.length]!;
  const mode = MODES[Math.floor(cell / FAULT_TYPES.length) % MODES.length]!;
  const shape = SHAPES[Math.floor(cell / (FAULT_TYPES.length * MODES.length))]!;
  return { id: `${shape}-${mode}-${fault}-${i}`, seed: seedOf('diagnosis', seed, i), shape, mode, fault };
}

/** The first `n` cases of a run. */
export function caseList(seed: number, n: number): CaseSpec[] {
  return Array.from({ length: n }, (_, i) => caseAt(seed, i));
}

/** The case a `--only` id names, or undefined when the id is not one of this seed's cases. */
export function caseById(seed: number, id: string): CaseSpec | undefined {
  const i = Number(id.slice(id.lastIndexOf('-') + 1));
  if (!Number.isInteger(i) || i < 0) return undefined;
  const c = caseAt(seed, i);
  return c.id === id ? c : undefined;
}
