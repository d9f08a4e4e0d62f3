import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import {
  JsonMetricsSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
} from '@opentelemetry/otlp-transformer';
import { buildRequests } from '../../../../bench/collector/workload.js';
import { ConsumerError } from '../../../../src/collector/component.js';
import { decodeLogsProto } from '../../../../src/collector/otlp/logsProto.js';
import { decodeMetricsProto } from '../../../../src/collector/otlp/metricsProtoDecode.js';
import { decodeExportResponse, decodeRpcStatus } from '../../../../src/collector/otlp/responses.js';
import { encodeTracesProto } from '../../../../src/collector/otlp/traceProto.js';
import type { OtlpReceiver } from '../../../../src/collector/receivers/otlp/OtlpReceiver.js';
import { countSpans, type TracesData } from '../../../../src/model/otlp.js';
import { oneSpanTraces } from '../../helpers.js';
import { makeSdkLogs, makeSdkMetrics } from '../../otlp/sdkFixtures.js';
import { Capture, request, startReceiver } from './helpers.js';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';

/** `n` server spans `span-<i>` (attribute `i` = i) of service `svc`, in one resource and scope. */
function traces(n = 1): TracesData {
  const data = oneSpanTraces({
    resource: [{ key: 'service.name', value: { stringValue: 'svc' } }],
    scope: { name: 'scope', version: '1', attributes: [], droppedAttributesCount: 0 },
  });
  const only = data.resourceSpans[0].scopeSpans[0];
  only.spans = Array.from({ length: n }, (_, i) => ({
    ...structuredClone(only.spans[0]),
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    name: `span-${i}`,
    kind: 2,
    startTimeUnixNano: 1_700_000_000_000_000_000n,
    endTimeUnixNano: 1_700_000_000_100_000_000n,
    attributes: [{ key: 'i', value: { intValue: i } }],
  }));
  return data;
}

const PB = { 'content-type': 'application/x-protobuf' };
const JS = { 'content-type': 'application/json' };

