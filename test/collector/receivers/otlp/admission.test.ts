/**
 * Admission control and decode limits in the otlp receiver: a request that does not fit the
 * byte budget is refused before its body is read (HTTP) or decoded (gRPC), with a retryable
 * status and a delay; what a decoded item keeps is bounded and the rest counted.
 */
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { Signal } from '../../../../src/collector/component.js';
import { DEFAULT_DECODE_LIMITS } from '../../../../src/collector/otlp/DecodeLimits.js';
import { decodeRpcStatus } from '../../../../src/collector/otlp/responses.js';
import { SIGNAL_CODECS, type SignalCodec } from '../../../../src/collector/otlp/signals.js';
import { decodeTracesProto, encodeTracesProto } from '../../../../src/collector/otlp/traceProto.js';
import { exportServiceDefinition } from '../../../../src/collector/receivers/otlp/OtlpGrpcServer.js';
import { AdmissionController } from '../../../../src/collector/service/AdmissionController.js';
import type { KeyValue, TracesData } from '../../../../src/model/otlp.js';
import { oneSpanTraces } from '../../helpers.js';
import { Capture, recordingHost, request, startReceiver } from './helpers.js';

const PB = { 'content-type': 'application/x-protobuf' };

/** A consumer that holds every batch until `open()`, so requests stay in flight. */
class Gate extends Capture {
  private waiting: (() => void)[] = [];
  private opened = false;
  /** Batches handed in so far, held or not. */
  seen = 0;
  override async consumeTraces(d: TracesData): Promise<void> {
    this.seen++;
    if (!this.opened) await new Promise<void>((r) => this.waiting.push(r));
    return super.consumeTraces(d);
  }
  open(): void {
    this.opened = true;
    for (const r of this.waiting.splice(0)) r();
  }
}

