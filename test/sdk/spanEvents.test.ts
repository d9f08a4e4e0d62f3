import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { diag } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanLimits,
} from '@opentelemetry/sdk-trace-base';
import { sdkDrops } from '../../src/sdk/DropCounter.js';
import { addEventsWithinLimits } from '../../src/sdk/spanEvents.js';
import type { SpanLike } from '../../src/sdk/types.js';
import { captureDiagWarnings } from './spanHarness.js';

function tracer(spanLimits: SpanLimits) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanLimits,
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return { tracer: provider.getTracer('t'), exporter };
}

describe('addEventsWithinLimits', () => {
  const warnings: string[] = [];
  beforeEach(() => {
    warnings.length = 0;
    sdkDrops.reset();
    captureDiagWarnings(warnings);
  });
  afterEach(() => diag.disable());

  it('adds events that fit and refuses (with a warning) the ones the event limit would drop', () => {
    const { tracer: t, exporter } = tracer({ eventCountLimit: 3 });
    const span = t.startSpan('s');
    span.addEvent('user.event');
    const added = addEventsWithinLimits(span as unknown as SpanLike, [
      { name: 'a', attributes: { x: 1 } },
      { name: 'b', attributes: { x: 2 } },
      { name: 'c', attributes: { x: 3 } },
    ]);
    span.end();
    assert.equal(added, 2);
    const events = exporter.getFinishedSpans()[0].events.map((e) => e.name);
    assert.deepEqual(events, ['user.event', 'a', 'b']); // the user's event was not pushed out
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /event count limit reached.*'c' not added/);
  });

  it('refuses an event whose strings the value-length limit would truncate', () => {
    const { tracer: t, exporter } = tracer({ attributeValueLengthLimit: 8 });
    const span = t.startSpan('s');
    const added = addEventsWithinLimits(span as unknown as SpanLike, [
      { name: 'short', attributes: { s: ['abc'] } },
      { name: 'long', attributes: { s: ['abcdefghijkl'] } },
    ]);
    span.end();
    assert.equal(added, 1);
    assert.deepEqual(
      exporter.getFinishedSpans()[0].events.map((e) => e.name),
      ['short'],
    );
    assert.match(warnings[0], /would truncate it.*12 chars, limit 8/);
  });

  it('refuses an event with more attributes than the per-event limit', () => {
    const { tracer: t } = tracer({ attributePerEventCountLimit: 2 });
    const span = t.startSpan('s');
    const added = addEventsWithinLimits(span as unknown as SpanLike, [
      { name: 'wide', attributes: { a: 1, b: 2, c: 3 } },
    ]);
    span.end();
    assert.equal(added, 0);
    assert.deepEqual(Object.values(sdkDrops.snapshot()), [1]);
  });

  it('adds everything to a span that exposes no limits', () => {
    const seen: string[] = [];
    const span = { addEvent: (n: string) => seen.push(n) } as unknown as SpanLike;
    assert.equal(
      addEventsWithinLimits(span, [
        { name: 'a', attributes: {} },
        { name: 'b', attributes: {} },
      ]),
      2,
    );
    assert.deepEqual(seen, ['a', 'b']);
  });
});
