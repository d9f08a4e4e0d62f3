/**
 * The request shapes of the flood bench and test: valid OTLP/HTTP bodies under the 20 MiB limit
 * that cost the decoder the most per byte (the "1 span with 10⁶ attributes", ordinary
 * ML spans, one huge array attribute, spans with many events, and the same spans as OTLP/JSON).
 * Each builder returns the encoded body and how many spans it holds.
 */
import { encodeTracesJson } from '../../src/collector/otlp/traceJson.js';
import { encodeTracesProto } from '../../src/collector/otlp/traceProto.js';
import type { KeyValue, Span, TracesData } from '../../src/model/otlp.js';

/** One encoded request. */
export interface FloodBody {
  /** Shape name, for tables. */
  shape: string;
  /** `application/x-protobuf` or `application/json`. */
  contentType: string;
  /** The body. */
  body: Uint8Array;
  /** Spans in it. */
  spans: number;
}

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0').slice(-len);

function span(i: number, attributes: KeyValue[], events: Span['events'] = []): Span {
  return {
    traceId: hex(i + 1, 32),
    spanId: hex(i + 1, 16),
    traceState: '',
    parentSpanId: '',
    flags: 1,
    name: 'predict',
    kind: 1,
    startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i),
    endTimeUnixNano: 1_700_000_000_000_100_000n + BigInt(i),
    attributes,
    droppedAttributesCount: 0,
    events,
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
  };
}

function traces(spans: Span[]): TracesData {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [{ key: 'service.name', value: { stringValue: 'flood' } }],
          droppedAttributesCount: 0,
        },
        schemaUrl: '',
        scopeSpans: [
          {
            scope: { name: 'flood', version: '', attributes: [], droppedAttributesCount: 0 },
            schemaUrl: '',
            spans,
          },
        ],
      },
    ],
  };
}

const ordinaryAttrs = (i: number): KeyValue[] => [
  { key: 'ml.pipeline.name', value: { stringValue: 'churn' } },
  { key: 'ml.component.name', value: { stringValue: 'score' } },
  { key: 'ml.batch.rows', value: { intValue: 128 } },
  { key: 'http.status_code', value: { intValue: 200 } },
  { key: 'user.segment', value: { stringValue: `segment-${i % 17}` } },
  { key: 'latency.ms', value: { doubleValue: i * 0.37 } },
];

/** Spans of ordinary ML attributes until the body reaches about `bytes`. */
function ordinarySpans(bytes: number): Span[] {
  const per = encodeTracesProto(traces([span(0, ordinaryAttrs(0))])).length - 40;
  const n = Math.max(1, Math.floor(bytes / per));
  return Array.from({ length: n }, (_, i) => span(i, ordinaryAttrs(i)));
}

/** The five worst shapes, each about `mib` MiB (5–16 in the bench). */
export function floodBodies(mib: number): FloodBody[] {
  const bytes = mib * 1024 * 1024;
  const out: FloodBody[] = [];
  // 1 span with as many attributes as fit (the issue: 10⁶ attributes in 5.7 MiB).
  const nAttrs = Math.floor(bytes / 9);
  const many: KeyValue[] = Array.from({ length: nAttrs }, (_, i) => ({
    key: 'k',
    value: { intValue: i & 127 },
  }));
  out.push({
    shape: '1 span, many attributes',
    contentType: 'application/x-protobuf',
    body: encodeTracesProto(traces([span(0, many)])),
    spans: 1,
  });
  const ordinary = ordinarySpans(bytes);
  out.push({
    shape: 'ordinary spans',
    contentType: 'application/x-protobuf',
    body: encodeTracesProto(traces(ordinary)),
    spans: ordinary.length,
  });
  // 1 span, one array attribute of small ints (4 bytes per element on the wire).
  const arr = Array.from({ length: Math.floor(bytes / 4) }, (_, i) => ({ intValue: i & 127 }));
  out.push({
    shape: '1 span, one huge array',
    contentType: 'application/x-protobuf',
    body: encodeTracesProto(traces([span(0, [{ key: 'a', value: { arrayValue: { values: arr } } }])])),
    spans: 1,
  });
  // Spans of 64 events with 16 attributes each.
  const evAttrs = Array.from({ length: 16 }, (_, i) => ({ key: `e${i}`, value: { intValue: i } }));
  const events = Array.from({ length: 64 }, (_, i) => ({
    timeUnixNano: BigInt(i + 1),
    name: 'ev',
    attributes: evAttrs,
    droppedAttributesCount: 0,
  }));
  const perEv = encodeTracesProto(traces([span(0, [], events)])).length;
  const nEv = Math.max(1, Math.floor(bytes / perEv));
  out.push({
    shape: 'spans with many events',
    contentType: 'application/x-protobuf',
    body: encodeTracesProto(traces(Array.from({ length: nEv }, (_, i) => span(i, [], events)))),
    spans: nEv,
  });
  // Ordinary spans as OTLP/JSON (JSON.parse builds every object before any limit applies).
  const jsonSpans = ordinarySpans(bytes / 2.5);
  let json = Buffer.from(encodeTracesJson(traces(jsonSpans)));
  // Trim to the size asked for (JSON spans are ~2.5× their protobuf size).
  if (json.length > bytes * 1.05) {
    const k = Math.floor((jsonSpans.length * bytes) / json.length);
    json = Buffer.from(encodeTracesJson(traces(jsonSpans.slice(0, k))));
    out.push({ shape: 'ordinary spans, JSON', contentType: 'application/json', body: json, spans: k });
  } else
    out.push({
      shape: 'ordinary spans, JSON',
      contentType: 'application/json',
      body: json,
      spans: jsonSpans.length,
    });
  return out;
}