describe('OTLP/HTTP receiver', () => {
  const capture = new Capture();
  let receiver: OtlpReceiver;
  let url: string;
  let counters: Map<string, number>;

  before(async () => {
    const started = await startReceiver(capture, (c) => {
      c.http!.max_request_body_size = '8MiB';
      delete c.grpc;
    });
    receiver = started.receiver;
    url = started.httpUrl;
    counters = started.host.counters;
  });
  after(() => receiver.shutdown());

  async function validRequestStillAccepted(): Promise<void> {
    const before = capture.traces.length;
    const res = await request(`${url}/v1/traces`, { headers: PB, body: encodeTracesProto(traces(2)) });
    assert.equal(res.status, 200);
    assert.equal(capture.traces.length, before + 1);
  }

  it('accepts protobuf traces, hands them on unchanged and answers in protobuf', async () => {
    const sent = traces(3);
    const res = await request(`${url}/v1/traces`, { headers: PB, body: encodeTracesProto(sent) });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/x-protobuf');
    assert.equal(decodeExportResponse(res.body), undefined);
    assert.deepEqual(capture.traces.at(-1), sent);
    assert.ok((counters.get('mlobs_receiver_accepted_spans_total') ?? 0) >= 3);
  });

  it('reuses its body buffers without changing spans already handed on (summary events kept undecoded)', async () => {
    // Each request is read into the buffer the one before it was read into.
    const plain = buildRequests(2, 512, false).bodies;
    const summary = buildRequests(1, 8, true).bodies[0];
    assert.ok(summary.length < plain[0].length);
    const bodies = [plain[0], summary, plain[1]];
    const from = capture.traces.length;
    for (const body of bodies) {
      const res = await request(`${url}/v1/traces`, { headers: PB, body });
      assert.equal(res.status, 200);
    }
    const got = capture.traces.slice(from);
    assert.equal(got.length, 3);
    for (const [i, d] of got.entries()) assert.deepEqual(encodeTracesProto(d), bodies[i], `request ${i}`);
  });

  it('accepts OTLP/JSON with snake_case names, string or number integers and unknown fields', async () => {
    const body = JSON.stringify({
      resource_spans: [
        {
          resource: { attributes: [{ key: 'k', value: { int_value: '9007199254740993' } }] },
          scope_spans: [
            {
              scope: { name: 's', future_field: true },
              spans: [
                {
                  trace_id: TRACE_ID.toUpperCase(),
                  spanId: SPAN_ID,
                  name: 'json span',
                  kind: 3,
                  startTimeUnixNano: 1700000000000000000,
                  end_time_unix_nano: '1700000000500000000',
                  unknownThing: { nested: [1, 2] },
                },
              ],
            },
          ],
        },
      ],
    });
    const res = await request(`${url}/v1/traces`, { headers: JS, body });
    assert.equal(res.status, 200, res.body.toString());
    assert.equal(res.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(res.body.toString()), {});
    const got = capture.traces.at(-1)!;
    const span = got.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(span.traceId, TRACE_ID);
    assert.equal(span.kind, 3);
    assert.equal(span.endTimeUnixNano, 1700000000500000000n);
    assert.deepEqual(got.resourceSpans[0].resource.attributes[0].value, { intValue: 9007199254740993n });
    await validRequestStillAccepted();
  });

  it('accepts gzip and deflate bodies', async () => {
    for (const [enc, fn] of [
      ['gzip', zlib.gzipSync],
      ['deflate', zlib.deflateSync],
    ] as const) {
      const res = await request(`${url}/v1/traces`, {
        headers: { ...PB, 'content-encoding': enc },
        body: fn(encodeTracesProto(traces(4))),
      });
      assert.equal(res.status, 200, enc);
      assert.equal(countSpans(capture.traces.at(-1)!), 4);
    }
  });

  /** A span whose one attribute value nests `levels` arrays deep (protobuf), to overflow a recursive decoder. */
  function deeplyNested(levels: number): Uint8Array {
    const varint = (n: number) => {
      const out: number[] = [];
      while (n > 0x7f) {
        out.push((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      out.push(n);
      return out;
    };
    // Lengths from the inside out: AnyValue{array_value: ArrayValue{values: AnyValue{...}}}.
    const headers: number[][] = [];
    let inner = 0;
    for (let i = 0; i < levels; i++) {
      const arrayLen = 1 + varint(inner).length + inner;
      headers.push([0x2a, ...varint(arrayLen), 0x0a, ...varint(inner)]);
      inner = 1 + varint(arrayLen).length + arrayLen;
    }
    const value = new Uint8Array(inner);
    let pos = 0;
    for (let i = headers.length - 1; i >= 0; i--) for (const b of headers[i]) value[pos++] = b;
    const wrap = (tag: number, body: Uint8Array) =>
      Buffer.concat([Buffer.from([tag, ...varint(body.length)]), body]);
    const kv = wrap(0x4a, Buffer.concat([Buffer.from([0x0a, 1, 0x6b]), wrap(0x12, value)]));
    return wrap(0x0a, wrap(0x12, wrap(0x12, kv)));
  }

  const bad: [
    string,
    () => { headers: Record<string, string>; body: Uint8Array | string },
    number,
    RegExp,
  ][] = [
    [
      'truncated protobuf',
      () => ({ headers: PB, body: encodeTracesProto(traces(2)).subarray(0, 40) }),
      400,
      /invalid protobuf/,
    ],
    ['a wrong wire type', () => ({ headers: PB, body: Uint8Array.of(0x08, 0x96, 0x01) }), 400, /wire type 0/],
    [
      'a JSON trace id of the wrong length',
      () => ({ headers: JS, body: '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"abcd"}]}]}]}' }),
      400,
      /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId: expected 32 hex digits/,
    ],
    [
      'a JSON span id that is not hex',
      () => ({
        headers: JS,
        body: `{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"zzzzzzzzzzzzzzzz"}]}]}]}`,
      }),
      400,
      /spanId: expected 16 hex digits/,
    ],
    ['broken JSON', () => ({ headers: JS, body: '{"resourceSpans": [' }), 400, /not JSON/],
    [
      'a wrong content type',
      () => ({ headers: { 'content-type': 'text/plain' }, body: 'hello' }),
      415,
      /unsupported content type/,
    ],
    [
      'an unknown content encoding',
      () => ({ headers: { ...PB, 'content-encoding': 'br' }, body: 'x' }),
      415,
      /content encoding/,
    ],
    [
      'an oversized body',
      () => ({ headers: PB, body: new Uint8Array(9 * 1024 * 1024) }),
      413,
      /over the limit/,
    ],
    [
      'a gzip bomb',
      () => ({
        headers: { ...PB, 'content-encoding': 'gzip' },
        body: zlib.gzipSync(Buffer.alloc(128 * 1024 * 1024)),
      }),
      413,
      /once decompressed/,
    ],
    [
      'a protobuf value nested 200,000 levels deep',
      () => ({ headers: PB, body: deeplyNested(200_000) }),
      400,
      /nested too deeply/,
    ],
    [
      'a JSON value nested 200,000 levels deep',
      () => ({
        headers: JS,
        body: `{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":${'{"arrayValue":{"values":['.repeat(200_000)}${']}}'.repeat(200_000)}}]}]}]}]}`,
      }),
      400,
      /nested too deeply/,
    ],
    [
      'a corrupt gzip body',
      () => ({ headers: { ...PB, 'content-encoding': 'gzip' }, body: 'not gzip' }),
      400,
      /corrupt/,
    ],
  ];
  for (const [what, make, status, message] of bad) {
    it(`answers ${status} to ${what}, then still accepts a valid request`, async () => {
      const { headers, body } = make();
      const res = await request(`${url}/v1/traces`, { headers, body });
      assert.equal(res.status, status);
      const text =
        headers['content-type'] === 'application/json'
          ? JSON.parse(res.body.toString()).message
          : decodeRpcStatus(res.body).message;
      assert.match(text, message);
      await validRequestStillAccepted();
    });
  }

  it('refuses an oversized body from its Content-Length without reading it', async () => {
    const res = await request(`${url}/v1/traces`, {
      headers: { ...PB, 'content-length': String(10 * 1024 * 1024) },
      body: 'x',
    }).catch((err: Error) => err);
    if (!(res instanceof Error)) assert.equal(res.status, 413);
    await validRequestStillAccepted();
  });

  it('accepts an empty protobuf body as an empty request, and answers 400 to an empty or null JSON body as the Collector does', async () => {
    const res = await request(`${url}/v1/traces`, { headers: PB, body: new Uint8Array(0) });
    assert.equal(res.status, 200);
    assert.deepEqual(capture.traces.at(-1), { resourceSpans: [] });
    const before = capture.traces.length;
    for (const body of ['', 'null', '  null \n']) {
      const json = await request(`${url}/v1/traces`, { headers: JS, body });
      assert.equal(json.status, 400, `body ${JSON.stringify(body)}`);
      assert.match(JSON.parse(json.body.toString()).message, /empty body|got null/);
    }
    assert.equal(capture.traces.length, before, 'nothing reached the pipeline');
    await validRequestStillAccepted();
  });

  it('serves /v1/logs and /v1/metrics from reference protobuf and JSON bodies', async () => {
    const logs = await makeSdkLogs();
    const metrics = await makeSdkMetrics();
    const logsPb = await request(`${url}/v1/logs`, {
      headers: PB,
      body: ProtobufLogsSerializer.serializeRequest(logs)!,
    });
    assert.equal(logsPb.status, 200);
    assert.deepEqual(capture.logs.at(-1), decodeLogsProto(ProtobufLogsSerializer.serializeRequest(logs)!));
    const metricsJson = await request(`${url}/v1/metrics`, {
      headers: JS,
      body: JsonMetricsSerializer.serializeRequest(metrics)!,
    });
    assert.equal(metricsJson.status, 200);
    assert.deepEqual(
      capture.metrics.at(-1),
      decodeMetricsProto(ProtobufMetricsSerializer.serializeRequest(metrics)!),
    );
    assert.ok((counters.get('mlobs_receiver_accepted_log_records_total') ?? 0) >= 3);
    assert.ok((counters.get('mlobs_receiver_accepted_metric_points_total') ?? 0) >= 5);
  });

  it('answers 404 to an unknown path and 405 to a GET', async () => {
    assert.equal((await request(`${url}/v1/nope`, { headers: PB, body: '' })).status, 404);
    const get = await request(`${url}/v1/traces`, { method: 'GET' });
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    await validRequestStillAccepted();
  });

  it('reports a partial success when the consumer refuses some spans as bad data', async () => {
    capture.refuse = new ConsumerError('2 spans had no name', { permanent: true, rejected: 2 });
    try {
      const res = await request(`${url}/v1/traces`, { headers: PB, body: encodeTracesProto(traces(5)) });
      assert.equal(res.status, 200);
      assert.deepEqual(decodeExportResponse(res.body), { rejected: 2, message: '2 spans had no name' });
      const json = await request(`${url}/v1/traces`, {
        headers: JS,
        body: '{"resourceSpans":[{"scopeSpans":[{"spans":[{},{},{}]}]}]}',
      });
      assert.deepEqual(JSON.parse(json.body.toString()), {
        partialSuccess: { rejectedSpans: '2', errorMessage: '2 spans had no name' },
      });
    } finally {
      capture.refuse = undefined;
    }
  });

  it('answers 400 when the consumer refuses the whole batch as bad data', async () => {
    capture.refuse = new ConsumerError('bad batch', { permanent: true });
    try {
      const res = await request(`${url}/v1/traces`, { headers: PB, body: encodeTracesProto(traces(2)) });
      assert.equal(res.status, 400);
      assert.equal(decodeRpcStatus(res.body).message, 'bad batch');
    } finally {
      capture.refuse = undefined;
    }
  });

  it('answers 503 with Retry-After and a RetryInfo detail when the consumer is full', async () => {
    capture.refuse = new ConsumerError('sending queue is full', { permanent: false, retryAfterMs: 2500 });
    try {
      const res = await request(`${url}/v1/traces`, { headers: PB, body: encodeTracesProto(traces(2)) });
      assert.equal(res.status, 503);
      assert.equal(res.headers['retry-after'], '3');
      assert.deepEqual(decodeRpcStatus(res.body), {
        code: 14,
        message: 'sending queue is full',
        retryDelayMs: 2500,
      });
      assert.ok((counters.get('mlobs_receiver_refused_spans_total') ?? 0) >= 2);
    } finally {
      capture.refuse = undefined;
    }
    await validRequestStillAccepted();
  });
});
