/**
 * The real collector service from YAML: otlp receiver → batch → otlp_http and otlp_grpc
 * exporters (fan-out) → two downstream otlp receivers. The official proto exporter sends
 * real SDK spans; both downstream receivers must get them unchanged, and the service's
 * /metrics must count them under the receiver's and exporters' ids.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { defaultComponents } from '../../../src/collector/components.js';
import { parseConfigText } from '../../../src/collector/config/loadConfig.js';
import { validateConfig } from '../../../src/collector/config/validateConfig.js';
import { decodeTracesProto } from '../../../src/collector/otlp/traceProto.js';
import type { OtlpReceiver } from '../../../src/collector/receivers/otlp/OtlpReceiver.js';
import { Service } from '../../../src/collector/service/Service.js';
import { countSpans, type TracesData } from '../../../src/model/otlp.js';
import { freePort } from '../../freePort.js';
import { makeSdkSpans } from '../otlp/sdkFixtures.js';
import { Capture, request, startReceiver } from '../receivers/otlp/helpers.js';

function merged(batches: TracesData[]): TracesData {
  return { resourceSpans: batches.flatMap((b) => b.resourceSpans) };
}

describe('collector service: otlp → batch → otlp_http + otlp_grpc', () => {
  const viaHttp = new Capture();
  const viaGrpc = new Capture();
  let downstream: OtlpReceiver[] = [];
  let service: Service;
  let inPort: number;
  let telemetryUrl: string;

  before(async () => {
    const a = await startReceiver(viaHttp, (c) => delete c.grpc);
    const b = await startReceiver(viaGrpc, (c) => delete c.http);
    downstream = [a.receiver, b.receiver];
    inPort = await freePort();
    const yaml = `
receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:${inPort}" }
processors:
  batch: { timeout: 50ms }
exporters:
  otlp_http/next:
    endpoint: \${env:NEXT_HTTP}
    retry_on_failure: { initial_interval: 50ms }
  otlp_grpc/next:
    endpoint: \${env:NEXT_GRPC}
    compression: gzip
    tls: { insecure: true }
service:
  telemetry: { endpoint: "127.0.0.1:0" }
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlp_http/next, otlp_grpc/next]
`;
    const registry = defaultComponents();
    const parsed = parseConfigText(yaml, { NEXT_HTTP: a.httpUrl, NEXT_GRPC: b.grpcAddr }, 'inline');
    assert.deepEqual(parsed.problems, []);
    const result = validateConfig(parsed.tree, registry);
    assert.deepEqual(result.problems, []);
    service = new Service(result.config!, registry, { log: () => undefined });
    const bound = await service.start();
    telemetryUrl = `http://127.0.0.1:${bound.port}`;
  });
  after(async () => {
    await service.shutdown();
    for (const r of downstream) await r.shutdown();
  });

  it('delivers real SDK spans unchanged to both exporters and counts them in /metrics', async () => {
    const sdk = await makeSdkSpans();
    const expected = decodeTracesProto(ProtobufTraceSerializer.serializeRequest(sdk)!);
    const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${inPort}/v1/traces` });
    await new Promise<void>((resolve, reject) =>
      exporter.export(sdk, (r: ExportResult) =>
        r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error),
      ),
    );
    await exporter.shutdown();
    for (let i = 0; i < 300 && (viaHttp.traces.length === 0 || viaGrpc.traces.length === 0); i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(merged(viaHttp.traces), expected);
    assert.deepEqual(merged(viaGrpc.traces), expected);
    const metrics = (await request(`${telemetryUrl}/metrics`, { method: 'GET' })).body.toString();
    const n = countSpans(expected);
    assert.match(
      metrics,
      new RegExp(`mlobs_receiver_accepted_spans_total\\{[^}]*receiver="otlp"[^}]*\\} ${n}`),
    );
    assert.match(
      metrics,
      new RegExp(`mlobs_exporter_sent_spans_total\\{[^}]*exporter="otlp_http/next"[^}]*\\} ${n}`),
    );
    assert.match(
      metrics,
      new RegExp(`mlobs_exporter_sent_spans_total\\{[^}]*exporter="otlp_grpc/next"[^}]*\\} ${n}`),
    );
  });
});
