/**
 * Protobuf codec for `opentelemetry.proto.common.v1` and `resource.v1`, shared by the
 * trace, logs and metrics codecs. Field numbers, from common.proto / resource.proto:
 *   AnyValue: string_value 1, bool_value 2, int_value 3 (int64), double_value 4,
 *             array_value 5 (ArrayValue{values 1}), kvlist_value 6 (KeyValueList{values 1}), bytes_value 7
 *   KeyValue: key 1, value 2
 *   InstrumentationScope: name 1, version 2, attributes 3, dropped_attributes_count 4
 *   Resource: attributes 1, dropped_attributes_count 2 (entity_refs 3 is skipped)
 */
import type { AnyValue, InstrumentationScope, KeyValue, Resource } from '../../model/otlp.js';
import type { ProtoReader } from './ProtoReader.js';
import type { ProtoWriter } from './ProtoWriter.js';

/**
 * Decodes an `AnyValue` ending at `end`. An empty AnyValue decodes to `{}`. The common case,
 * exactly one well-typed field, allocates just the result; anything else takes the general loop.
 */
export function decodeAnyValue(r: ProtoReader, end: number): AnyValue {
  if (r.pos >= end) return {};
  const start = r.pos;
  const tag = r.uint32();
  let v: AnyValue | undefined;
  switch (tag) {
    case 10:
      v = { stringValue: r.string() };
      break;
    case 16:
      v = { boolValue: r.bool() };
      break;
    case 24:
      v = { intValue: r.int64() };
      break;
    case 33:
      v = { doubleValue: r.double() };
      break;
    case 42:
      v = { arrayValue: { values: decodeArrayValues(r, r.delimited()) } };
      break;
  }
  if (v !== undefined && r.pos === end) return v;
  r.pos = start;
  return decodeAnyValueSlow(r, end);
}

function decodeArrayValues(r: ProtoReader, end: number): AnyValue[] {
  const values: AnyValue[] = [];
  const buf = r.buf;
  const max = r.limits.arrayLength;
  while (r.pos < end) {
    if (values.length >= max) {
      r.dropped += countElements(r, end);
      break;
    }
    const p = r.pos;
    // Summary events carry long arrays of doubles and small counts: match those element
    // encodings byte for byte (tag 1, length, tag 4 + 8 bytes / tag 3 + one-byte varint).
    if (buf[p] === 10 && p + 4 <= end) {
      const len = buf[p + 1];
      if (len === 9 && buf[p + 2] === 33 && p + 11 <= end) {
        values.push({ doubleValue: buf.readDoubleLE(p + 3) });
        r.pos = p + 11;
        continue;
      }
      if (len === 2 && buf[p + 2] === 24 && buf[p + 3] < 0x80) {
        values.push({ intValue: buf[p + 3] });
        r.pos = p + 4;
        continue;
      }
    }
    const t = r.uint32();
    if (t === 10) values.push(decodeAnyValue(r, r.delimited()));
    else r.other(t, 'ArrayValue', 1, 1);
  }
  return values;
}

/** Every field in order; for a oneof the last one wins, as proto3 parsers do. */
function decodeAnyValueSlow(r: ProtoReader, end: number): AnyValue {
  let v: AnyValue = {};
  while (r.pos < end) {
    const tag = r.uint32();
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wt !== 2) r.wrongType('AnyValue.string_value', wt);
        v = { stringValue: r.string() };
        break;
      case 2:
        if (wt !== 0) r.wrongType('AnyValue.bool_value', wt);
        v = { boolValue: r.bool() };
        break;
      case 3:
        if (wt !== 0) r.wrongType('AnyValue.int_value', wt);
        v = { intValue: r.int64() };
        break;
      case 4:
        if (wt !== 1) r.wrongType('AnyValue.double_value', wt);
        v = { doubleValue: r.double() };
        break;
      case 5:
        if (wt !== 2) r.wrongType('AnyValue.array_value', wt);
        v = { arrayValue: { values: decodeArrayValues(r, r.delimited()) } };
        break;
      case 6: {
        if (wt !== 2) r.wrongType('AnyValue.kvlist_value', wt);
        const e = r.delimited();
        const values: KeyValue[] = [];
        while (r.pos < e) {
          const t = r.uint32();
          if (t === 10) pushKeyValue(r, values, r.delimited(), r.limits.kvlistLength);
          else r.other(t, 'KeyValueList', 1, 1);
        }
        v = { kvlistValue: { values } };
        break;
      }
      case 7:
        if (wt !== 2) r.wrongType('AnyValue.bytes_value', wt);
        v = { bytesValue: r.bytes() };
        break;
      default:
        r.skip(wt);
    }
  }
  return v;
}

