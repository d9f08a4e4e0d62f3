/** Trace batches of known, tunable encoded size, for tests of request size limits. */
import type { ResourceSpans, Span, TracesData } from '../../../src/model/otlp.js';

/** A span whose only attribute is `pad` bytes of text, so its encoded size is known roughly. */
export function paddedSpan(name: string, pad: number): Span {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceState: '',
    parentSpanId: '',
    flags: 0,
    name,
    kind: 1,
    startTimeUnixNano: 1n,
    endTimeUnixNano: 2n,
    attributes: [{ key: 'pad', value: { stringValue: 'x'.repeat(pad) } }],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
  };
}

/** Two resources with two scopes each; span `r<i>s<j>n<k>` is padded by `pad(i, j, k)` bytes. */
export function paddedTraces(perScope: number, pad: (i: number, j: number, k: number) => number): TracesData {
  const resourceSpans: ResourceSpans[] = [0, 1].map((i) => ({
    resource: {
      attributes: [{ key: 'service.name', value: { stringValue: `svc${i}` } }],
      droppedAttributesCount: 0,
    },
    schemaUrl: '',
    scopeSpans: [0, 1].map((j) => ({
      scope: { name: `scope${j}`, version: '', attributes: [], droppedAttributesCount: 0 },
      schemaUrl: '',
      spans: Array.from({ length: perScope }, (_, k) => paddedSpan(`r${i}s${j}n${k}`, pad(i, j, k))),
    })),
  }));
  return { resourceSpans };
}
