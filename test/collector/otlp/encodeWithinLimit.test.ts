import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeWithinLimit } from '../../../src/collector/otlp/encodeWithinLimit.js';
import { encodeLogsProto } from '../../../src/collector/otlp/logs_proto.js';
import { decodeTracesProto, encodeTracesProto } from '../../../src/collector/otlp/trace_proto.js';
import type { AnyData } from '../../../src/collector/processors/batch/splitBatch.js';
import type { LogsData, TracesData } from '../../../src/model/otlp.js';
import { paddedTraces } from './padded_fixtures.js';

/** Every span name with its resource's service and its scope, in order. */
function flat(d: TracesData): string[] {
  return d.resourceSpans.flatMap((rs) =>
    rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((s) => `${rs.resource.attributes[0].value.stringValue}/${ss.scope.name}/${s.name}`),
    ),
  );
}

const encode = (d: AnyData) => encodeTracesProto(d as TracesData);

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
    const logs: LogsData = {
      resourceLogs: [
        {
          resource: { attributes: [], droppedAttributesCount: 0 },
          schemaUrl: '',
          scopeLogs: [
            {
              scope: { name: 'l', version: '', attributes: [], droppedAttributesCount: 0 },
              schemaUrl: '',
              logRecords: Array.from({ length: 10 }, (_, i) => ({
                timeUnixNano: BigInt(i),
                observedTimeUnixNano: 0n,
                severityNumber: 9,
                severityText: '',
                body: { stringValue: `${i}`.padEnd(900, '.') },
                attributes: [],
                droppedAttributesCount: 0,
                flags: 0,
                traceId: '',
                spanId: '',
                eventName: '',
              })),
            },
          ],
        },
      ],
    };
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