/** Counts the remaining length-delimited elements up to `end` without decoding them, and moves past them. */
function countElements(r: ProtoReader, end: number): number {
  let n = 0;
  while (r.pos < end) {
    const t = r.uint32();
    r.skip(t & 7);
    n++;
  }
  return n;
}

/**
 * Decodes the `KeyValue` ending at `end` into `list` while it holds fewer than `limit`,
 * otherwise skips it (counted in the reader's `dropped`). Returns false when it was dropped,
 * so the caller can add it to the item's `dropped_attributes_count`.
 */
export function pushKeyValue(r: ProtoReader, list: KeyValue[], end: number, limit: number): boolean {
  if (list.length < limit) {
    list.push(decodeKeyValue(r, end));
    return true;
  }
  r.pos = end;
  r.dropped++;
  return false;
}

/** Decodes a `KeyValue` ending at `end`. */
export function decodeKeyValue(r: ProtoReader, end: number): KeyValue {
  let key = '';
  let value: AnyValue = {};
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) key = r.string();
    else if (tag === 18) value = decodeAnyValue(r, r.delimited());
    else if (tag >>> 3 === 1 || tag >>> 3 === 2) r.wrongType(`KeyValue field ${tag >>> 3}`, tag & 7);
    else r.skip(tag & 7);
  }
  return { key, value };
}

/** Decodes a `Resource` ending at `end`. */
export function decodeResource(r: ProtoReader, end: number): Resource {
  const res: Resource = { attributes: [], droppedAttributesCount: 0 };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) {
      if (!pushKeyValue(r, res.attributes, r.delimited(), r.limits.attributeCount))
        res.droppedAttributesCount++;
    } else if (tag === 16) res.droppedAttributesCount += r.uint32();
    else if (tag >>> 3 === 1 || tag >>> 3 === 2) r.wrongType(`Resource field ${tag >>> 3}`, tag & 7);
    else r.skip(tag & 7);
  }
  return res;
}

/** Decodes an `InstrumentationScope` ending at `end`. */
export function decodeScope(r: ProtoReader, end: number): InstrumentationScope {
  const s: InstrumentationScope = { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        s.name = r.string();
        break;
      case 18:
        s.version = r.string();
        break;
      case 26:
        if (!pushKeyValue(r, s.attributes, r.delimited(), r.limits.attributeCount))
          s.droppedAttributesCount++;
        break;
      case 32:
        s.droppedAttributesCount += r.uint32();
        break;
      default:
        if (tag >>> 3 >= 1 && tag >>> 3 <= 4) r.wrongType(`InstrumentationScope field ${tag >>> 3}`, tag & 7);
        r.skip(tag & 7);
    }
  }
  return s;
}

/** An empty resource, for messages that omit it. */
export function emptyResource(): Resource {
  return { attributes: [], droppedAttributesCount: 0 };
}

