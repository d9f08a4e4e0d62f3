import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { fromReadableSpan } from '../../src/stream/fromReadableSpan.js';

describe('fromReadableSpan', () => {
  it('converts an SDK span to a SpanRecord with ms times, parent, status, events, links and resource', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('t');
    const t0 = Date.UTC(2026, 0, 1);
    const parent = tracer.startSpan('parent', { startTime: t0 });
    const linked = { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 1 };
    const ctx = trace.setSpan(ROOT_CONTEXT, parent);
    const child = tracer.startSpan(
      'child',
      {
        startTime: t0 + 1.5,
        attributes: { k: 'v', n: 3, list: ['a', 'b'] },
        links: [{ context: linked, attributes: { why: 'input' } }],
      },
      ctx,
    );
    child.addEvent('ml.features', { names: ['x'], counts: [1] }, t0 + 2);
    child.setStatus({ code: SpanStatusCode.ERROR });
    child.end(t0 + 2.25);
    parent.end(t0 + 3);
    const sdkSpan = exporter.getFinishedSpans().find((s) => s.name === 'child')!;
    const r = fromReadableSpan(sdkSpan);
    assert.equal(r.traceId, parent.spanContext().traceId);
    assert.equal(r.parentSpanId, parent.spanContext().spanId);
    assert.equal(r.startMs, t0 + 1.5);
    assert.equal(r.endMs, t0 + 2.25);
    assert.equal(r.status, 'error');
    assert.deepEqual(r.attributes, { k: 'v', n: 3, list: ['a', 'b'] });
    assert.equal(r.resource['service.name'], 'shop');
    assert.deepEqual(r.events, [
      { name: 'ml.features', timeMs: t0 + 2, attributes: { names: ['x'], counts: [1] } },
    ]);
    assert.deepEqual(r.links, [
      { traceId: linked.traceId, spanId: linked.spanId, attributes: { why: 'input' } },
    ]);
    const root = fromReadableSpan(exporter.getFinishedSpans().find((s) => s.name === 'parent')!);
    assert.equal(root.parentSpanId, '');
    assert.equal(root.status, 'unset');
    await provider.shutdown();
  });

  it('reads an SDK 1.x shaped span (parentSpanId instead of parentSpanContext)', () => {
    const r = fromReadableSpan({
      name: 'old',
      spanContext: () => ({ traceId: '1'.repeat(32), spanId: '2'.repeat(16) }),
      parentSpanId: '3'.repeat(16),
      startTime: [1, 500_000_000],
      endTime: [2, 0],
      status: { code: 1 },
      attributes: { a: undefined, b: [1, null, undefined] },
      events: [],
      links: [],
      resource: { attributes: {} },
    });
    assert.equal(r.parentSpanId, '3'.repeat(16));
    assert.equal(r.startMs, 1500);
    assert.equal(r.status, 'ok');
    assert.deepEqual(r.attributes, { b: [1, null, null] });
  });
});
