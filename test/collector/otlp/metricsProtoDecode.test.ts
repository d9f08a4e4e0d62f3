import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { decodeMetricsJson, encodeMetricsJson } from '../../../src/collector/otlp/metricsJson.js';
import { decodeMetricsProto } from '../../../src/collector/otlp/metricsProtoDecode.js';
import { encodeMetricsProto } from '../../../src/collector/otlp/metricsProtoEncode.js';
import type { Metric, MetricsData } from '../../../src/model/otlp.js';
import { makeSdkMetrics } from './sdkFixtures.js';

function metric(d: MetricsData, name: string): Metric {
  const m = d.resourceMetrics
    .flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics))
    .find((x) => x.name === name);
  assert.ok(m, `metric ${name}`);
  return m;
}

describe('metrics codec against @opentelemetry/otlp-transformer', () => {
  it('decodes reference protobuf sums, gauges and both histogram kinds with their values', async () => {
    const data = decodeMetricsProto(ProtobufMetricsSerializer.serializeRequest(await makeSdkMetrics())!);
    const rows = metric(data, 'ml.rows');
    assert.equal(rows.unit, '{row}');
    assert.equal(rows.description, 'rows seen');
    assert.equal(rows.sum?.isMonotonic, true);
    assert.equal(rows.sum?.aggregationTemporality, 2);
    assert.equal(rows.sum?.dataPoints[0].asDouble ?? rows.sum?.dataPoints[0].asInt, 1200);
    assert.equal(metric(data, 'ml.queue').sum?.isMonotonic, false);
    assert.equal(metric(data, 'ml.psi').gauge?.dataPoints[0].asDouble, 0.125);
    const h = metric(data, 'ml.latency').histogram!.dataPoints[0];
    assert.equal(h.count, 5);
    assert.equal(h.sum, 1268);
    assert.equal(h.min, 1);
    assert.equal(h.max, 1000);
    assert.equal(
      h.bucketCounts.reduce((a: number, b) => a + Number(b), 0),
      5,
    );
    assert.equal(h.explicitBounds.length + 1, h.bucketCounts.length);
    const e = metric(data, 'ml.latency.exp').exponentialHistogram!.dataPoints[0];
    assert.equal(e.count, 4);
    assert.equal(e.positive.bucketCounts.reduce((a: number, b) => a + Number(b), 0) + Number(e.zeroCount), 4);
  });

  it('agrees with the reference JSON and round-trips through our protobuf and JSON encoders', async () => {
    const sdk = await makeSdkMetrics();
    const data = decodeMetricsProto(ProtobufMetricsSerializer.serializeRequest(sdk)!);
    const refJson = new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(sdk)!);
    assert.deepEqual(decodeMetricsJson(refJson), data);
    assert.deepEqual(decodeMetricsProto(encodeMetricsProto(data)), data);
    assert.deepEqual(decodeMetricsJson(encodeMetricsJson(data)), data);
  });

  it('round-trips summaries, negative buckets, int exemplars and 64-bit counts', () => {
    const data: MetricsData = {
      resourceMetrics: [
        {
          resource: { attributes: [], droppedAttributesCount: 0 },
          schemaUrl: '',
          scopeMetrics: [
            {
              scope: { name: 's', version: '', attributes: [], droppedAttributesCount: 0 },
              schemaUrl: '',
              metrics: [
                {
                  name: 'q',
                  description: '',
                  unit: '',
                  metadata: [{ key: 'm', value: { stringValue: 'v' } }],
                  summary: {
                    dataPoints: [
                      {
                        attributes: [],
                        startTimeUnixNano: 1n,
                        timeUnixNano: 2n,
                        count: 2n ** 60n,
                        sum: 9.5,
                        quantileValues: [{ quantile: 0.5, value: 3 }],
                        flags: 1,
                      },
                    ],
                  },
                },
                {
                  name: 'e',
                  description: '',
                  unit: '',
                  metadata: [],
                  exponentialHistogram: {
                    aggregationTemporality: 1,
                    dataPoints: [
                      {
                        attributes: [],
                        startTimeUnixNano: 0n,
                        timeUnixNano: 5n,
                        count: 3,
                        scale: -2,
                        zeroCount: 0,
                        positive: { offset: -3, bucketCounts: [1, 2n ** 62n] },
                        negative: { offset: 4, bucketCounts: [1] },
                        flags: 0,
                        exemplars: [
                          {
                            filteredAttributes: [],
                            timeUnixNano: 9n,
                            asInt: -5,
                            spanId: '0102030405060708',
                            traceId: '0102030405060708090a0b0c0d0e0f10',
                          },
                        ],
                        zeroThreshold: 0.001,
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    assert.deepEqual(decodeMetricsProto(encodeMetricsProto(data)), data);
    assert.deepEqual(decodeMetricsJson(encodeMetricsJson(data)), data);
  });

  it('refuses a known data field with the wrong wire type and skips fields the data kind does not define', () => {
    const bytes = (dataTag: number, body: number[]) =>
      new Uint8Array(nest(10, nest(18, nest(18, nest(dataTag, body)))));
    const only = (d: MetricsData) => d.resourceMetrics[0].scopeMetrics[0].metrics[0];
    const point = { attributes: [], startTimeUnixNano: 0n, timeUnixNano: 0n, exemplars: [], flags: 0 };
    // Sum field 3 (is_monotonic) sent length-delimited.
    assert.throws(() => decodeMetricsProto(bytes(58, [26, 0])), /Sum field 3 has wire type 2/);
    assert.throws(() => decodeMetricsProto(bytes(74, [18, 0])), /Histogram field 2 has wire type 2/);
    // Temporality (2) and monotonic (3) on a Gauge, monotonic on a Histogram: unknown there, so skipped.
    assert.deepEqual(only(decodeMetricsProto(bytes(42, [16, 1, 24, 1, 10, 0]))).gauge, {
      dataPoints: [point],
    });
    assert.deepEqual(only(decodeMetricsProto(bytes(74, [16, 1, 24, 1]))).histogram, {
      dataPoints: [],
      aggregationTemporality: 1,
    });
    assert.deepEqual(only(decodeMetricsProto(bytes(58, [16, 2, 24, 1]))).sum, {
      dataPoints: [],
      aggregationTemporality: 2,
      isMonotonic: true,
    });
  });
});

/** A length-delimited field: tag, one-byte length (bodies here stay under 128 bytes), body. */
function nest(tag: number, body: number[]): number[] {
  return [tag, body.length, ...body];
}
