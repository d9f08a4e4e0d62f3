import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { decodeLogsJson, encodeLogsJson } from '../../../src/collector/otlp/logsJson.js';
import { decodeLogsProto, encodeLogsProto } from '../../../src/collector/otlp/logsProto.js';
import { makeSdkLogs } from './sdkFixtures.js';

describe('logs codec against @opentelemetry/otlp-transformer', () => {
  it('decodes reference protobuf log records with bodies, severities, trace context and event names', async () => {
    const sdk = await makeSdkLogs();
    const data = decodeLogsProto(ProtobufLogsSerializer.serializeRequest(sdk)!);
    const records = data.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords));
    assert.equal(records.length, 3);
    const [warn, info, bare] = records;
    assert.equal(warn.severityNumber, 13);
    assert.equal(warn.severityText, 'WARN');
    assert.deepEqual(warn.body, { stringValue: 'drift detected on "income"' });
    assert.equal(warn.traceId, sdk[0].spanContext?.traceId);
    assert.equal(warn.spanId, sdk[0].spanContext?.spanId);
    assert.equal(warn.timeUnixNano, BigInt(sdk[0].hrTime[0]) * 1_000_000_000n + BigInt(sdk[0].hrTime[1]));
    assert.equal(info.eventName, 'ml.reaction');
    assert.deepEqual(info.body, {
      kvlistValue: {
        values: [
          { key: 'nested', value: { kvlistValue: { values: [{ key: 'k', value: { intValue: 1 } }] } } },
          { key: 'list', value: { arrayValue: { values: [{ stringValue: 'x' }, { boolValue: true }] } } },
        ],
      },
    });
    assert.equal(bare.body, undefined);
    assert.equal(data.resourceLogs[0].scopeLogs[0].scope.name, 'mlobs-test-logs');
  });

  it('agrees with the reference JSON and round-trips through our protobuf and JSON encoders', async () => {
    const sdk = await makeSdkLogs();
    const data = decodeLogsProto(ProtobufLogsSerializer.serializeRequest(sdk)!);
    assert.deepEqual(
      decodeLogsJson(new TextDecoder().decode(JsonLogsSerializer.serializeRequest(sdk)!)),
      data,
    );
    assert.deepEqual(decodeLogsProto(encodeLogsProto(data)), data);
    assert.deepEqual(decodeLogsJson(encodeLogsJson(data)), data);
  });
});
