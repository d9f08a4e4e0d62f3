import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeLogsJson } from '../../../src/collector/otlp/logsJson.js';
import { decodeMetricsJson } from '../../../src/collector/otlp/metricsJson.js';
import { decodeTracesJson, encodeTracesJson } from '../../../src/collector/otlp/traceJson.js';

describe('OTLP/JSON rules', () => {
  it('accepts enum names, snake_case keys, 64-bit integers as strings and base64 bytes', () => {
    const d = decodeTracesJson(
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    kind: 'SPAN_KIND_SERVER',
                    status: { code: 'STATUS_CODE_ERROR' },
                    dropped_attributes_count: '3',
                    attributes: [
                      { key: 'b', value: { bytes_value: Buffer.from([1, 2, 255]).toString('base64') } },
                      { key: 'big', value: { intValue: '-9223372036854775808' } },
                      { key: 'inf', value: { doubleValue: 'Infinity' } },
                      {
                        key: 'kv',
                        value: { kvlist_value: { values: [{ key: 'x', value: { bool_value: true } }] } },
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const span = d.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(span.kind, 2);
    assert.equal(span.status.code, 2);
    assert.equal(span.droppedAttributesCount, 3);
    assert.deepEqual(span.attributes[0].value, { bytesValue: Uint8Array.of(1, 2, 255) });
    assert.deepEqual(span.attributes[1].value, { intValue: -(2n ** 63n) });
    assert.deepEqual(span.attributes[2].value, { doubleValue: Number.POSITIVE_INFINITY });
    assert.deepEqual(span.attributes[3].value, {
      kvlistValue: { values: [{ key: 'x', value: { boolValue: true } }] },
    });
    assert.deepEqual(
      decodeTracesJson(encodeTracesJson(d)),
      d,
      'non-finite doubles and bigints survive our JSON',
    );
  });

  it('names the JSON path of a bad value', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => decodeTracesJson('{"resourceSpans":{}}'), /at resourceSpans: expected an array/],
      [
        () =>
          decodeTracesJson('{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"1.5"}]}]}]}'),
        /spans\[0\]\.startTimeUnixNano: expected an integer/,
      ],
      [
        () =>
          decodeTracesJson('{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SPAN_KIND_WHATEVER"}]}]}]}'),
        /spans\[0\]\.kind/,
      ],
      [() => decodeTracesJson('[1,2]'), /at \$: expected an object/],
      [
        () => decodeLogsJson('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"xyz"}]}]}]}'),
        /logRecords\[0\]\.traceId: expected 32 hex digits/,
      ],
      [
        () =>
          decodeMetricsJson(
            '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"sum":{"dataPoints":[{"asInt":"ten"}]}}]}]}]}',
          ),
        /dataPoints\[0\]\.asInt/,
      ],
    ];
    const nested = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'ok', value: { stringValue: 'x' } }] },
          scopeSpans: [
            {
              spans: [
                {},
                {
                  events: [
                    {
                      attributes: [
                        { key: 'a', value: { boolValue: true } },
                        { key: 'b', value: { arrayValue: { values: [{ intValue: 1 }, { intValue: 'x' }] } } },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    cases.push([
      () => decodeTracesJson(nested),
      /at resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]\.events\[0\]\.attributes\[1\]\.value\.arrayValue\.values\[1\]\.intValue: expected an integer/,
    ]);
    cases.push([
      () =>
        decodeTracesJson(
          '{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"kvlistValue":{"values":[{"key":"z","value":{"doubleValue":"abc"}}]}}}]}}]}',
        ),
      /at resourceSpans\[0\]\.resource\.attributes\[0\]\.value\.kvlistValue\.values\[0\]\.value\.doubleValue: expected a number/,
    ]);
    cases.push([
      () =>
        decodeLogsJson('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"boolValue":"yes"}}]}]}]}'),
      /at resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.body\.boolValue: expected a boolean/,
    ]);
    for (const [run, message] of cases) assert.throws(run, message);
  });

  it('reads severity names and metric temporality names', () => {
    const logs = decodeLogsJson(
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"SEVERITY_NUMBER_WARN2"}]}]}]}',
    );
    assert.equal(logs.resourceLogs[0].scopeLogs[0].logRecords[0].severityNumber, 14);
    const m = decodeMetricsJson(
      '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"n","sum":{"aggregationTemporality":"AGGREGATION_TEMPORALITY_DELTA","isMonotonic":true,"dataPoints":[{"asInt":"7"}]}}]}]}]}',
    );
    const sum = m.resourceMetrics[0].scopeMetrics[0].metrics[0].sum!;
    assert.equal(sum.aggregationTemporality, 1);
    assert.equal(sum.dataPoints[0].asInt, 7);
  });
});
