/**
 * Example values must be of the attribute's type, following the OTel syntax: a single
 * example may be written bare, and an array attribute's examples are a list of lists (a
 * flat list is read as one example).
 */
import type { AttributeType, PrimitiveType } from './types.js';

/** The examples as a list of single examples, or a problem when their shape cannot fit the type. */
export function normalizeExamples(
  type: AttributeType,
  raw: unknown,
): { examples: unknown[]; problem: string } {
  if (raw === undefined || raw === null) {
    return { examples: [], problem: type.kind === 'enum' ? '' : 'examples are missing' };
  }
  const isArrayType = type.kind === 'primitive' && type.name.endsWith('[]');
  if (!isArrayType) return { examples: Array.isArray(raw) ? raw : [raw], problem: '' };
  if (!Array.isArray(raw)) {
    return { examples: [], problem: `example ${show(raw)} must be a list for type ${typeName(type)}` };
  }
  const nested = raw.filter((e) => Array.isArray(e)).length;
  if (nested === raw.length && raw.length > 0) return { examples: raw, problem: '' };
  if (nested === 0) return { examples: [raw], problem: '' };
  return {
    examples: [],
    problem: `examples mix lists and single values; write one list per example for type ${typeName(type)}`,
  };
}

/** Problems with each example that does not match the type (one message per bad example). */
export function exampleProblems(type: AttributeType, examples: unknown[]): string[] {
  const problems: string[] = [];
  for (const example of examples) {
    if (!matchesType(type, example)) {
      problems.push(`example ${show(example)} does not match type ${typeName(type)}`);
    }
  }
  return problems;
}

/** Whether a value is of the attribute's type (enum: one of the member values). */
export function matchesType(type: AttributeType, value: unknown): boolean {
  if (type.kind === 'enum') return type.members.some((m) => m.value === value);
  const name: PrimitiveType = type.name;
  if (name.endsWith('[]')) {
    const element = name.slice(0, -2) as PrimitiveType;
    return Array.isArray(value) && value.every((v) => matchesScalar(element, v));
  }
  return matchesScalar(name, value);
}

function matchesScalar(name: PrimitiveType, value: unknown): boolean {
  switch (name) {
    case 'string':
      return typeof value === 'string';
    case 'int':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'double':
      // OTLP/JSON cannot carry NaN or Infinity, so an example holding one would teach the wrong thing.
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return false;
  }
}

/** The type as written in the YAML, for messages and docs. */
export function typeName(type: AttributeType): string {
  return type.kind === 'enum' ? 'enum' : type.name;
}

function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(show).join(',')}]`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? String(value);
}
