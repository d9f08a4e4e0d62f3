/**
 * OTLP/JSON helpers shared by the trace, logs and metrics JSON codecs. The rules come from
 * the OTLP specification's JSON encoding: trace and span ids are hex strings (not base64),
 * enums are integers, field names are lowerCamelCase (snake_case is also accepted, as proto3
 * JSON parsers must), 64-bit integers may be strings or numbers, bytes are base64.
 * Decoders name the JSON path of whatever is wrong (`resourceSpans[0].scopeSpans[1]...`).
 */
import type { AnyValue, InstrumentationScope, KeyValue, Resource } from '../../model/otlp.js';
import { OtlpDecodeError } from './OtlpDecodeError.js';

/** A parsed JSON object. */
export type Json = Record<string, unknown>;

const SNAKE = new Map<string, string>();

/** Reads `camel` from `o`, falling back to its snake_case spelling. */
export function field(o: Json, camel: string): unknown {
  const v = o[camel];
  if (v !== undefined) return v;
  let snake = SNAKE.get(camel);
  if (snake === undefined) {
    snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    SNAKE.set(camel, snake);
  }
  return snake === camel ? undefined : o[snake];
}

/**
 * A decode error that knows its JSON path. Paths are built only when something fails:
 * each level catches the error of its child and prepends its own segment, so decoding a
 * valid body builds no path strings at all.
 */
export class JsonPathError extends OtlpDecodeError {
  constructor(
    /** Where, relative to the level that caught it last (`$` = this value itself). */
    readonly path: string,
    /** What is wrong. */
    readonly reason: string,
  ) {
    super(`invalid OTLP/JSON at ${path}: ${reason}`);
  }
}

/** Throws a {@link JsonPathError} at `path`. */
export function bad(path: string, message: string): never {
  throw new JsonPathError(path, message);
}

/** Rethrows `err` with `prefix` prepended to its path (other errors pass through unchanged). */
export function rethrowAt(err: unknown, prefix: string): never {
  if (!(err instanceof JsonPathError)) throw err;
  const path =
    err.path === '$' ? prefix : err.path.startsWith('[') ? prefix + err.path : `${prefix}.${err.path}`;
  throw new JsonPathError(path, err.reason);
}

/** Decodes each element with `decode`; an error names `name[i]` in front of the element's own path. */
export function mapAt<T>(items: unknown[], name: string, decode: (item: unknown) => T): T[] {
  const out: T[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    try {
      out[i] = decode(items[i]);
    } catch (err) {
      rethrowAt(err, `${name}[${i}]`);
    }
  }
  return out;
}

/** Runs `decode`; an error names `name` in front of its own path. */
export function at<T>(name: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    return rethrowAt(err, name);
  }
}

/** Parses a JSON body into an object, failing with a decode error instead of a SyntaxError. */
export function parseJsonBody(text: string): Json {
  // As the Collector: an empty body or `null` is not a request (protobuf's empty message is).
  if (text.trim() === '') bad('$', 'empty body, expected a JSON object');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    bad('$', `not JSON (${(err as Error).message})`);
  }
  if (v === null) bad('$', 'expected an object, got null');
  return obj(v, '$') ?? {};
}

/** An object or undefined for null/absent; anything else is an error. */
export function obj(v: unknown, path: string): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) bad(path, 'expected an object');
  return v as Json;
}

/** An array, [] for null/absent. */
export function arr(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) bad(path, 'expected an array');
  return v;
}

/** A string, '' for null/absent. */
export function str(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') bad(path, 'expected a string');
  return v;
}

/** A boolean, false for null/absent. */
export function bool(v: unknown, path: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') bad(path, 'expected a boolean');
  return v;
}

const INT_RE = /^-?\d+$/;

/** A 64-bit integer given as a number or a decimal string: number when safe, bigint otherwise. */
export function int64(v: unknown, path: string): number | bigint {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) bad(path, `expected an integer, got ${v}`);
    return v;
  }
  if (typeof v === 'string' && INT_RE.test(v)) {
    const n = Number(v);
    if (Number.isSafeInteger(n)) return n;
    const b = BigInt(v);
    if (b > 0xffffffffffffffffn || b < -0x8000000000000000n) bad(path, 'integer out of 64-bit range');
    return b;
  }
  return bad(path, 'expected an integer or a decimal string');
}

/** An unsigned 64-bit timestamp in nanoseconds as bigint. */
export function nanos(v: unknown, path: string): bigint {
  if (v === undefined || v === null) return 0n;
  const n = int64(v, path);
  if (n < 0) bad(path, 'expected a non-negative integer');
  return BigInt(n);
}

/** A 32-bit integer (counts, flags, enums); enum names are looked up in `names` when given. */
export function int32(v: unknown, path: string, names?: Record<string, number>): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string' && names !== undefined && names[v] !== undefined) return names[v];
  const n = int64(v, path);
  if (typeof n !== 'number' || n > 0xffffffff || n < -0x80000000) bad(path, 'integer out of 32-bit range');
  return n;
}

/** A double: a number, or 'NaN' / 'Infinity' / '-Infinity' as proto3 JSON spells them. */
export function double(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return bad(path, 'expected a number');
}

/** An optional double: undefined when absent. */
export function optDouble(v: unknown, path: string): number | undefined {
  return v === undefined || v === null ? undefined : double(v, path);
}

