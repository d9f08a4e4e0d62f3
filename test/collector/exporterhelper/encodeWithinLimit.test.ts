import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildRequests } from '../../../bench/collector/workload.js';
import { BufferPool } from '../../../src/collector/exporterhelper/BufferPool.js';
import {
  type EncodedParts,
  encodeWithinLimit,
} from '../../../src/collector/exporterhelper/encodeWithinLimit.js';
import { encodeLogsProto } from '../../../src/collector/otlp/logsProto.js';
import { SIGNAL_CODECS } from '../../../src/collector/otlp/signals.js';
import { decodeTracesProto, encodeTracesProto } from '../../../src/collector/otlp/traceProto.js';
import type { AnyData } from '../../../src/collector/processors/batch/splitBatch.js';
import type { LogsData, ResourceSpans, TracesData } from '../../../src/model/otlp.js';
import { logsOf, testLogRecord } from '../helpers.js';
import { paddedTraces } from '../otlp/paddedFixtures.js';

/** Every span name with its resource's service and its scope, in order. */
function flat(d: TracesData): string[] {
  return d.resourceSpans.flatMap((rs) =>
    rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((s) => `${rs.resource.attributes[0].value.stringValue}/${ss.scope.name}/${s.name}`),
    ),
  );
}

const encode = (d: AnyData) => encodeTracesProto(d as TracesData);

/** Ten log records of ~900 bytes each (bodies "0....", "1....", ...). */
function tenLogRecords(): LogsData {
  return logsOf(
    Array.from({ length: 10 }, (_, i) =>
      testLogRecord({ timeUnixNano: BigInt(i), body: { stringValue: `${i}`.padEnd(900, '.') } }),
    ),
  );
}

