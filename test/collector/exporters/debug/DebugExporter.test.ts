import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DebugExporter } from '../../../../src/collector/exporters/debug/DebugExporter.js';
import { debugExporterFactory } from '../../../../src/collector/exporters/debug/factory.js';
import { formatTime, formatValue } from '../../../../src/collector/exporters/debug/formatData.js';
import { TelemetryRegistry } from '../../../../src/collector/service/TelemetryRegistry.js';
import type { LogsData } from '../../../../src/model/otlp.js';
import { oneSpanTraces, testHost } from '../../helpers.js';

const scope = { name: 'mlobs', version: '0.1.0', attributes: [], droppedAttributesCount: 0 };
const traces = oneSpanTraces({
  resource: [{ key: 'service.name', value: { stringValue: 'scorer' } }],
  scope,
  span: {
    kind: 2,
    startTimeUnixNano: 1_764_175_278_000_000_123n,
    endTimeUnixNano: 1_764_175_278_500_000_000n,
    attributes: [
      { key: 'ml.model.name', value: { stringValue: 'churn' } },
      { key: 'ml.batch.rows', value: { intValue: 64 } },
    ],
    events: [
      {
        timeUnixNano: 1_764_175_278_100_000_000n,
        name: 'ml.features',
        attributes: [{ key: 'names', value: { arrayValue: { values: [{ stringValue: 'age' }] } } }],
        droppedAttributesCount: 0,
      },
    ],
    status: { code: 2, message: 'boom' },
  },
});

function capture() {
  const chunks: string[] = [];
  return { sink: { write: (t: string) => chunks.push(t) }, text: () => chunks.join('') };
}

describe('debug exporter', () => {
  it('basic prints one line of counts per batch and counts sent spans', async () => {
    const { sink, text } = capture();
    const telemetry = new TelemetryRegistry();
    const e = new DebugExporter('debug', 'basic', sink);
    await e.start(testHost(telemetry));
    await e.consumeTraces(traces);
    const lines = text().trimEnd().split('\n');
    assert.equal(lines.length, 1);
    assert.match(
      lines[0] ?? '',
      /\tinfo\t\{"kind":"exporter","data_type":"traces","name":"debug","resource spans":1,"spans":1\}$/,
    );
    assert.equal(await telemetry.get('mlobs_exporter_sent_spans_total', { exporter: 'debug' }), 1);
  });

  it('normal prints one line per span with its ids and attributes', async () => {
    const { sink, text } = capture();
    await new DebugExporter('debug', 'normal', sink).consumeTraces(traces);
    assert.match(
      text(),
      /^predict 0af7651916cd43dd8448eb211c80319c b7ad6b7169203331 ml\.model\.name=churn ml\.batch\.rows=64$/m,
    );
  });

  it('detailed prints every span field, attributes and events like the Collector', async () => {
    const { sink, text } = capture();
    await new DebugExporter('debug', 'detailed', sink).consumeTraces(traces);
    const out = text();
    for (const expected of [
      'Resource attributes:\n     -> service.name: Str(scorer)',
      'InstrumentationScope mlobs 0.1.0',
      '    Trace ID       : 0af7651916cd43dd8448eb211c80319c',
      '    Kind           : Server',
      '    Start time     : 2025-11-26 16:41:18.000000123 +0000 UTC',
      '    Status code    : Error',
      '    Status message : boom',
      'Attributes:\n     -> ml.model.name: Str(churn)\n     -> ml.batch.rows: Int(64)',
      'SpanEvent #0\n     -> Name: ml.features',
      '         -> names: Slice([Str(age)])',
    ]) {
      assert.ok(out.includes(expected), `missing ${JSON.stringify(expected)} in\n${out}`);
    }
  });

  it('detailed prints log records with body and severity', async () => {
    const logs: LogsData = {
      resourceLogs: [
        {
          resource: { attributes: [], droppedAttributesCount: 0 },
          schemaUrl: '',
          scopeLogs: [
            {
              scope,
              schemaUrl: '',
              logRecords: [
                {
                  timeUnixNano: 0n,
                  observedTimeUnixNano: 0n,
                  severityNumber: 13,
                  severityText: 'WARN',
                  body: { stringValue: 'drift on age' },
                  attributes: [],
                  droppedAttributesCount: 0,
                  flags: 0,
                  traceId: '',
                  spanId: '',
                  eventName: 'ml.reaction',
                },
              ],
            },
          ],
        },
      ],
    };
    const { sink, text } = capture();
    await new DebugExporter('debug/x', 'detailed', sink).consumeLogs(logs);
    assert.match(text(), /"data_type":"logs","name":"debug\/x","resource logs":1,"log records":1/);
    assert.match(text(), /^SeverityText: WARN$/m);
    assert.match(text(), /^Body: Str\(drift on age\)$/m);
  });

  it('formats values and times as the Collector does', () => {
    assert.equal(
      formatValue({ kvlistValue: { values: [{ key: 'a', value: { boolValue: true } }] } }),
      'Map({a: Bool(true)})',
    );
    assert.equal(formatValue({ doubleValue: 0.5 }), 'Double(0.5)');
    assert.equal(formatValue({ bytesValue: new Uint8Array([1, 2]) }), 'Bytes(AQI=)');
    assert.equal(formatTime(0n), '1970-01-01 00:00:00.000000000 +0000 UTC');
  });

  it('refuses an unknown verbosity', () => {
    assert.deepEqual(debugExporterFactory.validate({ verbosity: 'loud' as 'basic' }), [
      { path: 'verbosity', message: 'must be one of basic, normal, detailed; got "loud"' },
    ]);
  });
});
