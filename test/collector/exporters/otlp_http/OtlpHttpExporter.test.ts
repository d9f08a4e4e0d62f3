import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { context, DiagLogLevel, diag } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { isTracingSuppressed } from '@opentelemetry/core';
import { buildRequests } from '../../../../bench/collector/workload.js';
import { ConsumerError } from '../../../../src/collector/component.js';
import type { SendItem } from '../../../../src/collector/exporterhelper/RetrySender.js';
import {
  createDefaultOtlpHttpExporterConfig,
  validateOtlpHttpExporterConfig,
} from '../../../../src/collector/exporters/otlp_http/config.js';
import { otlpHttpExporterFactory } from '../../../../src/collector/exporters/otlp_http/factory.js';
import {
  OtlpHttpExporter,
  parseRetryAfter,
} from '../../../../src/collector/exporters/otlp_http/OtlpHttpExporter.js';
import { validateConfig } from '../../../../src/collector/index.js';
import { encodeExportResponse, encodeRpcStatus } from '../../../../src/collector/otlp/responses.js';
import { decodeTracesProto } from '../../../../src/collector/otlp/traceProto.js';
import { TelemetryRegistry } from '../../../../src/collector/service/TelemetryRegistry.js';
import type { TracesData } from '../../../../src/model/otlp.js';
import { logsOf, oneSpanTraces, testLogRecord } from '../../helpers.js';
import { Capture, recordingHost, startReceiver } from '../../receivers/otlp/helpers.js';

/** Two spans, `a` and `b`, in one scope. */
const data: TracesData = oneSpanTraces({ span: { name: 'a', flags: 0 } });
const onlyScope = data.resourceSpans[0].scopeSpans[0];
onlyScope.spans.push({ ...structuredClone(onlyScope.spans[0]), name: 'b' });

type Reply = { status: number; headers?: Record<string, string>; body?: Uint8Array };