describe('encodeWithinLimit', () => {
  it('keeps a batch within the limit as one request', () => {
    const data = paddedTraces(3, () => 100);
    const out = encodeWithinLimit('traces', data, 12, 64 * 1024, encode);
    assert.equal(out.parts.length, 1);
    assert.deepEqual(out.parts[0].body, encodeTracesProto(data));
    assert.equal(out.oversized, 0);
  });

  it('splits a large batch into requests under the limit that keep every span, its resource and scope, in order', () => {
    const data = paddedTraces(25, () => 1000);
    const whole = encodeTracesProto(data).length;
    const limit = 8 * 1024;
    const out = encodeWithinLimit('traces', data, 100, limit, encode);
    assert.ok(out.parts.length >= Math.ceil(whole / limit), `${out.parts.length} parts for ${whole} bytes`);
    for (const p of out.parts) assert.ok(p.body.length <= limit, `part of ${p.body.length} bytes`);
    const back = out.parts.map((p) => decodeTracesProto(p.body));
    assert.deepEqual(back.flatMap(flat), flat(data));
    assert.deepEqual(
      out.parts.map((p) => p.count),
      back.map((d) => flat(d).length),
    );
  });

  it('cuts a batch many times over the limit without encoding it whole first', () => {
    const data = paddedTraces(300, () => 1000);
    const whole = encodeTracesProto(data).length;
    let encodedBytes = 0;
    const counting = (d: AnyData) => {
      const b = encode(d);
      encodedBytes += b.length;
      return b;
    };
    const out = encodeWithinLimit('traces', data, 1200, 64 * 1024, counting);
    assert.ok(encodedBytes < whole * 1.2, `encoded ${encodedBytes} bytes for a ${whole}-byte batch`);
    for (const p of out.parts) assert.ok(p.body.length <= 64 * 1024);
    assert.deepEqual(
      out.parts.flatMap((p) => flat(decodeTracesProto(p.body))),
      flat(data),
    );
  });

  it('still fits every part when the first spans are much smaller than the rest', () => {
    const data = paddedTraces(100, (i, _j, k) => (i === 0 && k < 80 ? 10 : 3000));
    const out = encodeWithinLimit('traces', data, 400, 32 * 1024, encode);
    for (const p of out.parts) assert.ok(p.body.length <= 32 * 1024);
    assert.deepEqual(
      out.parts.flatMap((p) => flat(decodeTracesProto(p.body))),
      flat(data),
    );
  });

  it('refuses only the spans that are over the limit on their own, and sends the rest', () => {
    const data = paddedTraces(4, (i, j, k) => (i === 1 && j === 0 && k === 2 ? 20_000 : 500));
    const out = encodeWithinLimit('traces', data, 16, 4096, encode);
    assert.equal(out.oversized, 1);
    assert.ok(out.largest > 20_000);
    assert.equal(
      out.parts.reduce((n, p) => n + p.count, 0),
      15,
    );
  });

  it('splits log batches the same way', () => {
    const logs = tenLogRecords();
    const out = encodeWithinLimit('logs', logs, 10, 2048, (d) => encodeLogsProto(d as LogsData));
    assert.ok(out.parts.length >= 5);
    for (const p of out.parts) assert.ok(p.body.length <= 2048);
    assert.equal(
      out.parts.reduce((n, p) => n + p.count, 0),
      10,
    );
  });

  it('never loses or duplicates a span, and refuses exactly those too large alone, whatever the sizes and limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 4, maxLength: 40 }),
        fc.integer({ min: 1024, max: 20_000 }),
        (sizes, limit) => {
          const perScope = Math.ceil(sizes.length / 4);
          const data = paddedTraces(perScope, (i, j, k) => sizes[(i * 2 + j) * perScope + k] ?? 10);
          const out = encodeWithinLimit('traces', data, perScope * 4, limit, encode);
          const alone = data.resourceSpans.flatMap((rs) =>
            rs.scopeSpans.flatMap((ss) =>
              ss.spans.map((s) => ({
                name: `${rs.resource.attributes[0].value.stringValue}/${ss.scope.name}/${s.name}`,
                size: encode({ resourceSpans: [{ ...rs, scopeSpans: [{ ...ss, spans: [s] }] }] }).length,
              })),
            ),
          );
          const sent = out.parts.flatMap((p) => flat(decodeTracesProto(p.body)));
          assert.deepEqual(
            sent,
            alone.filter((a) => a.size <= limit).map((a) => a.name),
          );
          assert.equal(out.oversized, alone.filter((a) => a.size > limit).length);
          for (const p of out.parts) assert.ok(p.body.length <= limit);
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** The one-pass protobuf encoder, through the codec table as the exporters call it. */
const stream = (d: TracesData, limit: number, pool?: BufferPool): EncodedParts =>
  SIGNAL_CODECS.traces.encodeProtoWithinLimit!(d, limit, pool);

/** Encoded size of the request holding just one span of `rs`/`ss`. */
function aloneSize(rs: ResourceSpans, ss: ResourceSpans['scopeSpans'][number], i: number): number {
  return encode({ resourceSpans: [{ ...rs, scopeSpans: [{ ...ss, spans: [ss.spans[i]] }] }] }).length;
}

describe('encodeEnvelopesWithinLimit (protobuf traces and logs in one pass)', () => {
  it('writes a batch within the limit as one request, byte for byte what encodeTracesProto writes', () => {
    const data = paddedTraces(3, (i) => (i === 0 ? 100 : 400));
    data.resourceSpans[1].schemaUrl = 'https://opentelemetry.io/schemas/1.26.0';
    data.resourceSpans[0].scopeSpans[1].schemaUrl = 'https://example.com/scope';
    const out = stream(data, 64 * 1024);
    assert.equal(out.parts.length, 1);
    assert.equal(out.parts[0].count, 12);
    assert.deepEqual(Buffer.from(out.parts[0].body), Buffer.from(encodeTracesProto(data)));
    assert.equal(out.oversized, 0);
  });

  it('writes the same bytes whatever the length bytes reserved for the groups (limits from 100 B to 1 GiB)', () => {
    const data = paddedTraces(2, (_i, _j, k) => (k === 0 ? 5 : 200));
    const whole = Buffer.from(encodeTracesProto(data));
    for (const limit of [whole.length, 20_000, 3_000_000, 2 ** 30]) {
      const out = stream(data, limit);
      assert.equal(out.parts.length, 1, `limit ${limit}`);
      assert.deepEqual(Buffer.from(out.parts[0].body), whole, `limit ${limit}`);
    }
  });

  it('cuts at the limit: each request is full up to the next span and keeps resources, scopes and order', () => {
    const data = paddedTraces(25, () => 1000);
    const limit = 8 * 1024;
    const out = stream(data, limit);
    const back = out.parts.map((p) => decodeTracesProto(p.body));
    assert.deepEqual(back.flatMap(flat), flat(data));
    assert.deepEqual(
      out.parts.map((p) => p.count),
      back.map((d) => flat(d).length),
    );
    for (const p of out.parts) assert.ok(p.body.length <= limit, `part of ${p.body.length} bytes`);
    // Greedy: the first span of the next request would not have fitted.
    for (let i = 0; i + 1 < back.length; i++) {
      const next = back[i + 1].resourceSpans[0];
      const span = next.scopeSpans[0].spans[0];
      const withNext = encode({
        resourceSpans: [
          ...back[i].resourceSpans,
          { ...next, scopeSpans: [{ ...next.scopeSpans[0], spans: [span] }] },
        ],
      });
      assert.ok(withNext.length > limit - 64, `request ${i} could have taken more`);
    }
    assert.equal(out.oversized, 0);
  });

  it('never loses or duplicates a span, and refuses exactly those too large alone, with their size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 4, maxLength: 40 }),
        fc.integer({ min: 200, max: 20_000 }),
        (sizes, limit) => {
          const perScope = Math.ceil(sizes.length / 4);
          const data = paddedTraces(perScope, (i, j, k) => sizes[(i * 2 + j) * perScope + k] ?? 10);
          const out = stream(data, limit);
          const alone = data.resourceSpans.flatMap((rs) =>
            rs.scopeSpans.flatMap((ss) =>
              ss.spans.map((s, k) => ({
                name: `${rs.resource.attributes[0].value.stringValue}/${ss.scope.name}/${s.name}`,
                size: aloneSize(rs, ss, k),
              })),
            ),
          );
          const sent = out.parts.flatMap((p) => flat(decodeTracesProto(p.body)));
          const fits = alone.filter((a) => a.size <= limit);
          const over = alone.filter((a) => a.size > limit);
          assert.deepEqual(
            sent,
            fits.map((a) => a.name),
          );
          assert.equal(out.oversized, over.length);
          assert.equal(out.largest, Math.max(0, ...over.map((a) => a.size)));
          for (const p of out.parts) {
            assert.ok(p.body.length <= limit);
            assert.ok(p.count > 0);
            // Each request decodes to exactly what encodeTracesProto writes for it (canonical bytes).
            assert.deepEqual(Buffer.from(p.body), Buffer.from(encode(decodeTracesProto(p.body))));
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('refers to kept summary event attributes instead of copying them, and the pieces join to canonical requests', () => {
    const { bodies } = buildRequests(3, 20, true);
    const data: TracesData = { resourceSpans: bodies.flatMap((b) => decodeTracesProto(b).resourceSpans) };
    const pool = new BufferPool(64 * 1024 * 1024);
    const limit = 100_000;
    const out = stream(data, limit, pool);
    assert.ok(out.parts.length >= 6);
    for (const p of out.parts) {
      assert.ok(p.segments && p.segments.length > p.count, 'pieces, not one copy');
      assert.equal(p.size, Buffer.concat(p.segments).length);
      assert.ok(p.size <= limit);
      assert.deepEqual(Buffer.from(p.body), Buffer.concat(p.segments));
      assert.deepEqual(Buffer.from(p.body), Buffer.from(encode(decodeTracesProto(p.body))));
    }
    const spans = (d: TracesData[]) =>
      d.flatMap((t) => t.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
    assert.deepEqual(spans(out.parts.map((p) => decodeTracesProto(p.body))), spans([data]));
    assert.equal(
      out.parts.reduce((n, p) => n + p.count, 0),
      60,
    );
    for (const p of out.parts) p.release!();
  });

  it('writes into pooled buffers and gives each back once through release', () => {
    const pool = new BufferPool(64 * 1024 * 1024);
    const data = paddedTraces(50, () => 2000);
    const first = stream(data, 32 * 1024, pool);
    assert.ok(first.parts.length > 3);
    const expected = first.parts.map((p) => Buffer.from(p.body));
    for (const p of first.parts) p.release!();
    const idle = pool.idleSize;
    assert.ok(idle >= first.parts.length * 64 * 1024, `idle ${idle}`);
    const again = stream(data, 32 * 1024, pool);
    assert.deepEqual(
      again.parts.map((p) => Buffer.from(p.body)),
      expected,
    );
    assert.ok(pool.idleSize < idle, 'the second pass reused idle buffers');
  });

  it('splits log batches the same way in one pass', () => {
    const logs = tenLogRecords();
    const out = SIGNAL_CODECS.logs.encodeProtoWithinLimit!(logs, 2048);
    assert.equal(out.parts.length, 5);
    for (const p of out.parts) assert.ok(p.body.length <= 2048);
    assert.equal(
      out.parts.reduce((n, p) => n + p.count, 0),
      10,
    );
  });

  it('gives back what it took and throws when a span cannot be encoded', () => {
    const pool = new BufferPool(64 * 1024 * 1024);
    const data = paddedTraces(20, () => 2000);
    data.resourceSpans[1].scopeSpans[1].spans[3].spanId = 'not hex!';
    assert.throws(() => stream(data, 16 * 1024, pool), /not hexadecimal/);
    assert.ok(pool.idleSize > 0);
  });
});
