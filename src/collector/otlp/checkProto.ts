/**
 * Structure checks for `KeyValue` / `AnyValue` bytes that are kept undecoded (lazy span event
 * attributes). They refuse whatever `decodeKeyValue` would refuse (wrong wire types of known
 * fields, truncated or overlong varints, lengths past the end, bad wire types in unknown
 * fields) and, more strictly, a nested message that runs past its own length or nests more
 * than {@link MAX_DEPTH} levels: the kept bytes are later decoded on their own, so they must
 * be self-contained. Nothing is allocated.
 */
import type { ProtoReader } from './ProtoReader.js';

/** AnyValue nesting (arrays and maps) accepted in kept bytes; real attributes nest one or two levels. */
export const MAX_DEPTH = 100;

/** Checks a `KeyValue` ending at `end`, leaving the reader at `end`. */
export function checkKeyValue(r: ProtoReader, end: number, depth = 0): void {
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) r.pos = r.delimited();
    else if (tag === 18) checkAnyValue(r, r.delimited(), depth);
    else if (tag >>> 3 === 1 || tag >>> 3 === 2) r.wrongType(`KeyValue field ${tag >>> 3}`, tag & 7);
    else r.skip(tag & 7);
  }
  if (r.pos !== end) r.fail('KeyValue runs past its length');
}

function checkAnyValue(r: ProtoReader, end: number, depth: number): void {
  if (depth >= MAX_DEPTH) r.fail(`AnyValue nested more than ${MAX_DEPTH} levels`);
  const buf = r.buf;
  while (r.pos < end) {
    const tag = r.uint32();
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
      case 7:
        if (wt !== 2) r.wrongType(tag >>> 3 === 1 ? 'AnyValue.string_value' : 'AnyValue.bytes_value', wt);
        r.pos = r.delimited();
        break;
      case 2:
      case 3:
        if (wt !== 0) r.wrongType(tag >>> 3 === 2 ? 'AnyValue.bool_value' : 'AnyValue.int_value', wt);
        r.skip(0);
        break;
      case 4:
        if (wt !== 1) r.wrongType('AnyValue.double_value', wt);
        r.skip(1);
        break;
      case 5: {
        if (wt !== 2) r.wrongType('AnyValue.array_value', wt);
        const e = r.delimited();
        let n = 0;
        while (r.pos < e) {
          // The two element shapes of summary arrays (double, small int), checked in place.
          let p = r.pos;
          const from = p;
          while (p + 11 <= e && buf[p] === 10 && buf[p + 1] === 9 && buf[p + 2] === 33) p += 11;
          n += (p - from) / 11;
          const mid = p;
          while (p + 4 <= e && buf[p] === 10 && buf[p + 1] === 2 && buf[p + 2] === 24 && buf[p + 3] < 0x80)
            p += 4;
          n += (p - mid) / 4;
          r.pos = p;
          if (p >= e) break;
          const t = r.uint32();
          if (t === 10) checkAnyValue(r, r.delimited(), depth + 1);
          else r.other(t, 'ArrayValue', 1, 1);
          n++;
        }
        if (n > r.limits.arrayLength) r.overLimit = true;
        if (r.pos !== e) r.fail('ArrayValue runs past its length');
        break;
      }
      case 6: {
        if (wt !== 2) r.wrongType('AnyValue.kvlist_value', wt);
        const e = r.delimited();
        let n = 0;
        while (r.pos < e) {
          const t = r.uint32();
          if (t === 10) checkKeyValue(r, r.delimited(), depth + 1);
          else r.other(t, 'KeyValueList', 1, 1);
          n++;
        }
        if (n > r.limits.kvlistLength) r.overLimit = true;
        if (r.pos !== e) r.fail('KeyValueList runs past its length');
        break;
      }
      default:
        r.skip(wt);
    }
  }
  if (r.pos !== end) r.fail('AnyValue runs past its length');
}
