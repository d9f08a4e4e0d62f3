import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import fc from 'fast-check';
import { buildRequests } from '../../../bench/collector/workload.js';
import {
  lazyEventFailures,
  peekEventAttributes,
  rawEventAttributes,
} from '../../../src/collector/otlp/lazyEvent.js';
import { OtlpDecodeError } from '../../../src/collector/otlp/OtlpDecodeError.js';
import { ProtoWriter } from '../../../src/collector/otlp/ProtoWriter.js';
import { decodeTracesJson, encodeTracesJson } from '../../../src/collector/otlp/traceJson.js';
import { decodeTracesProto, encodeTracesProto } from '../../../src/collector/otlp/traceProto.js';
import type { KeyValue, Span, SpanEvent, TracesData } from '../../../src/model/otlp.js';
import { makeSdkSpans } from './sdkFixtures.js';

function allSpans(d: TracesData): Span[] {
  return d.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
}

function firstEvent(d: TracesData): SpanEvent {
  const ev = allSpans(d).find((s) => s.events.length > 0)?.events[0];
  assert.ok(ev, 'fixture has an event');
  return ev;
}

/** A one-span request whose only event is written by `writeEvent` (fields of Span.Event). */
function requestWithEvent(writeEvent: (w: ProtoWriter) => void): Uint8Array {
  const w = new ProtoWriter();
  w.tag(1, 2);
  const rs = w.fork();
  w.tag(2, 2);
  const ss = w.fork();
  w.tag(2, 2);
  const span = w.fork();
  w.tag(5, 2);
  w.string('s');
  w.tag(11, 2);
  const ev = w.fork();
  writeEvent(w);
  w.join(ev);
  w.join(span);
  w.join(ss);
  w.join(rs);
  return new Uint8Array(w.finish());
}

function stringAttr(w: ProtoWriter, key: string, value: string): void {
  w.tag(3, 2);
  const kv = w.fork();
  w.tag(1, 2);
  w.string(key);
  w.tag(2, 2);
  const v = w.fork();
  w.tag(1, 2);
  w.string(value);
  w.join(v);
  w.join(kv);
}

