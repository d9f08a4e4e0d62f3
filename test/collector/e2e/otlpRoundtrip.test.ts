/**
 * End to end with the official OpenTelemetry JS exporters: real SDK spans and log records go
 * to a first collector hop (otlp receiver → otlp_http or otlp_grpc exporter), which forwards
 * them to a second otlp receiver. Both hops must see exactly what the SDK's own reference
 * serializer says was sent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter as LogsHttpJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogsProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as TraceGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as TraceHttpJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TraceProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { LogsConsumer, TracesConsumer } from '../../../src/collector/component.js';
import { createDefaultOtlpGrpcExporterConfig } from '../../../src/collector/exporters/otlp_grpc/config.js';
import { otlpGrpcExporterFactory } from '../../../src/collector/exporters/otlp_grpc/factory.js';
import { createDefaultOtlpHttpExporterConfig } from '../../../src/collector/exporters/otlp_http/config.js';
import { otlpHttpExporterFactory } from '../../../src/collector/exporters/otlp_http/factory.js';
import type { Exporter } from '../../../src/collector/factory.js';
import { decodeLogsProto } from '../../../src/collector/otlp/logsProto.js';
import { decodeTracesProto } from '../../../src/collector/otlp/traceProto.js';
import type { OtlpReceiver } from '../../../src/collector/receivers/otlp/OtlpReceiver.js';
import type { LogsData, Span, TracesData } from '../../../src/model/otlp.js';
import { makeSdkLogs, makeSdkSpans } from '../otlp/sdkFixtures.js';
import { Capture, recordingHost, startReceiver } from '../receivers/otlp/helpers.js';

/** Records what the first hop received, then hands it to the forwarding exporter. */
class Tee implements TracesConsumer, LogsConsumer {
  traces: TracesData[] = [];
  logs: LogsData[] = [];
  constructor(private readonly next: () => Exporter) {}
  consumeTraces(d: TracesData): Promise<void> {
    this.traces.push(structuredClone(d));
    return this.next().consumeTraces!(d);
  }
  consumeLogs(d: LogsData): Promise<void> {
    this.logs.push(structuredClone(d));
    return this.next().consumeLogs!(d);
  }
}

function exportWith<T>(
  exporter: { export(items: T[], cb: (r: ExportResult) => void): void },
  items: T[],
): Promise<void> {
  return new Promise((resolve, reject) =>
    exporter.export(items, (r) =>
      r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed')),
    ),
  );
}

function spansOf(d: TracesData): Span[] {
  return d.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
}

for (const hop of ['otlp_http', 'otlp_grpc'] as const) {
  describe(`official OTel exporters → otlp receiver → ${hop} → otlp receiver`, () => {
    const sink = new Capture();
    let tee: Tee;
    let first: OtlpReceiver;
    let second: OtlpReceiver;
    let forward: Exporter;
    let httpUrl: string;
    let grpcAddr: string;

    before(async () => {
      const last = await startReceiver(sink);
      second = last.receiver;
      if (hop === 'otlp_http') {
        const c = createDefaultOtlpHttpExporterConfig();
        c.endpoint = last.httpUrl;
        forward = otlpHttpExporterFactory.createExporter({ id: hop, pipeline: 'traces' }, c, [
          'traces',
          'logs',
        ]);
      } else {
        const c = createDefaultOtlpGrpcExporterConfig();
        c.endpoint = last.grpcAddr;
        c.tls.insecure = true;
        forward = otlpGrpcExporterFactory.createExporter({ id: hop, pipeline: 'traces' }, c, [
          'traces',
          'logs',
        ]);
      }
      await forward.start(recordingHost());
      tee = new Tee(() => forward);
      const firstHop = await startReceiver(tee as unknown as Capture);
      first = firstHop.receiver;
      httpUrl = firstHop.httpUrl;
      grpcAddr = firstHop.grpcAddr;
    });
    after(async () => {
      await first.shutdown();
      await forward.shutdown();
      await second.shutdown();
    });

    const senders = [
      ['exporter-trace-otlp-http (JSON)', () => new TraceHttpJson({ url: `${httpUrl}/v1/traces` })],
      [
        'exporter-trace-otlp-proto (gzip)',
        () => new TraceProto({ url: `${httpUrl}/v1/traces`, compression: CompressionAlgorithm.GZIP }),
      ],
      ['exporter-trace-otlp-grpc', () => new TraceGrpc({ url: `http://${grpcAddr}` })],
    ] as const;
    for (const [name, make] of senders) {
      it(`${name}: every span field arrives unchanged at both hops`, async () => {
        const sdk = await makeSdkSpans();
        const expected = decodeTracesProto(ProtobufTraceSerializer.serializeRequest(sdk)!);
        const exporter = make();
        const hopsBefore = sink.traces.length;
        try {
          await exportWith(exporter, sdk);
        } finally {
          await exporter.shutdown();
        }
        await waitFor(() => sink.traces.length > hopsBefore);
        assert.deepEqual(tee.traces.at(-1), expected, 'first hop');
        assert.deepEqual(sink.traces.at(-1), expected, 'second hop');
        const got = spansOf(sink.traces.at(-1)!);
        for (const s of sdk) {
          const g = got.find((x) => x.spanId === s.spanContext().spanId)!;
          assert.equal(g.traceId, s.spanContext().traceId);
          assert.equal(g.parentSpanId, s.parentSpanContext?.spanId ?? '');
          assert.equal(g.droppedAttributesCount, s.droppedAttributesCount);
          assert.equal(g.droppedEventsCount, s.droppedEventsCount);
          assert.equal(g.droppedLinksCount, s.droppedLinksCount);
          assert.equal(g.status.message, s.status.message ?? '');
        }
        assert.ok(
          got.some(
            (g) => g.droppedAttributesCount > 0 && g.droppedEventsCount > 0 && g.droppedLinksCount > 0,
          ),
        );
      });
    }

    for (const [name, make] of [
      ['exporter-logs-otlp-http (JSON)', () => new LogsHttpJson({ url: `${httpUrl}/v1/logs` })],
      ['exporter-logs-otlp-proto', () => new LogsProto({ url: `${httpUrl}/v1/logs` })],
    ] as const) {
      it(`${name}: log records arrive unchanged at both hops`, async () => {
        const sdk = await makeSdkLogs();
        const expected = decodeLogsProto(ProtobufLogsSerializer.serializeRequest(sdk)!);
        const exporter = make();
        const before = sink.logs.length;
        try {
          await exportWith(exporter, sdk);
        } finally {
          await exporter.shutdown();
        }
        await waitFor(() => sink.logs.length > before);
        assert.deepEqual(tee.logs.at(-1), expected);
        assert.deepEqual(sink.logs.at(-1), expected);
      });
    }
  });
}

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'condition reached within 2 s');
}
