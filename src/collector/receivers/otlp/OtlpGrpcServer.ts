/**
 * The OTLP/gRPC listener, on `@grpc/grpc-js` with a hand-built service definition whose
 * (de)serializers are our codec, so no .proto files or protobufjs are loaded. A body that
 * fails to decode becomes INVALID_ARGUMENT (grpc-js would answer INTERNAL if the
 * deserializer threw); a refusing consumer becomes UNAVAILABLE with a RetryInfo detail.
 * grpc-js itself handles gzip/deflate request compression and `max_recv_msg_size`
 * (RESOURCE_EXHAUSTED), checking the size after decompression.
 */
import { timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { Signal, Telemetry } from '../../component.js';
import type { Endpoint } from '../../config/values.js';
import { OtlpDecodeError } from '../../otlp/OtlpDecodeError.js';
import { encodeExportResponse, encodeRpcStatus, type PartialSuccess } from '../../otlp/responses.js';
import { SIGNAL_CODECS, type SignalCodec } from '../../otlp/signals.js';
import { consumeBatch } from './consumeBatch.js';

/** What the gRPC listener needs. */
export interface OtlpGrpcServerOptions {
  /** Component id, for telemetry labels. */
  id: string;
  /** Where to listen. */
  endpoint: Endpoint;
  /** Largest accepted message after decompression, in bytes. */
  maxRecvBytes: number;
  /** PEM certificate and key: listen with TLS. */
  tls?: { cert: Buffer; key: Buffer };
  /** Required bearer token (`authorization: Bearer <token>` metadata). */
  bearerToken?: string;
  /** One consumer per signal served; other services are not registered (UNIMPLEMENTED). */
  sinks: Partial<Record<Signal, (data: unknown) => Promise<void>>>;
  /** Self-telemetry. */
  telemetry: Telemetry;
}

type Decoded = { data: unknown; error?: undefined } | { error: string; data?: undefined };

/** Builds the one-method service definition for a signal's `Export`, with our codec as serializers. */
export function exportServiceDefinition(codec: SignalCodec<Signal>): grpc.ServiceDefinition {
  return {
    Export: {
      path: codec.grpcPath,
      requestStream: false,
      responseStream: false,
      requestSerialize: (data: unknown) => Buffer.from(codec.encodeProto(data as never)),
      requestDeserialize: (bytes: Buffer): Decoded => {
        try {
          return { data: codec.decodeProto(bytes) };
        } catch (err) {
          if (err instanceof OtlpDecodeError) return { error: err.message };
          throw err;
        }
      },
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
      'grpc.max_receive_message_length': this.opts.maxRecvBytes,
    });
    for (const [signal, sink] of Object.entries(this.opts.sinks) as [
      Signal,
      (d: unknown) => Promise<void>,
    ][]) {
      const codec = SIGNAL_CODECS[signal] as SignalCodec<Signal>;
      server.addService(exportServiceDefinition(codec), {
        Export: (
          call: grpc.ServerUnaryCall<Decoded, PartialSuccess | undefined>,
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
          null,
          [{ cert_chain: this.opts.tls.cert, private_key: this.opts.tls.key }],
          false,
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
    call: grpc.ServerUnaryCall<Decoded, PartialSuccess | undefined>,
    cb: grpc.sendUnaryData<PartialSuccess | undefined>,
  ): Promise<void> {
    if (this.opts.bearerToken !== undefined) {
      const got = Buffer.from(String(call.metadata.get('authorization')[0] ?? ''));
      const want = Buffer.from(`Bearer ${this.opts.bearerToken}`);
      if (got.length !== want.length || !timingSafeEqual(got, want))
        return cb({ code: grpc.status.UNAUTHENTICATED, details: 'missing or wrong bearer token' });
    }
    const req = call.request;
    if (req.error !== undefined) return cb({ code: grpc.status.INVALID_ARGUMENT, details: req.error });
    const count = codec.count(req.data as never);
    const outcome = await consumeBatch(
      codec.signal,
      count,
      () => sink(req.data),
      this.opts.telemetry,
      this.labels,
    );
    if (outcome.kind === 'ok') return cb(null, outcome.partial);
    if (outcome.kind === 'invalid')
      return cb({ code: grpc.status.INVALID_ARGUMENT, details: outcome.message });
    const metadata = new grpc.Metadata();
    const status = {
      code: grpc.status.UNAVAILABLE,
      message: outcome.message,
      retryDelayMs: outcome.retryAfterMs,
    };
    metadata.set('grpc-status-details-bin', Buffer.from(encodeRpcStatus(status)));
    cb({ code: grpc.status.UNAVAILABLE, details: outcome.message, metadata });
  }
}