/** One span whose one attribute is a string of `bytes` characters. */
function bigSpan(bytes: number, name = 'big'): Uint8Array {
  return encodeTracesProto(
    oneSpanTraces({
      span: { name, attributes: [{ key: 'blob', value: { stringValue: 'x'.repeat(bytes) } }] },
    }),
  );
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

type ExportClient = grpc.Client & {
  Export(req: unknown, cb: (err: grpc.ServiceError | null) => void): void;
};

describe('otlp receiver admission control', () => {
  it('answers 429 with Retry-After and RESOURCE_EXHAUSTED before reading a body that does not fit, and accepts it once room is back', async () => {
    const gate = new Gate();
    const { receiver, httpUrl, host } = await startReceiver(gate, (c) => delete c.grpc, {
      admission: { request_limit_mib: 1, waiting_limit_mib: 0 },
    });
    try {
      const body = bigSpan(700 * 1024);
      const first = request(`${httpUrl}/v1/traces`, { headers: PB, body });
      await until(() => gate.seen === 1);
      const refused = await request(`${httpUrl}/v1/traces`, { headers: PB, body });
      assert.equal(refused.status, 429);
      assert.equal(refused.headers['retry-after'], '1');
      const status = decodeRpcStatus(refused.body);
      assert.equal(status.code, 8, 'RESOURCE_EXHAUSTED');
      assert.equal(status.retryDelayMs, 1000, 'RetryInfo carries the delay');
      assert.equal(gate.seen, 1, 'the refused body never reached the pipeline');
      assert.equal(host.counters.get('mlobs_receiver_refused_requests_total'), 1);
      gate.open();
      assert.equal((await first).status, 200);
      const again = await request(`${httpUrl}/v1/traces`, { headers: PB, body });
      assert.equal(again.status, 200, 'admitted once the first request is done');
      assert.equal(gate.traces.length, 2);
    } finally {
      gate.open();
      await receiver.shutdown();
    }
  });

  it('lets a request wait its turn within waiting_limit_mib instead of refusing it', async () => {
    const gate = new Gate();
    const { receiver, httpUrl } = await startReceiver(gate, (c) => delete c.grpc, {
      admission: { request_limit_mib: 1, waiting_limit_mib: 1 },
    });
    try {
      const body = bigSpan(700 * 1024);
      const first = request(`${httpUrl}/v1/traces`, { headers: PB, body });
      await until(() => gate.seen === 1);
      const second = request(`${httpUrl}/v1/traces`, { headers: PB, body });
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(gate.seen, 1, 'the second request waits without being decoded');
      gate.open();
      assert.deepEqual([(await first).status, (await second).status], [200, 200]);
    } finally {
      gate.open();
      await receiver.shutdown();
    }
  });

  it('refuses with 429 a request that waited half its read_timeout, rather than letting it time out', async () => {
    const gate = new Gate();
    const { receiver, httpUrl } = await startReceiver(
      gate,
      (c) => {
        delete c.grpc;
        c.http!.read_timeout = '400ms';
      },
      { admission: { request_limit_mib: 1, waiting_limit_mib: 1 } },
    );
    try {
      const body = bigSpan(700 * 1024);
      const first = request(`${httpUrl}/v1/traces`, { headers: PB, body });
      await until(() => gate.seen === 1);
      const t0 = Date.now();
      const waited = await request(`${httpUrl}/v1/traces`, { headers: PB, body });
      assert.equal(waited.status, 429);
      assert.ok(Date.now() - t0 < 1500, 'answered after about 200 ms of waiting');
      gate.open();
      assert.equal((await first).status, 200);
    } finally {
      gate.open();
      await receiver.shutdown();
    }
  });

  it('shares the process-wide budget between receivers', async () => {
    const host = Object.assign(recordingHost(), { admission: new AdmissionController(1024 * 1024, 0) });
    const [ga, gb] = [new Gate(), new Gate()];
    const a = await startReceiver(ga, (c) => delete c.grpc, { host });
    const b = await startReceiver(gb, (c) => delete c.grpc, { host });
    try {
      const body = bigSpan(700 * 1024);
      const first = request(`${a.httpUrl}/v1/traces`, { headers: PB, body });
      await until(() => ga.seen === 1);
      const other = await request(`${b.httpUrl}/v1/traces`, { headers: PB, body });
      assert.equal(other.status, 429, 'the other receiver is refused: the process is full');
      ga.open();
      assert.equal((await first).status, 200);
      assert.equal(host.admission.bytesInFlight, 0, 'every byte is given back');
    } finally {
      ga.open();
      gb.open();
      await a.receiver.shutdown();
      await b.receiver.shutdown();
    }
  });

  it('refuses a gRPC message that does not fit with RESOURCE_EXHAUSTED and RetryInfo, without decoding it', async () => {
    const gate = new Gate();
    const { receiver, grpcAddr } = await startReceiver(gate, (c) => delete c.http, {
      admission: { request_limit_mib: 1, waiting_limit_mib: 0 },
    });
    const base = exportServiceDefinition(SIGNAL_CODECS.traces as SignalCodec<Signal>);
    const Ctor = grpc.makeGenericClientConstructor(
      { Export: { ...base.Export, requestSerialize: (b: Uint8Array) => Buffer.from(b) } },
      'TraceService',
    );
    const client = new Ctor(grpcAddr, grpc.credentials.createInsecure()) as unknown as ExportClient;
    const call = (body: Uint8Array) =>
      new Promise<grpc.ServiceError | null>((resolve) => client.Export(body, (err) => resolve(err)));
    try {
      const body = bigSpan(700 * 1024);
      const first = call(body);
      await until(() => gate.seen === 1);
      const err = await call(body);
      assert.equal(err?.code, grpc.status.RESOURCE_EXHAUSTED);
      const detail = err?.metadata.get('grpc-status-details-bin')[0] as Buffer;
      assert.equal(decodeRpcStatus(detail).retryDelayMs, 1000);
      assert.equal(gate.seen, 1);
      gate.open();
      assert.equal(await first, null);
      assert.equal(await call(body), null);
    } finally {
      gate.open();
      client.close();
      await receiver.shutdown();
    }
  });
});

describe('otlp receiver decode limits', () => {
  const attrs = (n: number): KeyValue[] =>
    Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: { intValue: i } }));

  it('keeps attribute_count_limit attributes of a span with a million and counts the rest as dropped', () => {
    const body = encodeTracesProto(oneSpanTraces({ span: { attributes: attrs(1_000_000) } }));
    let dropped = 0;
    const t0 = process.hrtime.bigint();
    const data = decodeTracesProto(body, false, DEFAULT_DECODE_LIMITS, (n) => {
      dropped += n;
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const span = data.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(span.attributes.length, DEFAULT_DECODE_LIMITS.attributeCount);
    assert.equal(span.droppedAttributesCount, 1_000_000 - DEFAULT_DECODE_LIMITS.attributeCount);
    assert.equal(dropped, 1_000_000 - DEFAULT_DECODE_LIMITS.attributeCount);
    assert.ok(ms < 2000, `skipping is cheap (${ms.toFixed(0)} ms)`);
  });

  it('bounds arrays, key-value lists, events, links and their attributes through the receiver, counting drops', async () => {
    const capture = new Capture();
    const limits = {
      attributeCount: 3,
      eventCount: 2,
      linkCount: 1,
      eventAttributeCount: 2,
      linkAttributeCount: 1,
      arrayLength: 4,
      kvlistLength: 2,
    };
    const { receiver, httpUrl, host } = await startReceiver(capture, (c) => delete c.grpc, { limits });
    try {
      const link = {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceState: '',
      };
      const data = oneSpanTraces({
        resource: attrs(5),
        span: {
          attributes: [
            { key: 'arr', value: { arrayValue: { values: attrs(10).map((a) => a.value) } } },
            { key: 'kv', value: { kvlistValue: { values: attrs(6) } } },
            ...attrs(3),
          ],
          droppedAttributesCount: 7,
          events: Array.from({ length: 4 }, (_, i) => ({
            timeUnixNano: BigInt(i + 1),
            name: `e${i}`,
            attributes: [
              { key: 'arr', value: { arrayValue: { values: attrs(9).map((a) => a.value) } } },
              ...attrs(3),
            ],
            droppedAttributesCount: 0,
          })),
          links: [1, 2].map(() => ({ ...link, attributes: attrs(3), droppedAttributesCount: 0, flags: 0 })),
        },
      });
      const res = await request(`${httpUrl}/v1/traces`, { headers: PB, body: encodeTracesProto(data) });
      assert.equal(res.status, 200);
      const rs = capture.traces[0].resourceSpans[0];
      assert.equal(rs.resource.attributes.length, 3);
      assert.equal(rs.resource.droppedAttributesCount, 2);
      const span = rs.scopeSpans[0].spans[0];
      assert.equal(span.attributes.length, 3);
      assert.equal(span.droppedAttributesCount, 7 + 2, 'the sender\u2019s own count plus ours');
      assert.equal(span.attributes[0].value.arrayValue?.values.length, 4);
      assert.equal(span.attributes[1].value.kvlistValue?.values.length, 2);
      assert.equal(span.events.length, 2);
      assert.equal(span.droppedEventsCount, 2);
      assert.equal(span.events[0].attributes.length, 2);
      assert.equal(span.events[0].droppedAttributesCount, 2);
      assert.equal(span.events[0].attributes[0].value.arrayValue?.values.length, 4, 'lazy event arrays too');
      assert.equal(span.links.length, 1);
      assert.equal(span.droppedLinksCount, 1);
      assert.equal(span.links[0].attributes.length, 1);
      // resource 2 + span attrs 2 + array 6 + kvlist 4 + events 2 + (event attrs 2 + event array 5) × 2 + link 1 + link attrs 2
      assert.equal(host.counters.get('mlobs_receiver_dropped_items_total'), 2 + 2 + 6 + 4 + 2 + 14 + 1 + 2);
    } finally {
      await receiver.shutdown();
    }
  });
});

