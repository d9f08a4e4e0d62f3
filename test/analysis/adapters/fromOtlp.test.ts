import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromOtlpSpans, nanosToMs, plainFromAnyValue } from '../../../src/analysis/adapters/fromOtlp.js';
import type { Span, TracesData } from '../../../src/model/otlp.js';

function span(over: Partial<Span>): Span {
  return {
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    traceState: '',
    parentSpanId: '',
    flags: 1,
    name: 'run',
    kind: 1,
    startTimeUnixNano: 1_767_225_600_000_000_000n,
    endTimeUnixNano: 1_767_225_600_001_500_000n,
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
    ...over,
  };
}

describe('fromOtlpSpans', () => {
  it('converts every span with its resource, ms times and plain attributes', () => {
    const data: TracesData = {
      resourceSpans: [
        {
          resource: {
            attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }],
            droppedAttributesCount: 0,
          },
          scopeSpans: [
            {
              scope: { name: 's', version: '', attributes: [], droppedAttributesCount: 0 },
              spans: [
                span({
                  status: { code: 2, message: 'x' },
                  attributes: [
                    { key: 'rows', value: { intValue: 12n } },
                    {
                      key: 'names',
                      value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } },
                    },
                  ],
                  events: [
                    {
                      timeUnixNano: 1_767_225_600_001_000_000n,
                      name: 'e',
                      attributes: [],
                      droppedAttributesCount: 0,
                    },
                  ],
                  links: [
                    {
                      traceId: 'c'.repeat(32),
                      spanId: 'd'.repeat(16),
                      traceState: '',
                      attributes: [{ key: 'k', value: { boolValue: true } }],
                      droppedAttributesCount: 0,
                      flags: 0,
                    },
                  ],
                }),
                span({ status: { code: 1, message: '' }, parentSpanId: 'e'.repeat(16) }),
              ],
              schemaUrl: '',
            },
          ],
          schemaUrl: '',
        },
      ],
    };
    const [a, b] = fromOtlpSpans(data);
    assert.ok(a && b);
    assert.equal(a.startMs, 1_767_225_600_000);
    assert.equal(a.endMs, 1_767_225_600_001.5);
    assert.equal(a.status, 'error');
    assert.deepEqual(a.resource, { 'service.name': 'shop' });
    assert.deepEqual(a.attributes, { rows: 12, names: ['a', 'b'] });
    assert.deepEqual(a.events, [{ name: 'e', timeMs: 1_767_225_600_001, attributes: {} }]);
    assert.deepEqual(a.links, [{ traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), attributes: { k: true } }]);
    assert.equal(b.status, 'ok');
    assert.equal(b.parentSpanId, 'e'.repeat(16));
    assert.equal(b.resource, a.resource, 'spans of one resource share its converted attributes');
  });

  it('converts nested maps and bytes to plain values', () => {
    assert.deepEqual(
      plainFromAnyValue({ kvlistValue: { values: [{ key: 'x', value: { doubleValue: 1.5 } }] } }),
      { x: 1.5 },
    );
    assert.equal(plainFromAnyValue({ bytesValue: new Uint8Array([104, 105]) }), 'aGk=');
    assert.equal(plainFromAnyValue(undefined), null);
    assert.equal(nanosToMs(1_000_000n), 1);
  });
});
