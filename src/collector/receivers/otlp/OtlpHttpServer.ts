/**
 * The OTLP/HTTP listener: POST `/v1/traces|logs|metrics` with `application/x-protobuf` or
 * `application/json` bodies (optionally gzip or deflate), answering in the request's content
 * type with OTLP's status codes. Bodies are bounded before and after decompression, so an
 * oversized body or a gzip bomb is refused without being held in memory. Nothing a client
 * sends can throw out of the request handler.
 */
import { timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';
import { diag } from '@opentelemetry/api';
import type { Signal, Telemetry } from '../../component.js';
import type { Endpoint } from '../../config/values.js';
import { BufferPool } from '../../exporterhelper/BufferPool.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from '../../otlp/DecodeLimits.js';
import { OtlpDecodeError } from '../../otlp/OtlpDecodeError.js';
import {
  encodeExportResponse,
  encodeRpcStatus,
  exportResponseJson,
  rpcStatusJson,
} from '../../otlp/responses.js';
import { SIGNAL_CODECS, type SignalCodec } from '../../otlp/signals.js';
import {
  type AdmissionController,
  type AdmissionTicket,
  acquireAll,
} from '../../service/AdmissionController.js';
import { consumeBatch, DEFAULT_RETRY_AFTER_MS } from './consumeBatch.js';

/** What the HTTP listener needs. */
export interface OtlpHttpServerOptions {
  /** Component id, for telemetry labels and messages. */
  id: string;
  /** Where to listen. */
  endpoint: Endpoint;
  /** Largest accepted body, compressed or not, in bytes. */
  maxBodyBytes: number;
  /** PEM certificate and key: listen with TLS; with `clientCa`, clients must present a certificate it signed. */
  tls?: { cert: Buffer; key: Buffer; clientCa?: Buffer };
  /** Required bearer token. */
  bearerToken?: string;
  /** One consumer per signal served; other paths answer 404. */
  sinks: Partial<Record<Signal, (data: unknown) => Promise<void>>>;
  /** Self-telemetry. */
  telemetry: Telemetry;
  /** Byte budgets a request must get before its body is read (this receiver's, the process's). */
  admission?: readonly AdmissionController[];
  /** What the decoder keeps per item. */
  limits?: Readonly<DecodeLimits>;
  /** Connection timeouts in ms: headers, whole request, idle keep-alive. */
  timeouts?: { headersMs: number; requestMs: number; idleMs: number };
}

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';
// google.rpc.Code values used in error bodies.
const CODE = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
};

class TooLarge extends Error {}

/**
 * Buffers that bodies with a Content-Length are read into, shared by the process's OTLP/HTTP
 * servers and reused once a body is decoded (what the decoders keep is copied out): filling
 * fresh multi-megabyte buffers costs more in page faults than decoding them. 64 MiB idle at most,
 * let go after 10 s of quiet; `mlobs_buffer_pool_idle_bytes` shows what it holds.
 */
const REQUEST_BODIES = new BufferPool(64 * 1024 * 1024, 64 * 1024, 'receiver_request_bodies');

/** One OTLP/HTTP server. */
export class OtlpHttpServer {
  private server: http.Server | undefined;
  private readonly routes = new Map<
    string,
    { codec: SignalCodec<Signal>; sink: (data: unknown) => Promise<void> }
  >();
  private readonly labels: Record<string, string>;

  constructor(private readonly opts: OtlpHttpServerOptions) {
    for (const [signal, sink] of Object.entries(opts.sinks) as [Signal, (d: unknown) => Promise<void>][]) {
      const codec = SIGNAL_CODECS[signal] as SignalCodec<Signal>;
      this.routes.set(codec.httpPath, { codec, sink });
    }
    this.labels = { receiver: opts.id, transport: 'http' };
  }