/** A scripted OTLP/HTTP server: answers each request with the next reply and records what it got. */
async function scriptedServer(replies: Reply[]) {
  const got: { headers: http.IncomingHttpHeaders; body: Buffer; at: number; url: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks), at: Date.now(), url: req.url ?? '' });
      const r = replies.shift() ?? { status: 200 };
      res.writeHead(r.status, { 'content-type': 'application/x-protobuf', ...r.headers });
      res.end(r.body ?? encodeExportResponse(undefined));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { got, url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function exporter(
  url: string,
  edit: (c: ReturnType<typeof createDefaultOtlpHttpExporterConfig>) => void = () => undefined,
) {
  const c = createDefaultOtlpHttpExporterConfig();
  c.endpoint = url;
  c.retry_on_failure.initial_interval = '20ms';
  c.retry_on_failure.max_interval = '50ms';
  c.retry_on_failure.max_elapsed_time = '3s';
  c.sending_queue.enabled = false;
  c.headers = { 'x-api-key': 'k1' };
  edit(c);
  assert.deepEqual(validateOtlpHttpExporterConfig(c), []);
  return otlpHttpExporterFactory.createExporter({ id: 'otlp_http', pipeline: 'traces' }, c, [
    'traces',
  ]) as OtlpHttpExporter;
}

/** A port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('otlp_http exporter', () => {
  it('says an endpoint is unreachable at the first failed attempt, once, then only counts', async () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m), error() {}, info() {}, debug() {}, verbose() {} };
    diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    const url = `http://127.0.0.1:${await closedPort()}`;
    const exp = exporter(url, (c) => {
      c.retry_on_failure.max_elapsed_time = '300s'; // the default: exhaustion is minutes away
      c.sending_queue.enabled = true;
      c.timeout = '300ms';
    });
    const host = recordingHost();
    await exp.start(host);
    const started = Date.now();
    try {
      await exp.consumeTraces(data); // queued: the sender does not wait for delivery
      for (let i = 0; i < 100 && (host.counters.get('mlobs_exporter_failed_requests_total') ?? 0) < 4; i++)
        await new Promise((r) => setTimeout(r, 20));
      const mine = warnings.filter((w) => w.includes('otlp_http'));
      assert.equal(mine.length, 1, `one warning, not one per attempt: ${mine.join(' | ')}`);
      assert.ok(mine[0]?.includes(`${url}/v1/traces`), mine[0]);
      assert.match(mine[0] ?? '', /ECONNREFUSED/);
      assert.match(mine[0] ?? '', /retrying for up to 300 s/);
      assert.ok(Date.now() - started < 3000, 'reported within seconds');
      assert.ok(
        (host.counters.get('mlobs_exporter_failed_requests_total') ?? 0) >= 4,
        'each attempt counted',
      );
      assert.equal(
        host.counters.get('mlobs_exporter_send_failed_spans_total'),
        undefined,
        'not given up yet',
      );
    } finally {
      await exp.shutdown();
      diag.disable();
    }
  });

  it('posts gzip protobuf to /v1/traces with the configured headers', async () => {
    const server = await scriptedServer([]);
    const exp = exporter(`${server.url}/base`);
    const host = recordingHost();
    await exp.start(host);
    try {
      await exp.consumeTraces(data);
      const [req] = server.got;
      assert.equal(req.url, '/base/v1/traces');
      assert.equal(req.headers['content-type'], 'application/x-protobuf');
      assert.equal(req.headers['content-encoding'], 'gzip');
      assert.equal(req.headers['x-api-key'], 'k1');
      assert.deepEqual(decodeTracesProto(zlib.gunzipSync(req.body)), data);
      assert.equal(host.counters.get('mlobs_exporter_sent_spans_total'), 2);
    } finally {
      await exp.shutdown();
      await server.close();
    }
  });

  it('sends kept summary event attributes byte for byte, gzip or not (pieces joined or written as they are)', async () => {
    const body = buildRequests(1, 6, true).bodies[0];
    for (const compression of ['gzip', 'none'] as const) {
      const server = await scriptedServer([]);
      const exp = exporter(server.url, (c) => {
        c.compression = compression;
      });
      await exp.start(recordingHost());
      try {
        await exp.consumeTraces(decodeTracesProto(body));
        const [req] = server.got;
        assert.equal(req.headers['content-length'], String(req.body.length));
        assert.deepEqual(compression === 'gzip' ? zlib.gunzipSync(req.body) : req.body, Buffer.from(body));
      } finally {
        await exp.shutdown();
        await server.close();
      }
    }
  });

  it('retries 503 and 429 honouring Retry-After, then succeeds', async () => {
    const server = await scriptedServer([
      { status: 503 },
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 200 },
    ]);
    const exp = exporter(server.url, (c) => (c.compression = 'none'));
    await exp.start(recordingHost());
    try {
      await exp.consumeTraces(data);
      assert.equal(server.got.length, 3);
      assert.ok(server.got[2].at - server.got[1].at >= 950, 'waited for Retry-After: 1');
    } finally {
      await exp.shutdown();
      await server.close();
    }
  });

  it('does not retry a 400 and surfaces the server message as a permanent error', async () => {
    const server = await scriptedServer([
      { status: 400, body: encodeRpcStatus({ code: 3, message: 'span has no id' }) },
    ]);
    const exp = exporter(server.url);
    const host = recordingHost();
    await exp.start(host);
    try {
      const err = await exp.consumeTraces(data).catch((e: unknown) => e);
      assert.ok(err instanceof ConsumerError && err.permanent);
      assert.match(err.message, /HTTP 400: span has no id/);
      assert.equal(server.got.length, 1);
      assert.equal(host.counters.get('mlobs_exporter_send_failed_spans_total'), 2);
    } finally {
      await exp.shutdown();
      await server.close();
    }
  });

  it('counts the spans a partial success rejected', async () => {
    const server = await scriptedServer([
      { status: 200, body: encodeExportResponse({ rejected: 1, message: 'one bad' }) },
    ]);
    const exp = exporter(server.url);
    const host = recordingHost();
    await exp.start(host);
    try {
      await exp.consumeTraces(data);
      assert.equal(host.counters.get('mlobs_exporter_sent_spans_total'), 1);
      assert.equal(host.counters.get('mlobs_exporter_send_failed_spans_total'), 1);
    } finally {
      await exp.shutdown();
      await server.close();
    }
  });

  it('sends with tracing suppressed so the exporter never traces itself', async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    const seen: boolean[] = [];
    const server = await scriptedServer([]);
    const c = createDefaultOtlpHttpExporterConfig();
    c.endpoint = server.url;
    c.sending_queue.enabled = false;
    // Observe the active context at the moment each attempt runs.
    class Probe extends OtlpHttpExporter {
      protected override attempt(item: SendItem, abort: AbortSignal) {
        seen.push(isTracingSuppressed(context.active()));
        return super.attempt(item, abort);
      }
    }
    const exp = new Probe('otlp_http', c);
    await exp.start(recordingHost());
    try {
      assert.equal(isTracingSuppressed(context.active()), false);
      await exp.consumeTraces(data);
      assert.deepEqual(seen, [true]);
    } finally {
      await exp.shutdown();
      await server.close();
      context.disable();
    }
  });

  it('parses Retry-After as seconds or an HTTP date and validates its config with paths', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    const soon = parseRetryAfter(new Date(Date.now() + 5000).toUTCString())!;
    assert.ok(soon > 3000 && soon <= 5000);
    assert.equal(parseRetryAfter('soon'), undefined);
    const c = createDefaultOtlpHttpExporterConfig();
    c.endpoint = 'ftp://x';
    c.compression = 'zstd';
    c.sending_queue.queue_size = 0;
    c.retry_on_failure.initial_interval = 'fast';
    assert.deepEqual(
      validateOtlpHttpExporterConfig(c).map((p) => p.path),
      ['endpoint', 'compression', 'retry_on_failure::initial_interval', 'sending_queue::queue_size'],
    );
  });
});

describe('otlp_http exporter per-signal endpoints', () => {
  it('sends a signal to its own <signal>_endpoint as given, the others to <endpoint>/v1/<signal>', async () => {
    const server = await scriptedServer([]);
    const c = createDefaultOtlpHttpExporterConfig();
    c.endpoint = `${server.url}/base`;
    c.traces_endpoint = `${server.url}/tempo/api/traces`;
    c.compression = 'none';
    c.sending_queue.enabled = false;
    assert.deepEqual(validateOtlpHttpExporterConfig(c), []);
    const exp = otlpHttpExporterFactory.createExporter({ id: 'otlp_http', pipeline: '' }, c, [
      'traces',
      'logs',
    ]);
    await exp.start(recordingHost());
    try {
      await exp.consumeTraces?.(data);
      await exp.consumeLogs?.(logsOf([testLogRecord({ body: { stringValue: 'hello' } })]));
      assert.deepEqual(
        server.got.map((g) => g.url),
        ['/tempo/api/traces', '/base/v1/logs'],
      );
      assert.deepEqual(decodeTracesProto(server.got[0].body), data);
    } finally {
      await exp.shutdown();
      await server.close();
    }
  });

  it('needs endpoint only for signals without their own; a missing one is named at build time', () => {
    const c = createDefaultOtlpHttpExporterConfig();
    c.traces_endpoint = 'http://127.0.0.1:4318/v1/traces';
    assert.deepEqual(validateOtlpHttpExporterConfig(c), []);
    const only = otlpHttpExporterFactory.createExporter({ id: 'otlp_http/t', pipeline: '' }, c, ['traces']);
    assert.ok(only);
    assert.throws(
      () =>
        otlpHttpExporterFactory.createExporter({ id: 'otlp_http/t', pipeline: '' }, c, ['traces', 'logs']),
      {
        code: 'MLOBS_ERR_CONFIG_INVALID',
        message: 'exporters::otlp_http/t: no endpoint for logs; set endpoint or logs_endpoint',
      },
    );
    c.logs_endpoint = 'grpc://x';
    c.metrics_endpoint = 'not a url';
    assert.deepEqual(
      validateOtlpHttpExporterConfig(c).map((p) => p.path),
      ['logs_endpoint', 'metrics_endpoint'],
    );
    // `mlobs validate` names the pipeline that needs an endpoint the exporter lacks.
    const tree = {
      receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:0' } } } },
      exporters: { otlp_http: { traces_endpoint: 'http://127.0.0.1:4318/v1/traces' } },
      service: {
        telemetry: { endpoint: '127.0.0.1:0' },
        pipelines: {
          traces: { receivers: ['otlp'], exporters: ['otlp_http'] },
          logs: { receivers: ['otlp'], exporters: ['otlp_http'] },
        },
      },
    };
    assert.deepEqual(validateConfig(tree).problems, [
      {
        path: 'service::pipelines::logs::exporters::0',
        message: 'exporter "otlp_http" has no endpoint for logs (set endpoint or logs_endpoint)',
      },
    ]);
    // Without any endpoint at all, `endpoint` is the one asked for.
    const none = createDefaultOtlpHttpExporterConfig();
    assert.deepEqual(
      validateOtlpHttpExporterConfig(none).map((p) => p.path),
      ['endpoint'],
    );
  });
});

describe('otlp_http exporter with malformed data', () => {
  it('refuses a batch whose ids are not hex with a permanent error instead of throwing', async () => {
    const server = await scriptedServer([]);
    const exp = exporter(server.url);
    const host = recordingHost();
    await exp.start(host);
    try {
      const bad = structuredClone(data);
      bad.resourceSpans[0].scopeSpans[0].spans[0].traceId = 'not-a-hex-trace-id';
      let result: Promise<void> | undefined;
      assert.doesNotThrow(() => {
        result = exp.consumeTraces(bad);
      });
      await assert.rejects(result!, (err: unknown) => err instanceof ConsumerError && err.permanent);
      assert.equal(server.got.length, 0);
      assert.equal(host.counters.get('mlobs_exporter_send_failed_spans_total'), 2);
    } finally {
      await exp.shutdown();
      await server.close();
    }
  });
});

describe('otlp_http exporter with encoding: json', () => {
  it('sends OTLP/JSON that an otlp receiver decodes to the same spans', async () => {
    const capture = new Capture();
    const { receiver, httpUrl } = await startReceiver(capture, (c) => delete c.grpc);
    const exp = exporter(httpUrl, (c) => (c.encoding = 'json'));
    await exp.start(recordingHost());
    try {
      await exp.consumeTraces(data);
      assert.deepEqual(capture.traces, [data]);
    } finally {
      await exp.shutdown();
      await receiver.shutdown();
    }
  });

  it('reports its sending queue size in requests and bytes as gauges, back to 0 once drained', async () => {
    // A backend that holds every request until released, so requests pile up in the queue.
    const held: http.ServerResponse[] = [];
    let release = false;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (release) res.end(encodeExportResponse(undefined));
        else held.push(res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const exp = exporter(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, (c) => {
      c.sending_queue.enabled = true;
      c.sending_queue.num_consumers = 1;
    });
    const telemetry = new TelemetryRegistry();
    await exp.start({ telemetry, reportFatalError: () => undefined });
    const gauge = async (name: string) => {
      const m = new RegExp(`^${name}\\{exporter="otlp_http"\\} (\\d+)$`, 'm').exec(await telemetry.render());
      return m ? Number(m[1]) : undefined;
    };
    try {
      assert.equal(await gauge('mlobs_exporter_queue_size'), 0);
      for (let i = 0; i < 3; i++) await exp.consumeTraces(structuredClone(data));
      for (let i = 0; i < 100 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      // One request is being sent; the other two wait.
      assert.equal(await gauge('mlobs_exporter_queue_size'), 2);
      const bytes = (await gauge('mlobs_exporter_queue_size_bytes')) ?? 0;
      assert.ok(bytes > 100 && bytes < 10_000, `two small requests are ${bytes} bytes`);
      release = true;
      for (const res of held.splice(0)) res.end(encodeExportResponse(undefined));
      for (let i = 0; i < 100 && (await gauge('mlobs_exporter_queue_size')) !== 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(await gauge('mlobs_exporter_queue_size'), 0);
      assert.equal(await gauge('mlobs_exporter_queue_size_bytes'), 0);
    } finally {
      release = true;
      for (const res of held.splice(0)) res.end(encodeExportResponse(undefined));
      await exp.shutdown();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
