import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { Signal } from '../../../../src/collector/component.js';
import { ConsumerError } from '../../../../src/collector/component.js';
import { decodeRpcStatus } from '../../../../src/collector/otlp/responses.js';
import { SIGNAL_CODECS, type SignalCodec } from '../../../../src/collector/otlp/signals.js';
import { encodeTracesProto } from '../../../../src/collector/otlp/traceProto.js';
import {
  createDefaultOtlpReceiverConfig,
  defaultOtlpReceiverSettings,
  validateOtlpReceiverSettings,
} from '../../../../src/collector/receivers/otlp/config.js';
import { otlpReceiverFactory } from '../../../../src/collector/receivers/otlp/factory.js';
import { exportServiceDefinition } from '../../../../src/collector/receivers/otlp/OtlpGrpcServer.js';
import { countSpans, type TracesData } from '../../../../src/model/otlp.js';
import { oneSpanTraces } from '../../helpers.js';
import { Capture, recordingHost, request, startReceiver, startTlsReceiver } from './helpers.js';
import { selfSignedCert } from './tls.js';

const traceCodec = SIGNAL_CODECS.traces as SignalCodec<Signal>;

function oneSpan(name = 'grpc span'): TracesData {
  return oneSpanTraces({ span: { name, flags: 0 } });
}

type ExportClient = grpc.Client & {
  Export(req: unknown, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res?: Buffer) => void): void;
};

function grpcClient(
  addr: string,
  opts: { raw?: boolean; gzip?: boolean; creds?: grpc.ChannelCredentials } = {},
): ExportClient {
  const base = exportServiceDefinition(traceCodec);
  const def = opts.raw ? { Export: { ...base.Export, requestSerialize: (b: Buffer) => b } } : base;
  const Ctor = grpc.makeGenericClientConstructor(def, 'TraceService');
  const options: grpc.ChannelOptions = opts.gzip ? { 'grpc.default_compression_algorithm': 2 } : {};
  return new Ctor(addr, opts.creds ?? grpc.credentials.createInsecure(), options) as unknown as ExportClient;
}

function call(
  client: ExportClient,
  req: unknown,
  md = new grpc.Metadata(),
): Promise<{ err: grpc.ServiceError | null; res?: Buffer }> {
  return new Promise((resolve) => client.Export(req, md, (err, res) => resolve({ err, res })));
}