const HEX_RE = /^[0-9a-fA-F]*$/;

/** A trace or span id: '' or exactly `size` bytes of hex, returned lowercase. */
export function hexId(v: unknown, path: string, size: number): string {
  const s = str(v, path);
  if (s.length === 0) return s;
  if (s.length !== size * 2 || !HEX_RE.test(s)) bad(path, `expected ${size * 2} hex digits, got "${s}"`);
  return s.toLowerCase();
}

/** Base64 (standard or URL-safe) to bytes. */
export function base64(v: unknown, path: string): Uint8Array {
  const s = str(v, path);
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(s)) bad(path, 'expected base64');
  return new Uint8Array(Buffer.from(s, 'base64'));
}

/** Decodes an AnyValue; errors are relative to the value (`intValue`, `arrayValue.values[2]`). */
export function anyValue(v: unknown): AnyValue {
  const o = obj(v, '$');
  if (o === undefined) return {};
  let x: unknown = field(o, 'stringValue');
  if (x !== undefined && x !== null) return { stringValue: str(x, 'stringValue') };
  x = field(o, 'boolValue');
  if (x !== undefined && x !== null) return { boolValue: bool(x, 'boolValue') };
  x = field(o, 'intValue');
  if (x !== undefined && x !== null) return { intValue: int64(x, 'intValue') };
  x = field(o, 'doubleValue');
  if (x !== undefined && x !== null) return { doubleValue: double(x, 'doubleValue') };
  x = field(o, 'arrayValue');
  if (x !== undefined && x !== null) {
    const items = arr(obj(x, 'arrayValue')?.values, 'arrayValue.values');
    return { arrayValue: { values: mapAt(items, 'arrayValue.values', anyValue) } };
  }
  x = field(o, 'kvlistValue');
  if (x !== undefined && x !== null) {
    return { kvlistValue: { values: keyValues(obj(x, 'kvlistValue')?.values, 'kvlistValue.values') } };
  }
  x = field(o, 'bytesValue');
  if (x !== undefined && x !== null) return { bytesValue: base64(x, 'bytesValue') };
  return {};
}

function keyValue(v: unknown): KeyValue {
  const o = obj(v, '$') ?? {};
  const key = str(o.key, 'key');
  try {
    return { key, value: anyValue(o.value) };
  } catch (err) {
    return rethrowAt(err, 'value');
  }
}

/** Decodes a repeated KeyValue found under `name`. */
export function keyValues(v: unknown, name: string): KeyValue[] {
  return mapAt(arr(v, name), name, keyValue);
}

/** Decodes a Resource found under `name`. */
export function resource(v: unknown, name: string): Resource {
  const o = obj(v, name) ?? {};
  return at(name, () => ({
    attributes: keyValues(o.attributes, 'attributes'),
    droppedAttributesCount: int32(field(o, 'droppedAttributesCount'), 'droppedAttributesCount'),
  }));
}

/** Decodes an InstrumentationScope found under `name`. */
export function scope(v: unknown, name: string): InstrumentationScope {
  const o = obj(v, name) ?? {};
  return at(name, () => ({
    name: str(o.name, 'name'),
    version: str(o.version, 'version'),
    attributes: keyValues(o.attributes, 'attributes'),
    droppedAttributesCount: int32(field(o, 'droppedAttributesCount'), 'droppedAttributesCount'),
  }));
}

/** AnyValue to its OTLP/JSON form. */
export function anyValueJson(v: AnyValue): Json {
  if (v.stringValue !== undefined) return { stringValue: v.stringValue };
  if (v.boolValue !== undefined) return { boolValue: v.boolValue };
  if (v.intValue !== undefined) return { intValue: String(v.intValue) };
  if (v.doubleValue !== undefined) return { doubleValue: doubleJson(v.doubleValue) };
  if (v.arrayValue !== undefined) return { arrayValue: { values: v.arrayValue.values.map(anyValueJson) } };
  if (v.kvlistValue !== undefined) return { kvlistValue: { values: keyValuesJson(v.kvlistValue.values) } };
  if (v.bytesValue !== undefined) return { bytesValue: Buffer.from(v.bytesValue).toString('base64') };
  return {};
}

/** A double as proto3 JSON writes it (non-finite values as strings). */
export function doubleJson(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

/** Repeated KeyValue to OTLP/JSON. */
export function keyValuesJson(kvs: readonly KeyValue[]): Json[] {
  const out: Json[] = new Array(kvs.length);
  for (let i = 0; i < kvs.length; i++) out[i] = { key: kvs[i].key, value: anyValueJson(kvs[i].value) };
  return out;
}

/** Resource to OTLP/JSON. */
export function resourceJson(r: Resource): Json {
  const o: Json = { attributes: keyValuesJson(r.attributes) };
  if (r.droppedAttributesCount) o.droppedAttributesCount = r.droppedAttributesCount;
  return o;
}

/** InstrumentationScope to OTLP/JSON. */
export function scopeJson(s: InstrumentationScope): Json {
  const o: Json = { name: s.name };
  if (s.version) o.version = s.version;
  if (s.attributes.length) o.attributes = keyValuesJson(s.attributes);
  if (s.droppedAttributesCount) o.droppedAttributesCount = s.droppedAttributesCount;
  return o;
}
