/**
 * The OTLP/gRPC listener, on `@grpc/grpc-js` with a hand-built service definition whose
 * (de)serializers are our codec, so no .proto files or protobufjs are loaded. The request
 * deserializer only keeps the message's bytes: decoding (which costs a multiple of them) waits
 * in the handler until admission control grants the bytes, and a message refused there gets
 * RESOURCE_EXHAUSTED with a RetryInfo detail, undecoded. (grpc-js has already buffered the
 * message by then; HTTP/2 flow control and `max_recv_msg_size` bound that part.) A body that
 * fails to decode becomes INVALID_ARGUMENT (grpc-js would answer INTERNAL if the deserializer
 * threw); a refusing consumer becomes UNAVAILABLE with a RetryInfo detail.
 * grpc-js itself handles gzip/deflate request compression and `max_recv_msg_size`
 * (RESOURCE_EXHAUSTED), checking the size after decompression.
 */
import { timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { Signal, Telemetry } from '../../component.js';
import type { Endpoint } from '../../config/values.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from '../../otlp/DecodeLimits.js';
import { OtlpDecodeError } from '../../otlp/OtlpDecodeError.js';
import { encodeExportResponse, encodeRpcStatus, type PartialSuccess } from '../../otlp/responses.js';
import { SIGNAL_CODECS, type SignalCodec } from '../../otlp/signals.js';
import {
  type AdmissionController,
  type AdmissionRefusal,
  type AdmissionTicket,
  acquireAll,
} from '../../service/AdmissionController.js';
import { consumeBatch, DEFAULT_RETRY_AFTER_MS } from './consumeBatch.js';

/** What the gRPC listener needs. */
export interface OtlpGrpcServerOptions {
  /** Component id, for telemetry labels. */
  id: string;
  /** Where to listen. */
  endpoint: Endpoint;
  /** Largest accepted message after decompression, in bytes. */
  maxRecvBytes: number;
  /** PEM certificate and key: listen with TLS; with `clientCa`, clients must present a certificate it signed. */
  tls?: { cert: Buffer; key: Buffer; clientCa?: Buffer };
  /** Required bearer token (`authorization: Bearer <token>` metadata). */
  bearerToken?: string;
  /** One consumer per signal served; other services are not registered (UNIMPLEMENTED). */
  sinks: Partial<Record<Signal, (data: unknown) => Promise<void>>>;
  /** Self-telemetry. */
  telemetry: Telemetry;
  /** Byte budgets a message must get before it is decoded (this receiver's, the process's). */
  admission?: readonly AdmissionController[];
  /** What the decoder keeps per item. */
  limits?: Readonly<DecodeLimits>;
  /** gRPC channel options for connection management (`grpc.max_connection_idle_ms`, keepalive). */
  channelOptions?: Record<string, number>;
}

/** A received message: its bytes, decoded by the handler once admitted. */
type Received = { bytes: Buffer };

/** Builds the one-method service definition for a signal's `Export`, with our codec as serializers. */
export function exportServiceDefinition(codec: SignalCodec<Signal>): grpc.ServiceDefinition {
  return {
    Export: {
      path: codec.grpcPath,
      requestStream: false,
      responseStream: false,
      requestSerialize: (data: unknown) => Buffer.from(codec.encodeProto(data as never)),
      requestDeserialize: (bytes: Buffer): Received => ({ bytes }),
      responseSerialize: (partial: PartialSuccess | undefined) => Buffer.from(encodeExportResponse(partial)),
      responseDeserialize: (bytes: Buffer) => bytes,
      originalName: 'export',
    },
  };
}

/** One OTLP/gRPC server. */
export class OtlpGrpcServer {
  private server: grpc.Server | undefined;
  private readonly labels: Record<string, string>;

  constructor(private readonly opts: OtlpGrpcServerOptions) {
    this.labels = { receiver: opts.id, transport: 'grpc' };
  }

  /** Binds and serves; resolves with the bound address. */
  async start(): Promise<Endpoint> {
    const server = new grpc.Server({
      ...this.opts.channelOptions,
      'grpc.max_receive_message_length': this.opts.maxRecvBytes,
    });
    for (const [signal, sink] of Object.entries(this.opts.sinks) as [
      Signal,
      (d: unknown) => Promise<void>,
    ][]) {
      const codec = SIGNAL_CODECS[signal] as SignalCodec<Signal>;
      server.addService(exportServiceDefinition(codec), {
        Export: (
          call: grpc.ServerUnaryCall<Received, PartialSuccess | undefined>,
          cb: grpc.sendUnaryData<PartialSuccess | undefined>,
        ) => {
          this.export(codec, sink, call, cb).catch((err) =>
            cb({ code: grpc.status.INTERNAL, details: `internal error: ${String(err)}` }),
          );
        },
      });
    }
    const creds = this.opts.tls
      ? grpc.ServerCredentials.createSsl(
          this.opts.tls.clientCa ?? null,
          [{ cert_chain: this.opts.tls.cert, private_key: this.opts.tls.key }],
          this.opts.tls.clientCa !== undefined,
        )
      : grpc.ServerCredentials.createInsecure();
    const { host, port } = this.opts.endpoint;
    const address = host.includes(':') ? `[${host}]:${port}` : `${host || '0.0.0.0'}:${port}`;
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, creds, (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.server = server;
    return { host: host || '0.0.0.0', port: bound };
  }

  /** Lets in-flight calls finish for up to `graceMs`, then cancels the rest. */
  async shutdown(graceMs = 5000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    server.forceShutdown();
  }

  private async export(
    codec: SignalCodec<Signal>,
    sink: (data: unknown) => Promise<void>,
    call: grpc.ServerUnaryCall<Received, PartialSuccess | undefined>,
    cb: grpc.sendUnaryData<PartialSuccess | undefined>,
  ): Promise<void> {
    if (this.opts.bearerToken !== undefined) {
      const got = Buffer.from(String(call.metadata.get('authorization')[0] ?? ''));
      const want = Buffer.from(`Bearer ${this.opts.bearerToken}`);
      if (got.length !== want.length || !timingSafeEqual(got, want))
        return cb({ code: grpc.status.UNAUTHENTICATED, details: 'missing or wrong bearer token' });
    }
    const { bytes } = call.request;
    const controllers = this.opts.admission ?? [];
    let ticket: AdmissionTicket | undefined;
    if (controllers.length > 0) {
      const gone = new AbortController();
      const onCancel = () => gone.abort();
      call.once('cancelled', onCancel);
      const got: AdmissionTicket | AdmissionRefusal = await acquireAll(
        controllers,
        bytes.length,
        gone.signal,
      );
      call.off('cancelled', onCancel);
      if (typeof got !== 'string') ticket = got;
      else {
        if (got === 'aborted') return;
        this.opts.telemetry.add('mlobs_receiver_refused_requests_total', 1, {
          ...this.labels,
          reason: 'admission',
        });
        const message =
          got === 'too_large'
            ? 'the message is larger than the receiver admits at once'
            : 'too many request bytes in flight; retry later';
        return cb(retryable(grpc.status.RESOURCE_EXHAUSTED, message, DEFAULT_RETRY_AFTER_MS));
      }
    }
    try {
      let data: unknown;
      try {
        data = codec.decodeProto(bytes, false, this.opts.limits ?? DEFAULT_DECODE_LIMITS, (n) =>
          this.opts.telemetry.add('mlobs_receiver_dropped_items_total', n, {
            ...this.labels,
            reason: 'decode_limit',
          }),
        );
      } catch (err) {
        if (err instanceof OtlpDecodeError)
          return cb({ code: grpc.status.INVALID_ARGUMENT, details: err.message });
        throw err;
      }
      await this.consume(codec, sink, data, cb);
    } finally {
      ticket?.release();
    }
  }

  private async consume(
    codec: SignalCodec<Signal>,
    sink: (data: unknown) => Promise<void>,
    data: unknown,
    cb: grpc.sendUnaryData<PartialSuccess | undefined>,
  ): Promise<void> {
    const count = codec.count(data as never);
    const outcome = await consumeBatch(
      codec.signal,
      count,
      () => sink(data),
      this.opts.telemetry,
      this.labels,
    );
    if (outcome.kind === 'ok') return cb(null, outcome.partial);
    if (outcome.kind === 'invalid')
      return cb({ code: grpc.status.INVALID_ARGUMENT, details: outcome.message });
    cb(retryable(grpc.status.UNAVAILABLE, outcome.message, outcome.retryAfterMs));
  }
}

/** An error status with a RetryInfo detail, so clients back off as OTLP asks. */
function retryable(code: grpc.status, message: string, retryDelayMs: number): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(encodeRpcStatus({ code, message, retryDelayMs })));
  return { code, details: message, metadata };
}