  /** Listens; resolves with the bound address (useful with port 0). */
  async start(onFatal: (err: Error) => void): Promise<Endpoint> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.handle(req, res).catch((err) => {
        diag.error(`mlobs ${this.opts.id}: request handler failed`, err);
        if (!res.headersSent)
          this.reply(res, 500, JSON_TYPE, rpcStatusJson({ code: CODE.INTERNAL, message: 'internal error' }));
        else res.destroy();
      });
    };
    const t = this.opts.timeouts;
    // Node checks these timeouts every connectionsCheckingInterval (30 s by default): check often
    // enough that a slow sender is cut off near its deadline, not up to 30 s after it.
    const limits: http.ServerOptions = t
      ? {
          // Node refuses a header timeout above the request timeout; the headers are part of the request.
          headersTimeout: Math.min(t.headersMs, t.requestMs),
          requestTimeout: t.requestMs,
          keepAliveTimeout: t.idleMs,
          connectionsCheckingInterval: Math.max(
            50,
            Math.min(5000, Math.floor(Math.min(t.headersMs, t.requestMs) / 4)),
          ),
        }
      : {};
    const tls = this.opts.tls;
    const server = tls
      ? https.createServer(
          {
            cert: tls.cert,
            key: tls.key,
            ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
            ...limits,
          },
          handler,
        )
      : http.createServer(limits, handler);
    this.server = server;
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.endpoint.port, this.opts.endpoint.host || undefined, () => {
        server.off('error', reject);
        server.on('error', onFatal);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    return { host: addr.address, port: addr.port };
  }

  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then closes every socket. */
  async shutdown(graceMs = 5000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      closed,
      new Promise<void>((r) => {
        timer = setTimeout(r, graceMs);
      }),
    ]);
    clearTimeout(timer);
    server.closeAllConnections();
    await closed;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    req.on('error', () => undefined);
    const path = (req.url ?? '/').split('?', 1)[0];
    const route = this.routes.get(path);
    const contentType = (req.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase();
    const json = contentType === JSON_TYPE;
    if (!route) return this.fail(req, res, json, 404, CODE.NOT_FOUND, `no OTLP signal is served at ${path}`);
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return this.fail(
        req,
        res,
        json,
        405,
        CODE.UNIMPLEMENTED,
        `method ${req.method} is not allowed, use POST`,
      );
    }
    if (this.opts.bearerToken !== undefined && !this.authorized(req.headers.authorization)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return this.fail(req, res, json, 401, CODE.UNAUTHENTICATED, 'missing or wrong bearer token');
    }
    if (!json && contentType !== PROTOBUF && contentType !== 'application/protobuf')
      return this.fail(
        req,
        res,
        false,
        415,
        CODE.INVALID_ARGUMENT,
        `unsupported content type "${contentType}", use ${PROTOBUF} or ${JSON_TYPE}`,
      );
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'deflate' && encoding !== '')
      return this.fail(
        req,
        res,
        json,
        415,
        CODE.INVALID_ARGUMENT,
        `unsupported content encoding "${encoding}"`,
      );
    const limit = this.opts.maxBodyBytes;
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      res.setHeader('Connection', 'close');
      return this.fail(
        req,
        res,
        json,
        413,
        CODE.RESOURCE_EXHAUSTED,
        `body of ${declared} bytes is over the limit of ${limit}`,
        true,
      );
    }
    // Admission before a byte of the body is read: a body of unknown length reserves the limit.
    const ticket = await this.admit(req, declared > 0 ? declared : limit);
    if (typeof ticket === 'string') {
      if (ticket === 'aborted') return;
      // Unread body: close the connection rather than drain what was refused.
      res.setHeader('Connection', 'close');
      return this.refuseAdmission(
        req,
        res,
        json,
        ticket === 'too_large'
          ? 'the request is larger than the receiver admits at once'
          : 'too many request bytes in flight; retry later',
        true,
      );
    }
    try {
      await this.receive(req, res, route, json, encoding, limit, declared, ticket);
    } finally {
      ticket.release();
    }
  }

  /**
   * Waits for admission; a request that waited half its `read_timeout` is refused with 429
   * instead (the wait counts toward Node's request timeout, which would answer 408 and drop the
   * connection, a worse signal for a client than Retry-After). A client that leaves stops waiting.
   */
  private async admit(req: http.IncomingMessage, bytes: number): Promise<AdmissionTicket | string> {
    const controllers = this.opts.admission ?? [];
    if (controllers.length === 0) return { bytes, grow: () => true, release() {} };
    const stop = new AbortController();
    let timedOut = false;
    const onClose = () => stop.abort();
    req.socket.once('close', onClose);
    const maxWaitMs = (this.opts.timeouts?.requestMs ?? 60_000) / 2;
    const timer = setTimeout(() => {
      timedOut = true;
      stop.abort();
    }, maxWaitMs);
    try {
      const got = await acquireAll(controllers, bytes, stop.signal);
      return got === 'aborted' && timedOut ? 'busy' : got;
    } finally {
      clearTimeout(timer);
      req.socket.off('close', onClose);
    }
  }

  private async receive(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    route: { codec: SignalCodec<Signal>; sink: (data: unknown) => Promise<void> },
    json: boolean,
    encoding: string,
    limit: number,
    declared: number,
    ticket: AdmissionTicket,
  ): Promise<void> {
    let body: Buffer;
    // The pooled buffer the body was read into, if any; it goes back to the pool once decoded.
    let pooled: Buffer | undefined =
      declared > 0 && declared <= limit ? REQUEST_BODIES.take(declared) : undefined;
    try {
      body = await readBody(req, limit, pooled);
      if (encoding === 'gzip' || encoding === 'deflate') {
        const compressed = body.length;
        body = await inflate(body, encoding, limit);
        if (pooled) REQUEST_BODIES.give(pooled);
        pooled = undefined;
        // The inflated bytes are what gets decoded: they must fit the budget too.
        if (!ticket.grow(body.length - compressed)) {
          return this.refuseAdmission(
            req,
            res,
            json,
            'too many request bytes in flight once decompressed; retry later',
            false,
          );
        }
      }
    } catch (err) {
      if (pooled) REQUEST_BODIES.give(pooled);
      if (err instanceof TooLarge)
        return this.fail(
          req,
          res,
          json,
          413,
          CODE.RESOURCE_EXHAUSTED,
          `body is over the limit of ${limit} bytes${err.message}`,
        );
      return this.fail(
        req,
        res,
        json,
        400,
        CODE.INVALID_ARGUMENT,
        `could not read the body: ${(err as Error).message}`,
      );
    }
    let data: unknown;
    try {
      data = json
        ? route.codec.decodeJson(body.toString('utf8'))
        : route.codec.decodeProto(
            body,
            pooled !== undefined,
            this.opts.limits ?? DEFAULT_DECODE_LIMITS,
            (n) =>
              this.opts.telemetry.add('mlobs_receiver_dropped_items_total', n, {
                ...this.labels,
                reason: 'decode_limit',
              }),
          );
    } catch (err) {
      if (err instanceof OtlpDecodeError)
        return this.fail(req, res, json, 400, CODE.INVALID_ARGUMENT, err.message);
      throw err;
    } finally {
      if (pooled) REQUEST_BODIES.give(pooled);
    }
    const count = route.codec.count(data as never);
    const outcome = await consumeBatch(
      route.codec.signal,
      count,
      () => route.sink(data),
      this.opts.telemetry,
      this.labels,
    );
    if (outcome.kind === 'ok') {
      const out = json
        ? exportResponseJson(route.codec.signal, outcome.partial)
        : encodeExportResponse(outcome.partial);
      return this.reply(res, 200, json ? JSON_TYPE : PROTOBUF, out);
    }
    if (outcome.kind === 'invalid')
      return this.fail(req, res, json, 400, CODE.INVALID_ARGUMENT, outcome.message);
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(outcome.retryAfterMs / 1000))));
    const status = { code: CODE.UNAVAILABLE, message: outcome.message, retryDelayMs: outcome.retryAfterMs };
    this.reply(res, 503, json ? JSON_TYPE : PROTOBUF, json ? rpcStatusJson(status) : encodeRpcStatus(status));
  }

  private authorized(header: string | undefined): boolean {
    const want = Buffer.from(`Bearer ${this.opts.bearerToken}`);
    const got = Buffer.from(header ?? '');
    return got.length === want.length && timingSafeEqual(got, want);
  }

  /** Answers with a google.rpc.Status in the request's encoding; unread bodies are drained or dropped. */
  /** 429 + `Retry-After` for a request the admission budget cannot take now, counted as refused. */
  private refuseAdmission(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    json: boolean,
    message: string,
    dropBody: boolean,
  ): void {
    res.setHeader('Retry-After', String(Math.ceil(DEFAULT_RETRY_AFTER_MS / 1000)));
    this.opts.telemetry.add('mlobs_receiver_refused_requests_total', 1, {
      ...this.labels,
      reason: 'admission',
    });
    this.fail(req, res, json, 429, CODE.RESOURCE_EXHAUSTED, message, dropBody, DEFAULT_RETRY_AFTER_MS);
  }

  private fail(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    json: boolean,
    httpStatus: number,
    code: number,
    message: string,
    dropBody = false,
    retryDelayMs?: number,
  ): void {
    const status = { code, message, retryDelayMs };
    const body = json ? rpcStatusJson(status) : encodeRpcStatus(status);
    this.reply(res, httpStatus, json ? JSON_TYPE : PROTOBUF, body);
    if (req.complete) return;
    if (dropBody) res.on('finish', () => req.destroy());
    else req.resume();
  }

  private reply(res: http.ServerResponse, status: number, type: string, body: string | Uint8Array): void {
    res.statusCode = status;
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
  }
}

/**
 * Reads a request body, refusing (after draining) once more than `limit` bytes arrive. With
 * `into` (at least the declared Content-Length), the body is copied there and returned as a
 * view of it; a body longer than `into` is refused as malformed.
 */
function readBody(req: http.IncomingMessage, limit: number, into?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (into) {
        if (!over && size + chunk.length <= into.length) chunk.copy(into, size);
        else over = true;
        size += chunk.length;
        return;
      }
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => {
      if (into) {
        if (over) reject(new Error('body is longer than its Content-Length'));
        else resolve(into.subarray(0, size));
      } else if (over) reject(new TooLarge(''));
      else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}

/** Inflates with an output bound: zlib stops as soon as the output would pass `limit`. */
function inflate(body: Buffer, encoding: 'gzip' | 'deflate', limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, out: Buffer) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        reject(new TooLarge(' once decompressed'));
      else if (err) reject(new Error(`${encoding} body is corrupt (${err.message})`));
      else resolve(out);
    };
    if (encoding === 'gzip') zlib.gunzip(body, { maxOutputLength: limit }, done);
    else zlib.inflate(body, { maxOutputLength: limit }, done);
  });
}
