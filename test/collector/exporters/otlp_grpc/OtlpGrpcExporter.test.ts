import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConsumerError } from '../../../../src/collector/component.js';
import {
  createDefaultOtlpGrpcExporterConfig,
  validateOtlpGrpcExporterConfig,
} from '../../../../src/collector/exporters/otlp_grpc/config.js';
import { otlpGrpcExporterFactory } from '../../../../src/collector/exporters/otlp_grpc/factory.js';
import { createDefaultOtlpHttpExporterConfig } from '../../../../src/collector/exporters/otlp_http/config.js';
import { otlpHttpExporterFactory } from '../../../../src/collector/exporters/otlp_http/factory.js';
import type { Exporter } from '../../../../src/collector/factory.js';
import type { LogsData, TracesData } from '../../../../src/model/otlp.js';
import { oneSpanTraces } from '../../helpers.js';
import { Capture, recordingHost, startReceiver, startTlsReceiver } from '../../receivers/otlp/helpers.js';
import { selfSignedCert } from '../../receivers/otlp/tls.js';

/** One client span with every field set, its only attribute `attrBytes` bytes of text. */
function spans(attrBytes = 0): TracesData {
  const data = oneSpanTraces({
    resource: [{ key: 'service.name', value: { stringValue: 'grpc-test' } }],
    scope: { name: 's', version: '1', attributes: [], droppedAttributesCount: 0 },
    span: {
      traceState: 'k=v',
      parentSpanId: '00f067aa0ba902b7',
      flags: 257,
      name: 'grpc span',
      kind: 3,
      startTimeUnixNano: 1_700_000_000_000_000_001n,
      endTimeUnixNano: 1_700_000_000_000_000_999n,
      attributes: [{ key: 'blob', value: { stringValue: 'x'.repeat(attrBytes) } }],
      droppedAttributesCount: 1,
      droppedEventsCount: 2,
      droppedLinksCount: 3,
      status: { code: 2, message: 'failed' },
    },
  });
  data.resourceSpans[0].schemaUrl = 'https://opentelemetry.io/schemas/1.30.0';
  return data;
}

const logs: LogsData = {
  resourceLogs: [
    {
      resource: { attributes: [], droppedAttributesCount: 0 },
      schemaUrl: '',
      scopeLogs: [
        {
          scope: { name: 'l', version: '', attributes: [], droppedAttributesCount: 0 },
          schemaUrl: '',
          logRecords: [
            {
              timeUnixNano: 5n,
              observedTimeUnixNano: 6n,
              severityNumber: 17,
              severityText: 'ERROR',
              body: { stringValue: 'incident opened' },
              attributes: [],
              droppedAttributesCount: 0,
              flags: 1,
              traceId: '0af7651916cd43dd8448eb211c80319c',
              spanId: 'b7ad6b7169203331',
              eventName: 'ml.incident',
            },
          ],
        },
      ],
    },
  ],
};

function exporterFor(addr: string): Exporter {
  const c = createDefaultOtlpGrpcExporterConfig();
  c.endpoint = addr;
  c.tls.insecure = true;
  c.retry_on_failure.initial_interval = '20ms';
  c.retry_on_failure.max_elapsed_time = '3s';
  c.sending_queue.enabled = false;
  assert.deepEqual(validateOtlpGrpcExporterConfig(c), []);
  return otlpGrpcExporterFactory.createExporter({ id: 'otlp_grpc', pipeline: 'traces' }, c, [
    'traces',
    'logs',
  ]);
}

