import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRequests } from '../../../bench/collector/workload.js';
import { ConsumerError } from '../../../src/collector/component.js';
import {
  createDefaultOtlpGrpcExporterConfig,
  validateOtlpGrpcExporterConfig,
} from '../../../src/collector/exporters/otlp_grpc/config.js';
import { otlpGrpcExporterFactory } from '../../../src/collector/exporters/otlp_grpc/factory.js';
import {
  createDefaultOtlpHttpExporterConfig,
  validateOtlpHttpExporterConfig,
} from '../../../src/collector/exporters/otlp_http/config.js';
import { otlpHttpExporterFactory } from '../../../src/collector/exporters/otlp_http/factory.js';
import type { Exporter } from '../../../src/collector/factory.js';
import { decodeTracesProto, encodeTracesProto } from '../../../src/collector/otlp/traceProto.js';
import type { Span, TracesData } from '../../../src/model/otlp.js';
import { paddedTraces } from '../otlp/paddedFixtures.js';
import { Capture, recordingHost, startReceiver } from '../receivers/otlp/helpers.js';

// Above one workload span (≈ 16.4 kB since numeric summaries count distinct values), far below a batch.
const LIMIT = 20 * 1024;

function names(d: TracesData): string[] {
  return d.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name)));
}

/** A request holding just `span`, to compare spans byte for byte whatever requests carried them. */
function oneSpan(span: Span): TracesData {
  const scope = { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
  const resource = { attributes: [], droppedAttributesCount: 0 };
  return {
    resourceSpans: [{ resource, schemaUrl: '', scopeSpans: [{ scope, schemaUrl: '', spans: [span] }] }],
  };
}

/** Receivers that refuse anything over LIMIT, as a real one refuses over its body limit. */
async function tightReceiver(capture: Capture, protocol: 'http' | 'grpc') {
  return startReceiver(capture, (c) => {
    if (protocol === 'http') {
      delete c.grpc;
      c.http!.max_request_body_size = LIMIT;
    } else {
      delete c.http;
      c.grpc!.max_recv_msg_size = LIMIT;
    }
  });
}

function exporterTo(protocol: 'http' | 'grpc', address: string): Exporter {
  const edit = (c: ReturnType<typeof createDefaultOtlpHttpExporterConfig>) => {
    c.retry_on_failure.initial_interval = '20ms';
    c.retry_on_failure.max_elapsed_time = '2s';
    c.sending_queue.enabled = false;
    c.sending_queue.batch.max_size = `${LIMIT / 1024}KiB`;
  };
  if (protocol === 'http') {
    const c = createDefaultOtlpHttpExporterConfig();
    c.endpoint = address;
    c.compression = 'none';
    edit(c);
    assert.deepEqual(validateOtlpHttpExporterConfig(c), []);
    return otlpHttpExporterFactory.createExporter({ id: 'otlp_http', pipeline: 'traces' }, c, ['traces']);
  }
  const c = createDefaultOtlpGrpcExporterConfig();
  c.endpoint = address;
  c.tls.insecure = true;
  c.compression = 'none';
  edit(c as never);
  assert.deepEqual(validateOtlpGrpcExporterConfig(c), []);
  return otlpGrpcExporterFactory.createExporter({ id: 'otlp_grpc', pipeline: 'traces' }, c, ['traces']);
}

/** Runs `body` with an exporter started against a tight receiver of `protocol`, then shuts both down. */
async function withTightPair(
  protocol: 'http' | 'grpc',
  body: (t: { capture: Capture; exp: Exporter; host: ReturnType<typeof recordingHost> }) => Promise<void>,
): Promise<void> {
  const capture = new Capture();
  const { receiver, httpUrl, grpcAddr } = await tightReceiver(capture, protocol);
  const exp = exporterTo(protocol, protocol === 'http' ? httpUrl : grpcAddr);
  const host = recordingHost();
  await exp.start(host);
  try {
    await body({ capture, exp, host });
  } finally {
    await exp.shutdown();
    await receiver.shutdown();
  }
}

for (const protocol of ['http', 'grpc'] as const) {
  describe(`otlp_${protocol} exporter request size (sending_queue::batch::max_size)`, () => {
    it('delivers a batch ~8x over the limit as several requests the receiver accepts, every span once', async () => {
      await withTightPair(protocol, async ({ capture, exp, host }) => {
        const data = paddedTraces(38, () => 1000);
        assert.ok(encodeTracesProto(data).length > 7 * LIMIT);
        await exp.consumeTraces!(data);
        assert.ok(capture.traces.length >= 8, `${capture.traces.length} requests`);
        for (const got of capture.traces) assert.ok(encodeTracesProto(got).length <= LIMIT);
        assert.deepEqual(capture.traces.flatMap(names), names(data));
        assert.equal(host.counters.get('mlobs_exporter_sent_spans_total'), 152);
      });
    });

    it('delivers spans with kept summary event attributes (sent as pieces over HTTP) byte for byte', async () => {
      await withTightPair(protocol, async ({ capture, exp, host }) => {
        // ~16 kB of kept event attributes per span, referenced rather than copied into requests.
        const { bodies } = buildRequests(2, 12, true);
        const data = { resourceSpans: bodies.flatMap((b) => decodeTracesProto(b).resourceSpans) };
        const spans = (d: TracesData[]) =>
          d.flatMap((t) => t.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
        const expected = spans([data]).map((s) => encodeTracesProto(oneSpan(s)));
        await exp.consumeTraces!(data);
        assert.ok(capture.traces.length >= 2, `${capture.traces.length} requests`);
        for (const got of capture.traces) assert.ok(encodeTracesProto(got).length <= LIMIT);
        assert.deepEqual(
          spans(capture.traces).map((s) => encodeTracesProto(oneSpan(s))),
          expected,
        );
        assert.equal(host.counters.get('mlobs_exporter_sent_spans_total'), 24);
      });
    });

    it('refuses a span larger than the limit on its own as permanent and counted, and sends the others', async () => {
      await withTightPair(protocol, async ({ capture, exp, host }) => {
        const data = paddedTraces(3, (i, j, k) => (i === 0 && j === 1 && k === 1 ? 40_000 : 2000));
        const err = await exp.consumeTraces!(data).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(err instanceof ConsumerError, String(err));
        assert.equal(err.permanent, true);
        assert.equal(err.rejected, 1);
        assert.match(err.message, /more than 20480 bytes/);
        const sent = capture.traces.flatMap(names);
        assert.equal(sent.length, 11);
        assert.ok(!sent.includes('r0s1n1'));
        assert.equal(host.counters.get('mlobs_exporter_send_failed_spans_total'), 1);
        assert.equal(host.counters.get('mlobs_exporter_sent_spans_total'), 11);
      });
    });
  });
}

describe('sending_queue::batch settings', () => {
  it('default to 16MiB of encoded bytes and refuse other sizers and bad sizes with their paths', () => {
    const c = createDefaultOtlpHttpExporterConfig();
    assert.deepEqual(c.sending_queue.batch, { sizer: 'bytes', max_size: '16MiB' });
    c.endpoint = 'http://127.0.0.1:4318';
    c.sending_queue.batch = { sizer: 'items', max_size: 'huge' };
    const problems = validateOtlpHttpExporterConfig(c);
    assert.deepEqual(
      problems.map((p) => p.path),
      ['sending_queue::batch::sizer', 'sending_queue::batch::max_size'],
    );
    assert.match(problems[0].message, /must be "bytes"/);
  });
});