/** An empty scope, for messages that omit it. */
export function emptyScope(): InstrumentationScope {
  return { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
}

/** Writes an `AnyValue` body (no tag, no length). */
export function encodeAnyValue(w: ProtoWriter, v: AnyValue): void {
  if (v.stringValue !== undefined) {
    w.tag(1, 2);
    w.string(v.stringValue);
  } else if (v.boolValue !== undefined) {
    w.tag(2, 0);
    w.varint32(v.boolValue ? 1 : 0);
  } else if (v.intValue !== undefined) {
    w.tag(3, 0);
    w.varint64(v.intValue);
  } else if (v.doubleValue !== undefined) {
    w.tag(4, 1);
    w.double(v.doubleValue);
  } else if (v.arrayValue !== undefined) {
    w.tag(5, 2);
    const a = w.fork();
    for (const x of v.arrayValue.values) {
      w.tag(1, 2);
      const s = w.fork();
      encodeAnyValue(w, x);
      w.join(s);
    }
    w.join(a);
  } else if (v.kvlistValue !== undefined) {
    w.tag(6, 2);
    const a = w.fork();
    encodeKeyValues(w, 1, v.kvlistValue.values);
    w.join(a);
  } else if (v.bytesValue !== undefined) {
    w.tag(7, 2);
    w.bytes(v.bytesValue);
  }
}

/** Writes each `KeyValue` as a repeated message field `field`. */
export function encodeKeyValues(w: ProtoWriter, field: number, kvs: readonly KeyValue[]): void {
  for (let i = 0; i < kvs.length; i++) {
    const kv = kvs[i];
    w.tag(field, 2);
    const s = w.fork();
    if (kv.key !== '') {
      w.tag(1, 2);
      w.string(kv.key);
    }
    w.tag(2, 2);
    const v = w.fork();
    encodeAnyValue(w, kv.value);
    w.join(v);
    w.join(s);
  }
}

/** Writes a `Resource` as message field `field`. */
export function encodeResource(w: ProtoWriter, field: number, res: Resource): void {
  w.tag(field, 2);
  const s = w.fork();
  encodeKeyValues(w, 1, res.attributes);
  if (res.droppedAttributesCount) {
    w.tag(2, 0);
    w.varint32(res.droppedAttributesCount);
  }
  w.join(s);
}

/** Writes an `InstrumentationScope` as message field `field`. */
export function encodeScope(w: ProtoWriter, field: number, sc: InstrumentationScope): void {
  w.tag(field, 2);
  const s = w.fork();
  if (sc.name) {
    w.tag(1, 2);
    w.string(sc.name);
  }
  if (sc.version) {
    w.tag(2, 2);
    w.string(sc.version);
  }
  encodeKeyValues(w, 3, sc.attributes);
  if (sc.droppedAttributesCount) {
    w.tag(4, 0);
    w.varint32(sc.droppedAttributesCount);
  }
  w.join(s);
}

/**
 * Writes the `Resource* { resource 1, scope_* 2, schema_url 3 }` / `Scope* { scope 1, items 2,
 * schema_url 3 }` envelope, which traces, logs and metrics share field for field; `item` writes
 * one span, log record or metric including its own tag.
 */
export function encodeEnvelope<
  R extends { resource: Resource; schemaUrl: string },
  S extends { scope: InstrumentationScope; schemaUrl: string },
  T,
>(
  w: ProtoWriter,
  resources: readonly R[],
  scopesOf: (r: R) => readonly S[],
  itemsOf: (s: S) => readonly T[],
  item: (w: ProtoWriter, t: T) => void,
): void {
  for (const rs of resources) {
    w.tag(1, 2);
    const a = w.fork();
    encodeResource(w, 1, rs.resource);
    for (const ss of scopesOf(rs)) {
      w.tag(2, 2);
      const b = w.fork();
      encodeScope(w, 1, ss.scope);
      for (const t of itemsOf(ss)) item(w, t);
      if (ss.schemaUrl) {
        w.tag(3, 2);
        w.string(ss.schemaUrl);
      }
      w.join(b);
    }
    if (rs.schemaUrl) {
      w.tag(3, 2);
      w.string(rs.schemaUrl);
    }
    w.join(a);
  }
}