describe('otlp_grpc exporter', () => {
  it('delivers traces and logs unchanged, retrying UNAVAILABLE after the server’s RetryInfo delay', async () => {
    const capture = new Capture();
    const { receiver, grpcAddr } = await startReceiver(capture, (c) => delete c.http);
    const exp = exporterFor(grpcAddr);
    const host = recordingHost();
    await exp.start(host);
    try {
      // Refuse exactly the first call, so the second attempt must come after the RetryInfo delay.
      const original = capture.consumeTraces.bind(capture);
      const attempts: number[] = [];
      capture.consumeTraces = async (d) => {
        attempts.push(Date.now());
        if (attempts.length === 1) throw new ConsumerError('busy', { permanent: false, retryAfterMs: 300 });
        return original(d);
      };
      await exp.consumeTraces!(spans());
      assert.equal(attempts.length, 2);
      assert.ok(attempts[1] - attempts[0] >= 290, 'waited for the RetryInfo delay');
      assert.deepEqual(capture.traces, [spans()]);
      await exp.consumeLogs!(logs);
      assert.deepEqual(capture.logs, [logs]);
      assert.equal(host.counters.get('mlobs_exporter_sent_spans_total'), 1);
      assert.equal(host.counters.get('mlobs_exporter_sent_log_records_total'), 1);
    } finally {
      await exp.shutdown();
      await receiver.shutdown();
    }
  });

  it('does not retry RESOURCE_EXHAUSTED without RetryInfo (message over the server limit)', async () => {
    const capture = new Capture();
    const { receiver, grpcAddr } = await startReceiver(capture, (c) => {
      delete c.http;
      c.grpc!.max_recv_msg_size = '16KiB';
    });
    const exp = exporterFor(grpcAddr);
    await exp.start(recordingHost());
    try {
      const err = await exp.consumeTraces!(spans(64 * 1024)).catch((e: unknown) => e);
      assert.ok(err instanceof ConsumerError && err.permanent, String(err));
      assert.match(err.message, /RESOURCE_EXHAUSTED/);
      assert.equal(capture.traces.length, 0);
    } finally {
      await exp.shutdown();
      await receiver.shutdown();
    }
  });

  it('refuses a config without endpoint and shuts down safely without start', async () => {
    const c = createDefaultOtlpGrpcExporterConfig();
    assert.deepEqual(
      validateOtlpGrpcExporterConfig(c).map((p) => p.path),
      ['endpoint'],
    );
    c.endpoint = '127.0.0.1:1';
    await otlpGrpcExporterFactory
      .createExporter({ id: 'otlp_grpc', pipeline: 'traces' }, c, ['traces'])
      .shutdown();
  });
});

describe('OTLP exporters over TLS', () => {
  it('otlp_grpc and otlp_http trust a private CA from ca_file and refuse an untrusted server', async (t) => {
    const cert = selfSignedCert();
    if (!cert) return t.skip('openssl is not installed');
    const capture = new Capture();
    const { receiver, grpcAddr, httpUrl } = await startTlsReceiver(capture, cert);
    const grpcConfig = createDefaultOtlpGrpcExporterConfig();
    grpcConfig.endpoint = grpcAddr;
    grpcConfig.tls.ca_file = cert.certFile;
    grpcConfig.sending_queue.enabled = false;
    const httpConfig = createDefaultOtlpHttpExporterConfig();
    httpConfig.endpoint = httpUrl;
    httpConfig.tls.ca_file = cert.certFile;
    httpConfig.sending_queue.enabled = false;
    const untrusted = createDefaultOtlpHttpExporterConfig();
    untrusted.endpoint = httpUrl;
    untrusted.sending_queue.enabled = false;
    untrusted.retry_on_failure.enabled = false;
    const settings = { id: 'tls', pipeline: 'traces' };
    const exporters = [
      otlpGrpcExporterFactory.createExporter(settings, grpcConfig, ['traces']),
      otlpHttpExporterFactory.createExporter(settings, httpConfig, ['traces']),
    ];
    const refused = otlpHttpExporterFactory.createExporter(settings, untrusted, ['traces']);
    try {
      for (const e of [...exporters, refused]) await e.start(recordingHost());
      for (const e of exporters) await e.consumeTraces!(spans());
      assert.equal(capture.traces.length, 2);
      await assert.rejects(refused.consumeTraces!(spans()), /self.signed|certificate/i);
      assert.equal(capture.traces.length, 2);
    } finally {
      for (const e of [...exporters, refused]) await e.shutdown();
      await receiver.shutdown();
    }
  });
});
