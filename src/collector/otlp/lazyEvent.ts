/**
 * Span events whose attributes stay as protobuf bytes until someone reads them.
 *
 * A collector forwards most events untouched; only the `ml` processor reads the summary
 * events, which carry hundreds of AnyValues each. So the trace decoder checks an event's
 * attribute fields for well-formedness (a malformed request is still refused up front with
 * 400 / INVALID_ARGUMENT) and keeps them as a view of the request bytes; the first read of
 * `attributes` decodes them, and the encoder copies the bytes back verbatim if nobody did.
 *
 * The event stays a plain object (prototype `Object.prototype`, `attributes` an own
 * enumerable accessor) so spreads, `structuredClone`, JSON and deep equality see an ordinary
 * `SpanEvent`. Any read counts as a possible mutation: from then on the decoded array is
 * what gets encoded. A reader that only looks (the `ml` processor) uses
 * {@link peekEventAttributes} instead, which leaves the event unread. The view keeps the request buffer alive as long as the event lives,
 * which costs less than the decoded objects it stands in for; a receiver that reuses its
 * request buffers decodes with a borrowing reader, and each event keeps a copy instead.
 */
import { diag } from '@opentelemetry/api';
import type { KeyValue, SpanEvent } from '../../model/otlp.js';
import { checkKeyValue } from './checkProto.js';
import { decodeKeyValue, pushKeyValue } from './commonProto.js';
import { ProtoReader } from './ProtoReader.js';

const STATE = Symbol('mlobs.lazyEventAttributes');

interface LazyState {
  [STATE]: Uint8Array | KeyValue[];
}

let failures = 0;

function getAttributes(this: LazyState): KeyValue[] {
  const s = this[STATE];
  if (!(s instanceof Uint8Array)) return s;
  const kvs = decodeRawAttributes(s);
  this[STATE] = kvs;
  return kvs;
}

function setAttributes(this: LazyState, v: KeyValue[]): void {
  this[STATE] = v;
}

const ACCESSOR: PropertyDescriptor = {
  get: getAttributes,
  set: setAttributes,
  enumerable: true,
  configurable: true,
};

/**
 * Decodes the bytes checked at receive time. They cannot fail short of a bug; if they do, the
 * reader gets no attributes rather than an exception in the middle of a pipeline.
 */
function decodeRawAttributes(raw: Uint8Array): KeyValue[] {
  const out: KeyValue[] = [];
  try {
    const r = new ProtoReader(raw);
    while (r.pos < r.end) {
      if (r.uint32() !== 26) r.fail('Span.Event attribute block holds another field');
      out.push(decodeKeyValue(r, r.delimited()));
    }
    return out;
  } catch (err) {
    if (failures++ === 0) diag.warn(`mlobs: span event attributes could not be decoded: ${String(err)}`);
    return [];
  }
}

/**
 * Decodes a `Span.Event` ending at `end` (time 1 fixed64, name 2, attributes 3, dropped 4).
 * Its attribute fields are checked, not decoded, and kept as a view of the request when they
 * are consecutive, as every encoder writes them; attributes split by other fields decode now.
 */
export function decodeSpanEvent(r: ProtoReader, end: number): SpanEvent {
  const start = r.pos;
  let timeUnixNano = 0n;
  let name = '';
  let dropped = 0;
  let first = -1;
  let last = -1;
  let split = false;
  let count = 0;
  r.overLimit = false;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.uint32();
    switch (tag) {
      case 9:
        timeUnixNano = r.fixed64();
        break;
      case 18:
        name = r.string();
        break;
      case 26:
        if (first < 0) first = at;
        else if (last !== at) split = true;
        checkKeyValue(r, r.delimited());
        last = r.pos;
        count++;
        break;
      case 32:
        dropped += r.uint32();
        break;
      default:
        if (tag >>> 3 >= 1 && tag >>> 3 <= 4) r.wrongType(`Span.Event field ${tag >>> 3}`, tag & 7);
        r.skip(tag & 7);
    }
  }
  // Over a limit, the event is decoded now with the limits applied, so nothing lazy can outgrow them.
  const trim = count > r.limits.eventAttributeCount || r.overLimit;
  if (first >= 0 && !split && !trim) return lazySpanEvent(timeUnixNano, name, dropped, keep(r, first, last));
  const attributes: KeyValue[] = [];
  if (split || trim) {
    // Everything here was checked by the loop above.
    r.pos = start;
    const limit = r.limits.eventAttributeCount;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === 26) {
        if (!pushKeyValue(r, attributes, r.delimited(), limit)) dropped++;
      } else r.skip(tag & 7);
    }
  }
  return { timeUnixNano, name, attributes, droppedAttributesCount: dropped };
}

/** Size of the slabs that copies of kept blocks are carved from. */
const SLAB_SIZE = 64 * 1024;
let slab = Buffer.alloc(0);
let slabUsed = 0;

/**
 * The bytes from `first` to `last` for keeping: a view of the request, or, when the request
 * buffer is borrowed (reused after decoding), a copy. Copies up to half a slab share 64 KiB
 * slabs (a few spans' worth, which live and die together): one allocation per several events
 * costs less, in allocation and garbage collection, than one each. A slab lives as long as
 * any event in it.
 */
function keep(r: ProtoReader, first: number, last: number): Uint8Array {
  if (!r.borrowed) return r.buf.subarray(first, last);
  const n = last - first;
  if (n > SLAB_SIZE / 2) {
    const own = Buffer.allocUnsafeSlow(n);
    r.buf.copy(own, 0, first, last);
    return own;
  }
  if (slab.length - slabUsed < n) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    slabUsed = 0;
  }
  r.buf.copy(slab, slabUsed, first, last);
  const out = slab.subarray(slabUsed, slabUsed + n);
  slabUsed += n;
  return out;
}

/**
 * A `SpanEvent` whose `attributes` are `raw`: consecutive `Span.Event.attributes` fields (tag
 * and length included), already checked with `checkKeyValue`.
 */
function lazySpanEvent(
  timeUnixNano: bigint,
  name: string,
  droppedAttributesCount: number,
  raw: Uint8Array,
): SpanEvent {
  const ev = { timeUnixNano, name, droppedAttributesCount } as SpanEvent & LazyState;
  Object.defineProperty(ev, 'attributes', ACCESSOR);
  Object.defineProperty(ev, STATE, { value: raw, writable: true, enumerable: false, configurable: true });
  return ev;
}

/**
 * The attributes of `ev` for reading only: decoded from the kept bytes without keeping the
 * result, so the event stays unread and the exporter still forwards its original bytes. The
 * caller must not change what it gets (it may be the event's own array).
 */
export function peekEventAttributes(ev: SpanEvent): readonly KeyValue[] {
  const s = (ev as Partial<LazyState>)[STATE];
  return s instanceof Uint8Array ? decodeRawAttributes(s) : ev.attributes;
}

/** The still-undecoded attribute fields of `ev`, or undefined once read, assigned, or never lazy. */
export function rawEventAttributes(ev: SpanEvent): Uint8Array | undefined {
  const s = (ev as Partial<LazyState>)[STATE];
  return s instanceof Uint8Array ? s : undefined;
}

/** How many lazy attribute blocks failed to decode on first read (expected to stay 0). */
export function lazyEventFailures(): number {
  return failures;
}
