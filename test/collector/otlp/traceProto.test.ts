import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import fc from 'fast-check';
import { OtlpDecodeError } from '../../../src/collector/otlp/OtlpDecodeError.js';
import { ProtoWriter } from '../../../src/collector/otlp/ProtoWriter.js';
import { decodeTracesJson, encodeTracesJson } from '../../../src/collector/otlp/traceJson.js';
import { decodeTracesProto, encodeTracesProto } from '../../../src/collector/otlp/traceProto.js';
import type { AnyValue, Span, TracesData } from '../../../src/model/otlp.js';
import { makeSdkSpans } from './sdkFixtures.js';

function allSpans(d: TracesData): Span[] {
  return d.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
}

function attr(s: Span, key: string): AnyValue | undefined {
  return s.attributes.find((a) => a.key === key)?.value;
}

describe('trace protobuf codec against @opentelemetry/otlp-transformer', () => {
  it('decodes the reference protobuf of real SDK spans with every field intact', async () => {
    const sdk = await makeSdkSpans();
    const data = decodeTracesProto(ProtobufTraceSerializer.serializeRequest(sdk)!);
    const spans = allSpans(data);
    assert.equal(spans.length, sdk.length);
    for (const s of sdk) {
      const got = spans.find((x) => x.spanId === s.spanContext().spanId)!;
      assert.ok(got, `span ${s.name} decoded`);
      assert.equal(got.traceId, s.spanContext().traceId);
      assert.equal(got.parentSpanId, s.parentSpanContext?.spanId ?? '');
      assert.equal(got.name, s.name);
      assert.equal(got.kind, s.kind + 1, 'API kind + 1 is the OTLP kind');
      assert.equal(got.startTimeUnixNano, BigInt(s.startTime[0]) * 1_000_000_000n + BigInt(s.startTime[1]));
      assert.equal(got.endTimeUnixNano, BigInt(s.endTime[0]) * 1_000_000_000n + BigInt(s.endTime[1]));
      assert.equal(got.droppedAttributesCount, s.droppedAttributesCount);
      assert.equal(got.droppedEventsCount, s.droppedEventsCount);
      assert.equal(got.droppedLinksCount, s.droppedLinksCount);
      assert.equal(got.events.length, s.events.length);
      assert.equal(got.links.length, s.links.length);
      assert.equal(got.status.code, s.status.code);
      assert.equal(got.status.message, s.status.message ?? '');
    }
    const root = spans.find((x) => x.name === 'pipeline.run')!;
    assert.deepEqual(attr(root, 'ml.str'), { stringValue: 'héllo wörld ✓' });
    assert.deepEqual(attr(root, 'ml.bool'), { boolValue: true });
    assert.deepEqual(attr(root, 'ml.int'), { intValue: 42 });
    assert.deepEqual(attr(root, 'ml.neg'), { intValue: -7 });
    assert.deepEqual(attr(root, 'ml.big'), { intValue: 2 ** 40 });
    assert.deepEqual(attr(root, 'ml.double'), { doubleValue: 3.25 });
    assert.deepEqual(attr(root, 'ml.strs'), {
      arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }, { stringValue: '' }] },
    });
    assert.deepEqual(attr(root, 'ml.doubles'), {
      arrayValue: { values: [{ doubleValue: 0.5 }, { doubleValue: 1.5 }] },
    });
    const big = spans.find((x) => x.name === 'inference')!;
    assert.equal(big.droppedAttributesCount, 8);
    assert.equal(big.droppedEventsCount, 3);
    assert.equal(big.droppedLinksCount, 2);
    const rs = data.resourceSpans[0];
    assert.deepEqual(rs.resource.attributes.find((a) => a.key === 'service.name')?.value, {
      stringValue: 'fraud-scoring',
    });
    assert.equal(rs.scopeSpans[0].scope.name, 'mlobs-test');
    assert.equal(rs.scopeSpans[0].scope.version, '1.2.3');
    assert.equal(rs.scopeSpans[0].schemaUrl, 'https://opentelemetry.io/schemas/1.30.0');
  });

  it('re-encodes decoded reference spans to bytes that decode to the same data', async () => {
    const bytes = ProtobufTraceSerializer.serializeRequest(await makeSdkSpans())!;
    const data = decodeTracesProto(bytes);
    const again = encodeTracesProto(data);
    assert.deepEqual(decodeTracesProto(again), data);
  });

  it('decodes the reference OTLP/JSON to exactly what the reference protobuf decodes to', async () => {
    const sdk = await makeSdkSpans();
    const fromProto = decodeTracesProto(ProtobufTraceSerializer.serializeRequest(sdk)!);
    const json = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(sdk)!);
    assert.deepEqual(decodeTracesJson(json), fromProto);
  });

  it('writes OTLP/JSON that reads back to the same data', async () => {
    const data = decodeTracesProto(ProtobufTraceSerializer.serializeRequest(await makeSdkSpans())!);
    const json = encodeTracesJson(data);
    assert.deepEqual(decodeTracesJson(json), data);
    assert.match(json, /"traceId":"[0-9a-f]{32}"/);
    assert.match(json, /"startTimeUnixNano":"\d+"/);
  });

  it('skips unknown fields of every wire type, as proto3 requires', async () => {
    const data = decodeTracesProto(ProtobufTraceSerializer.serializeRequest(await makeSdkSpans())!);
    const one: TracesData = { resourceSpans: [data.resourceSpans[0]] };
    const w = new ProtoWriter();
    w.tag(99, 0);
    w.varint64(123456789012n);
    w.tag(98, 1);
    w.fixed64(7n);
    w.tag(97, 2);
    w.string('future field');
    w.tag(96, 5);
    w.fixed32(9);
    encodeTracesProto(one, w);
    assert.deepEqual(decodeTracesProto(w.finish()), one);
  });

  it('refuses truncated bodies, wrong wire types and ids of the wrong length with a decode error', async () => {
    const bytes = ProtobufTraceSerializer.serializeRequest(await makeSdkSpans())!;
    for (const cut of [1, 7, Math.floor(bytes.length / 2), bytes.length - 1]) {
      assert.throws(() => decodeTracesProto(bytes.subarray(0, cut)), OtlpDecodeError, `cut at ${cut}`);
    }
    assert.throws(() => decodeTracesProto(Uint8Array.of(0x08, 0x01)), /resource_spans has wire type 0/);
    const badId = new ProtoWriter();
    badId.tag(1, 2);
    const a = badId.fork();
    badId.tag(2, 2);
    const b = badId.fork();
    badId.tag(2, 2);
    const c = badId.fork();
    badId.tag(1, 2);
    badId.bytes(Uint8Array.of(1, 2, 3));
    badId.join(c);
    badId.join(b);
    badId.join(a);
    assert.throws(() => decodeTracesProto(badId.finish()), /Span.trace_id must be 16 bytes, got 3/);
  });

  it('decodes an empty body as an empty request', () => {
    assert.deepEqual(decodeTracesProto(new Uint8Array(0)), { resourceSpans: [] });
  });

  it('round-trips arbitrary spans through protobuf and JSON', () => {
    const hex = (n: number) =>
      fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('hex'));
    const u64 = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });
    const anyValue: fc.Arbitrary<AnyValue> = fc.oneof(
      fc.string({ unit: 'grapheme' }).map((s) => ({ stringValue: s })),
      fc.boolean().map((b) => ({ boolValue: b })),
      fc.maxSafeInteger().map((n) => ({ intValue: n })),
      fc
        .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
        .filter((n) => n > BigInt(Number.MAX_SAFE_INTEGER) || n < -BigInt(Number.MAX_SAFE_INTEGER))
        .map((n) => ({ intValue: n })),
      fc
        .double({ noNaN: true, noDefaultInfinity: false })
        .filter((d) => !Object.is(d, -0))
        .map((d) => ({ doubleValue: d })),
      fc.uint8Array({ maxLength: 8 }).map((b) => ({ bytesValue: b })),
    );
    // Arrays exercise the decoder's byte-matching fast paths (doubles, one-byte ints) and their edges.
    const arrayValue: fc.Arbitrary<AnyValue> = fc
      .array(
        fc.oneof(
          fc
            .double({ noNaN: true })
            .filter((d) => !Object.is(d, -0))
            .map((d): AnyValue => ({ doubleValue: d })),
          fc.integer({ min: -300, max: 300 }).map((n): AnyValue => ({ intValue: n })),
          fc.string().map((x): AnyValue => ({ stringValue: x })),
        ),
        { maxLength: 6 },
      )
      .map((values) => ({ arrayValue: { values } }));
    const kv = fc.record({ key: fc.string(), value: fc.oneof(anyValue, arrayValue) });
    const span = fc.record({
      traceId: hex(16),
      spanId: hex(8),
      traceState: fc.string(),
      parentSpanId: fc.oneof(fc.constant(''), hex(8)),
      flags: fc.nat({ max: 0xffffffff }),
      name: fc.string(),
      kind: fc.integer({ min: 0, max: 5 }),
      startTimeUnixNano: u64,
      endTimeUnixNano: u64,
      attributes: fc.array(kv, { maxLength: 4 }),
      droppedAttributesCount: fc.nat(),
      events: fc.array(
        fc.record({
          timeUnixNano: u64,
          name: fc.string(),
          attributes: fc.array(kv, { maxLength: 2 }),
          droppedAttributesCount: fc.nat(),
        }),
        { maxLength: 2 },
      ),
      droppedEventsCount: fc.nat(),
      links: fc.array(
        fc.record({
          traceId: hex(16),
          spanId: hex(8),
          traceState: fc.string(),
          attributes: fc.array(kv, { maxLength: 2 }),
          droppedAttributesCount: fc.nat(),
          flags: fc.nat({ max: 0xffffffff }),
        }),
        { maxLength: 2 },
      ),
      droppedLinksCount: fc.nat(),
      status: fc.record({ code: fc.integer({ min: 0, max: 2 }), message: fc.string() }),
    });
    const data = fc.record({
      resourceSpans: fc.array(
        fc.record({
          resource: fc.record({
            attributes: fc.array(kv, { maxLength: 3 }),
            droppedAttributesCount: fc.nat(),
          }),
          scopeSpans: fc.array(
            fc.record({
              scope: fc.record({
                name: fc.string(),
                version: fc.string(),
                attributes: fc.array(kv, { maxLength: 2 }),
                droppedAttributesCount: fc.nat(),
              }),
              spans: fc.array(span, { maxLength: 3 }),
              schemaUrl: fc.string(),
            }),
            { maxLength: 2 },
          ),
          schemaUrl: fc.string(),
        }),
        { maxLength: 2 },
      ),
    });
    fc.assert(
      fc.property(data, (generated) => {
        const d = structuredClone(generated) as TracesData;
        assert.deepEqual(decodeTracesProto(encodeTracesProto(d)), d);
        assert.deepEqual(decodeTracesJson(encodeTracesJson(d)), d);
      }),
      { numRuns: 300 },
    );
  });
});