describe('otlp receiver over gRPC', () => {
  it('accepts gzip-compressed exports and maps refusals to INVALID_ARGUMENT and UNAVAILABLE with RetryInfo', async () => {
    const capture = new Capture();
    const { receiver, grpcAddr, host } = await startReceiver(capture, (c) => {
      delete c.http;
      c.grpc!.max_recv_msg_size = '32KiB';
    });
    const client = grpcClient(grpcAddr, { gzip: true });
    const raw = grpcClient(grpcAddr, { raw: true });
    try {
      const ok = await call(client, oneSpan());
      assert.equal(ok.err, null);
      assert.deepEqual(capture.traces.at(-1), oneSpan());
      assert.equal(host.counters.get('mlobs_receiver_accepted_spans_total'), 1);

      const truncated = await call(raw, Buffer.from(encodeTracesProto(oneSpan())).subarray(0, 30));
      assert.equal(truncated.err?.code, grpc.status.INVALID_ARGUMENT);
      assert.match(truncated.err?.details ?? '', /invalid protobuf/);

      const big = await call(raw, Buffer.alloc(64 * 1024, 0));
      assert.equal(big.err?.code, grpc.status.RESOURCE_EXHAUSTED);

      capture.refuse = new ConsumerError('memory limit reached', { permanent: false, retryAfterMs: 1500 });
      const busy = await call(client, oneSpan());
      assert.equal(busy.err?.code, grpc.status.UNAVAILABLE);
      const detail = busy.err?.metadata.get('grpc-status-details-bin')[0] as Buffer;
      assert.deepEqual(decodeRpcStatus(detail), {
        code: 14,
        message: 'memory limit reached',
        retryDelayMs: 1500,
      });
      capture.refuse = new ConsumerError('bad', { permanent: true });
      assert.equal((await call(client, oneSpan())).err?.code, grpc.status.INVALID_ARGUMENT);
      capture.refuse = undefined;

      const again = await call(client, oneSpan('after errors'));
      assert.equal(again.err, null);
      assert.equal(capture.traces.at(-1)?.resourceSpans[0].scopeSpans[0].spans[0].name, 'after errors');
    } finally {
      client.close();
      raw.close();
      await receiver.shutdown();
    }
  });

  it('requires the bearer token on both transports when auth is configured', async () => {
    const capture = new Capture();
    const { receiver, grpcAddr, httpUrl } = await startReceiver(capture, (c) => {
      c.http!.auth = { bearer_token: 's3cret' };
      c.grpc!.auth = { bearer_token: 's3cret' };
    });
    const client = grpcClient(grpcAddr);
    try {
      const body = encodeTracesProto(oneSpan());
      const headers = { 'content-type': 'application/x-protobuf' };
      const denied = await request(`${httpUrl}/v1/traces`, { headers, body });
      assert.equal(denied.status, 401);
      assert.equal(denied.headers['www-authenticate'], 'Bearer');
      const wrong = await request(`${httpUrl}/v1/traces`, {
        headers: { ...headers, authorization: 'Bearer nope' },
        body,
      });
      assert.equal(wrong.status, 401);
      const ok = await request(`${httpUrl}/v1/traces`, {
        headers: { ...headers, authorization: 'Bearer s3cret' },
        body,
      });
      assert.equal(ok.status, 200);

      assert.equal((await call(client, oneSpan())).err?.code, grpc.status.UNAUTHENTICATED);
      const md = new grpc.Metadata();
      md.set('authorization', 'Bearer s3cret');
      assert.equal((await call(client, oneSpan(), md)).err, null);
      assert.equal(capture.traces.length, 2);
    } finally {
      client.close();
      await receiver.shutdown();
    }
  });

  it('serves both transports over TLS with the configured certificate', async (t) => {
    const cert = selfSignedCert();
    if (!cert) return t.skip('openssl is not installed');
    const capture = new Capture();
    const { receiver, grpcAddr, httpUrl } = await startTlsReceiver(capture, cert);
    const client = grpcClient(grpcAddr, { creds: grpc.credentials.createSsl(cert.cert) });
    try {
      assert.match(httpUrl, /^https:/);
      const res = await request(`${httpUrl}/v1/traces`, {
        headers: { 'content-type': 'application/x-protobuf' },
        body: encodeTracesProto(oneSpan()),
        ca: cert.cert,
      });
      assert.equal(res.status, 200);
      await assert.rejects(request(`${httpUrl}/v1/traces`, { body: '' }), /self.signed|certificate/i);
      assert.equal((await call(client, oneSpan())).err, null);
      assert.equal(
        capture.traces.map(countSpans).reduce((a, b) => a + b, 0),
        2,
      );
    } finally {
      client.close();
      await receiver.shutdown();
    }
  });

  it('has the documented defaults and checks settings with paths', () => {
    const c = defaultOtlpReceiverSettings();
    assert.equal(c.http?.endpoint, '127.0.0.1:4318');
    assert.equal(c.grpc?.endpoint, '127.0.0.1:4317');
    assert.equal(otlpReceiverFactory.type, 'otlp');
    assert.deepEqual(validateOtlpReceiverSettings(c), []);
    c.http!.endpoint = 'localhost';
    c.grpc!.max_recv_msg_size = 'lots';
    c.http!.tls = { cert_file: '', key_file: 'k.pem' };
    const problems = validateOtlpReceiverSettings(c).map((p) => p.path);
    assert.deepEqual(problems.sort(), [
      'protocols::grpc::max_recv_msg_size',
      'protocols::http::endpoint',
      'protocols::http::tls::cert_file',
      'protocols::http::tls::key_file',
    ]);
  });

  it('reads the TLS files it names: a missing or non-PEM file is a problem that never quotes the file', (t) => {
    const cert = selfSignedCert();
    if (!cert) return t.skip('openssl is not installed');
    const dir = mkdtempSync(join(tmpdir(), 'mlobs-pem-'));
    const notPem = join(dir, 'notes.txt');
    writeFileSync(notPem, 'SECRET-CONTENT do not print me');
    const c = defaultOtlpReceiverSettings();
    c.http!.tls = { cert_file: join(dir, 'missing.pem'), key_file: notPem };
    c.grpc!.tls = { cert_file: cert.certFile, key_file: cert.keyFile, client_ca_file: cert.keyFile };
    const problems = validateOtlpReceiverSettings(c);
    assert.deepEqual(
      problems.map((p) => `${p.path}: ${p.message}`),
      [
        `protocols::http::tls::cert_file: cannot read ${join(dir, 'missing.pem')}: file not found`,
        `protocols::http::tls::key_file: ${notPem} is not a PEM private key`,
        `protocols::grpc::tls::client_ca_file: ${cert.keyFile} is not a PEM certificate`,
      ],
    );
    assert.doesNotMatch(JSON.stringify(problems), /SECRET|BEGIN/);
    c.http!.tls = { cert_file: cert.certFile, key_file: cert.keyFile };
    c.grpc!.tls = { cert_file: cert.certFile, key_file: cert.keyFile, client_ca_file: cert.certFile };
    assert.deepEqual(validateOtlpReceiverSettings(c), []);
  });

  it('requires a client certificate from client_ca_file (mutual TLS) on both transports', async (t) => {
    const cert = selfSignedCert();
    if (!cert) return t.skip('openssl is not installed');
    const key = readFileSync(cert.keyFile);
    const capture = new Capture();
    const tls = { cert_file: cert.certFile, key_file: cert.keyFile, client_ca_file: cert.certFile };
    const { receiver, grpcAddr, httpUrl } = await startReceiver(capture, (c) => {
      c.http!.tls = tls;
      c.grpc!.tls = tls;
    });
    const anonymous = grpcClient(grpcAddr, { creds: grpc.credentials.createSsl(cert.cert) });
    const known = grpcClient(grpcAddr, { creds: grpc.credentials.createSsl(cert.cert, key, cert.cert) });
    try {
      const body = encodeTracesProto(oneSpan());
      const headers = { 'content-type': 'application/x-protobuf' };
      await assert.rejects(request(`${httpUrl}/v1/traces`, { headers, body, ca: cert.cert }));
      const ok = await request(`${httpUrl}/v1/traces`, {
        headers,
        body,
        ca: cert.cert,
        cert: cert.cert,
        key,
      });
      assert.equal(ok.status, 200);
      assert.notEqual((await call(anonymous, oneSpan())).err, null, 'no client certificate, no call');
      assert.equal((await call(known, oneSpan())).err, null);
      assert.equal(capture.traces.length, 2);
    } finally {
      anonymous.close();
      known.close();
      await receiver.shutdown();
    }
  });

  it('warns about a listener on every interface and a bearer token over plain text', async () => {
    const capture = new Capture();
    const lines: string[] = [];
    const host = Object.assign(recordingHost(), { warn: (l: string) => lines.push(l) });
    const { receiver } = await startReceiver(
      capture,
      (c) => {
        c.http!.endpoint = '0.0.0.0:0';
        c.http!.auth = { bearer_token: 't0ken' };
        delete c.grpc;
      },
      { host },
    );
    await receiver.shutdown();
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0], /protocols::http listens on all network interfaces/);
    assert.match(lines[1], /bearer token over plain text/);
    assert.doesNotMatch(lines.join(''), /t0ken/, 'the token itself is never logged');
  });

  it('shuts down safely without start and fails start cleanly when the port is taken', async () => {
    const capture = new Capture();
    const idle = otlpReceiverFactory.createReceiver(
      { id: 'otlp', pipeline: 'traces' },
      createDefaultOtlpReceiverConfig(),
      {},
    );
    await idle.shutdown();
    const first = await startReceiver(capture, (c) => delete c.grpc);
    const port = new URL(first.httpUrl).port;
    try {
      await assert.rejects(
        startReceiver(capture, (c) => {
          c.http!.endpoint = `127.0.0.1:${port}`;
        }),
        /EADDRINUSE/,
      );
    } finally {
      await first.receiver.shutdown();
    }
  });
});
