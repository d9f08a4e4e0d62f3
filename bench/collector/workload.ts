/**
 * Realistic ML spans for the collector bench: one span per component run with the usual
 * resource and `ml.*` attributes, and a feature summary event of 20 features built with
 * `encodeSummaryEvents` (the same layout the SDK emits).
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { encodeTracesProto } from '../../src/collector/otlp/traceProto.js';
import type { AnyValue, KeyValue, Span, TracesData } from '../../src/model/otlp.js';
import {
  ATTR_ML_BATCH_ROWS,
  ATTR_ML_COMPONENT_KIND,
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_MODEL_VERSION,
  ATTR_ML_PIPELINE_NAME,
  ATTR_ML_PIPELINE_RUN_ID,
} from '../../src/semconv/index.js';
import { summarize } from '../../src/summaries/index.js';
import { encodeSummaryEvents } from '../../src/summaries/summaryEvents.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function toAnyValue(v: AttributeValue): AnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: v } : { doubleValue: v };
  return { arrayValue: { values: (v as (string | number | boolean)[]).map((x) => toAnyValue(x)) } };
}

function toKeyValues(a: Attributes): KeyValue[] {
  return Object.entries(a).map(([key, value]) => ({ key, value: toAnyValue(value as AttributeValue) }));
}

function hex(rand: () => number, bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i++)
    s += Math.floor(rand() * 256)
      .toString(16)
      .padStart(2, '0');
  return s;
}

/**
 * Builds `requests` distinct export requests of `spansPerRequest` ML spans each, encoded as
 * protobuf; `withSummary` false leaves out the feature summary event (a plain component span).
 */
export function buildRequests(
  requests: number,
  spansPerRequest: number,
  withSummary = true,
): { bodies: Uint8Array[]; spanIdAt: number[][]; eventAttrs: number } {
  const rand = rng(7);
  // 20 features, 256 rows: 16 numeric and 4 categorical, as a typical tabular model sees.
  const columns: Record<string, unknown[]> = {};
  for (let f = 0; f < 16; f++)
    columns[`num_feature_${f}`] = Array.from({ length: 256 }, () => rand() * 100 + f);
  for (let f = 0; f < 4; f++)
    columns[`cat_feature_${f}`] = Array.from({ length: 256 }, () => `c${Math.floor(rand() ** 2 * 30)}`);
  const events = withSummary
    ? encodeSummaryEvents(summarize(columns as never), 'ml.features').map((e) => ({
        name: e.name,
        attributes: toKeyValues(e.attributes),
      }))
    : [];
  const bodies: Uint8Array[] = [];
  const spanIdAt: number[][] = [];
  for (let r = 0; r < requests; r++) {
    const traceId = hex(rand, 16);
    const spans: Span[] = [];
    for (let i = 0; i < spansPerRequest; i++) {
      const start = 1_764_000_000_000_000_000n + BigInt(r * spansPerRequest + i) * 1_000_000n;
      spans.push({
        traceId: i % 8 === 0 ? hex(rand, 16) : traceId,
        spanId: hex(rand, 8),
        traceState: '',
        parentSpanId: hex(rand, 8),
        flags: 1,
        name: `features.transform`,
        kind: 1,
        startTimeUnixNano: start,
        endTimeUnixNano: start + 4_200_000n,
        attributes: toKeyValues({
          [ATTR_ML_PIPELINE_NAME]: 'fraud-scoring',
          [ATTR_ML_PIPELINE_RUN_ID]: `run-${r}`,
          [ATTR_ML_COMPONENT_NAME]: 'feature_builder',
          [ATTR_ML_COMPONENT_KIND]: 'features',
          [ATTR_ML_MODEL_NAME]: 'gbdt-fraud',
          [ATTR_ML_MODEL_VERSION]: '2026.11.3',
          [ATTR_ML_BATCH_ROWS]: 256,
          'code.function': 'build_features',
        }),
        droppedAttributesCount: 0,
        events: events.map((e) => ({
          timeUnixNano: start + 1_000_000n,
          name: e.name,
          attributes: e.attributes,
          droppedAttributesCount: 0,
        })),
        droppedEventsCount: 0,
        links: [],
        droppedLinksCount: 0,
        status: { code: 0, message: '' },
      });
    }
    const data: TracesData = {
      resourceSpans: [
        {
          resource: {
            attributes: toKeyValues({
              'service.name': 'fraud-pipeline',
              'host.name': 'worker-3',
              'telemetry.sdk.language': 'nodejs',
            }),
            droppedAttributesCount: 0,
          },
          schemaUrl: '',
          scopeSpans: [
            {
              scope: { name: 'mlobs', version: '0.1.0', attributes: [], droppedAttributesCount: 0 },
              spans,
              schemaUrl: '',
            },
          ],
        },
      ],
    };
    const body = Buffer.from(encodeTracesProto(data));
    // Where each span's id lies (after its tag 0x12 and length 8), so a sender can make every
    // request's spans new ones: a collector that recognizes a retried batch by span ids would
    // otherwise see the same few requests again and again.
    const at: number[] = [];
    let from = 0;
    for (const span of spans) {
      from = body.indexOf(Buffer.from(`1208${span.spanId}`, 'hex'), from);
      at.push(from + 2);
    }
    bodies.push(new Uint8Array(body));
    spanIdAt.push(at);
  }
  return { bodies, spanIdAt, eventAttrs: events.reduce((n, e) => n + e.attributes.length, 0) };
}