describe('otlp receiver connection timeouts', () => {
  it('cuts off a client that sends its body too slowly (read_timeout) or never finishes its headers (read_header_timeout)', async () => {
    const capture = new Capture();
    const { receiver, httpUrl } = await startReceiver(capture, (c) => {
      delete c.grpc;
      c.http!.read_timeout = '400ms';
      c.http!.read_header_timeout = '300ms';
    });
    const port = Number(new URL(httpUrl).port);
    /** Writes `head`, then nothing; resolves with how long the server kept the socket. */
    const stall = (head: string) =>
      new Promise<number>((resolve) => {
        const t0 = Date.now();
        const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
        socket.on('data', () => undefined);
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(Date.now() - t0));
        setTimeout(() => socket.destroy(), 10_000).unref();
      });
    try {
      const slowBody = await stall(
        'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 1000\r\n\r\nabc',
      );
      const slowHeaders = await stall('POST /v1/traces HTTP/1.1\r\nHost: x\r\n');
      assert.ok(slowBody < 2500, `a stalled body is cut off after ${slowBody} ms`);
      assert.ok(slowHeaders < 2500, `stalled headers are cut off after ${slowHeaders} ms`);
      assert.equal(capture.traces.length, 0);
    } finally {
      await receiver.shutdown();
    }
  });

  it('closes an idle keep-alive HTTP connection after idle_timeout and an idle gRPC connection after max_connection_idle', async () => {
    const capture = new Capture();
    const { receiver, httpUrl, grpcAddr } = await startReceiver(capture, (c) => {
      c.http!.idle_timeout = '300ms';
      c.grpc!.keepalive.server_parameters.max_connection_idle = '300ms';
    });
    const base = exportServiceDefinition(SIGNAL_CODECS.traces as SignalCodec<Signal>);
    const Ctor = grpc.makeGenericClientConstructor(
      { Export: { ...base.Export, requestSerialize: (b: Uint8Array) => Buffer.from(b) } },
      'TraceService',
    );
    const client = new Ctor(grpcAddr, grpc.credentials.createInsecure()) as unknown as ExportClient;
    try {
      // HTTP: one complete request on a keep-alive connection, then silence.
      const idleHttp = await new Promise<number>((resolve) => {
        const socket = net.connect(Number(new URL(httpUrl).port), '127.0.0.1', () =>
          socket.write(
            'POST /v1/traces HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n',
          ),
        );
        let t0 = 0;
        socket.on('data', () => {
          t0 ||= Date.now();
        });
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(t0 === 0 ? -1 : Date.now() - t0));
        setTimeout(() => socket.destroy(), 10_000).unref();
      });
      assert.ok(idleHttp >= 0, 'the request was answered');
      assert.ok(idleHttp < 2500, `an idle keep-alive connection is closed after ${idleHttp} ms`);
      // gRPC: one call, then silence; the server's GOAWAY leaves the client's channel idle.
      assert.equal(await new Promise((r) => client.Export(new Uint8Array(0), (err) => r(err))), null);
      const channel = client.getChannel();
      assert.equal(channel.getConnectivityState(false), grpc.connectivityState.READY);
      const t0 = Date.now();
      while (channel.getConnectivityState(false) === grpc.connectivityState.READY && Date.now() - t0 < 5000)
        await new Promise((r) => setTimeout(r, 50));
      const idleGrpc = Date.now() - t0;
      assert.ok(idleGrpc < 2500, `an idle gRPC connection is closed after ${idleGrpc} ms`);
    } finally {
      client.close();
      await receiver.shutdown();
    }
  });
});