describe('lazy span event attributes', () => {
  it('re-encodes untouched summary events byte for byte', () => {
    const { bodies } = buildRequests(1, 16, true);
    assert.deepEqual(encodeTracesProto(decodeTracesProto(bodies[0])), bodies[0]);
  });

  it('lets a reader peek at the attributes without marking the event read', () => {
    const { bodies } = buildRequests(1, 2, true);
    const ev = firstEvent(decodeTracesProto(bodies[0]!));
    const peeked = peekEventAttributes(ev);
    assert.ok(rawEventAttributes(ev) !== undefined, 'still forwarded as received');
    assert.deepEqual(peeked, ev.attributes);
    assert.equal(rawEventAttributes(ev), undefined, 'reading `attributes` does mark it');
    assert.equal(peekEventAttributes(ev), ev.attributes);
  });

  it('keeps copies, not views, of a borrowed request buffer, so the buffer can be reused', () => {
    const { bodies } = buildRequests(1, 16, true);
    const borrowed = Buffer.from(bodies[0]);
    const data = decodeTracesProto(borrowed, true);
    borrowed.fill(0);
    assert.deepEqual(encodeTracesProto(data), bodies[0]);
    assert.deepEqual(data, decodeTracesProto(bodies[0]));
  });

  it('keeps copies of large and small attribute blocks alike (own buffer past half a slab, shared slab below)', () => {
    const body = requestWithEvent((w) => {
      stringAttr(w, 'big', 'x'.repeat(40_000));
    });
    const small = requestWithEvent((w) => {
      stringAttr(w, 'small', 'y'.repeat(300));
    });
    const decoded = [body, small, body, small].map((b) => {
      const borrowed = Buffer.from(b);
      const d = decodeTracesProto(borrowed, true);
      borrowed.fill(0);
      return d;
    });
    assert.deepEqual(
      decoded.map((d) => Buffer.from(encodeTracesProto(d))),
      [body, small, body, small].map((b) => Buffer.from(encodeTracesProto(decodeTracesProto(b)))),
    );
    assert.equal(firstEvent(decoded[0]).attributes[0].value.stringValue?.length, 40_000);
  });

  it('re-encodes reference SDK spans to the same bytes whether or not event attributes were read', async () => {
    const ref = ProtobufTraceSerializer.serializeRequest(await makeSdkSpans())!;
    const lazy = decodeTracesProto(ref);
    const untouched = Buffer.from(encodeTracesProto(lazy));
    for (const s of allSpans(lazy)) for (const ev of s.events) void ev.attributes;
    assert.deepEqual(untouched, Buffer.from(encodeTracesProto(lazy)));
    assert.deepEqual(decodeTracesProto(untouched), decodeTracesProto(ref));
  });

  it('encodes attributes changed in place or replaced after they were read', () => {
    const { bodies } = buildRequests(1, 2, true);
    const data = decodeTracesProto(bodies[0]);
    const [a, b] = allSpans(data);
    const evA = a.events[0];
    evA.attributes.push({ key: 'added', value: { stringValue: 'yes' } });
    evA.attributes[0].value = { intValue: 7 };
    const replaced: KeyValue[] = [{ key: 'only', value: { boolValue: true } }];
    b.events[0].attributes = replaced;
    const again = allSpans(decodeTracesProto(encodeTracesProto(data)));
    const attrsA = again[0].events[0].attributes;
    assert.deepEqual(attrsA.at(-1), { key: 'added', value: { stringValue: 'yes' } });
    assert.deepEqual(attrsA[0].value, { intValue: 7 });
    assert.deepEqual(again[1].events[0].attributes, replaced);
  });

  it('writes the decoded attributes of a lazy event to OTLP/JSON', () => {
    const { bodies } = buildRequests(1, 2, true);
    const lazy = decodeTracesProto(bodies[0]);
    const fromJson = decodeTracesJson(encodeTracesJson(lazy));
    const attrs = firstEvent(fromJson).attributes;
    assert.ok(attrs.length > 10, `summary event has its attributes, got ${attrs.length}`);
    assert.deepEqual(fromJson, decodeTracesProto(bodies[0]));
  });

  it('looks like a plain SpanEvent to spreads, clones and deep equality', () => {
    const bytes = requestWithEvent((w) => {
      w.tag(2, 2);
      w.string('e');
      stringAttr(w, 'k', 'v');
    });
    const ev = firstEvent(decodeTracesProto(bytes));
    const plain = {
      timeUnixNano: 0n,
      name: 'e',
      attributes: [{ key: 'k', value: { stringValue: 'v' } }],
      droppedAttributesCount: 0,
    };
    assert.deepEqual({ ...ev }, plain);
    assert.deepEqual(structuredClone(ev), plain);
    assert.deepEqual(ev, plain);
  });

  it('decodes attributes split by another field, keeping them all in order', () => {
    const bytes = requestWithEvent((w) => {
      stringAttr(w, 'a', '1');
      w.tag(2, 2);
      w.string('e');
      stringAttr(w, 'b', '2');
    });
    const ev = firstEvent(decodeTracesProto(bytes));
    assert.deepEqual(
      ev.attributes.map((kv) => kv.key),
      ['a', 'b'],
    );
    assert.equal(ev.name, 'e');
  });

  it('refuses a malformed attribute block when the request is decoded, not when it is read', () => {
    const wrongType = requestWithEvent((w) => {
      w.tag(3, 2);
      const kv = w.fork();
      w.tag(2, 2);
      const v = w.fork();
      w.tag(4, 0); // double_value as a varint
      w.varint32(1);
      w.join(v);
      w.join(kv);
    });
    assert.throws(() => decodeTracesProto(wrongType), /AnyValue.double_value has wire type 0/);
    const overrun = requestWithEvent((w) => {
      w.tag(3, 2);
      const kv = w.fork();
      w.tag(2, 2);
      w.varint32(4); // AnyValue claims 4 bytes; the KeyValue ends after 2 of them
      w.tag(1, 2);
      w.varint32(0);
      w.join(kv);
      w.tag(9, 0); // an unknown event field, read as the AnyValue's last 2 bytes
      w.varint32(1);
    });
    assert.throws(() => decodeTracesProto(overrun), /KeyValue runs past its length/);
    const nested = requestWithEvent((w) => {
      w.tag(3, 2);
      const kv = w.fork();
      w.tag(2, 2);
      const v = w.fork();
      const forks: number[] = [];
      for (let i = 0; i < 150; i++) {
        w.tag(5, 2);
        forks.push(w.fork());
        w.tag(1, 2);
        forks.push(w.fork());
      }
      while (forks.length) w.join(forks.pop()!);
      w.join(v);
      w.join(kv);
    });
    assert.throws(() => decodeTracesProto(nested), /nested more than/);
  });

  it('never fails on first read for any request that decoded (corrupted bodies)', () => {
    const { bodies } = buildRequests(1, 2, true);
    const body = bodies[0];
    const before = lazyEventFailures();
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(body.length - 1), byte: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const b = new Uint8Array(body);
          for (const e of edits) b[e.at] = e.byte;
          let data: TracesData;
          try {
            data = decodeTracesProto(b);
          } catch (err) {
            assert.ok(err instanceof OtlpDecodeError, String(err));
            return;
          }
          for (const s of allSpans(data)) for (const ev of s.events) void ev.attributes.length;
          encodeTracesProto(data);
        },
      ),
      { numRuns: 300 },
    );
    assert.equal(lazyEventFailures(), before);
  });
});
