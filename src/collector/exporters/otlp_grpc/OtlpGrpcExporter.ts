/**
 * The `otlp_grpc` exporter: one grpc-js client per signal on a shared channel config, with
 * the same hand-built service definitions the receiver uses (requests go out pre-encoded).
 * Retryable codes follow OTLP: CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE,
 * UNAVAILABLE, DATA_LOSS, and RESOURCE_EXHAUSTED only when the server sent RetryInfo.
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { Signal } from '../../component.js';
import { parseDuration } from '../../config/values.js';
import { OtlpExporterBase } from '../../exporterhelper/OtlpExporterBase.js';
import type { SendItem, SendResult } from '../../exporterhelper/RetrySender.js';
import { decodeExportResponse, decodeRpcStatus, type PartialSuccess } from '../../otlp/responses.js';
import { SIGNAL_CODECS } from '../../otlp/signals.js';
import type { OtlpGrpcExporterConfig } from './config.js';

const RETRYABLE = new Set([
  grpc.status.CANCELLED,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.ABORTED,
  grpc.status.OUT_OF_RANGE,
  grpc.status.UNAVAILABLE,
  grpc.status.DATA_LOSS,
]);

type ExportClient = grpc.Client & {
  Export(
    req: Uint8Array,
    md: grpc.Metadata,
    options: grpc.CallOptions,
    cb: (err: grpc.ServiceError | null, res?: PartialSuccess) => void,
  ): grpc.ClientUnaryCall;
};

function clientDefinition(signal: Signal): grpc.ServiceDefinition {
  return {
    Export: {
      path: SIGNAL_CODECS[signal].grpcPath,
      requestStream: false,
      responseStream: false,
      requestSerialize: (body: Uint8Array) => Buffer.from(body.buffer, body.byteOffset, body.byteLength),
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b,
      responseDeserialize: (b: Buffer) => {
        try {
          return decodeExportResponse(b);
        } catch {
          return undefined;
        }
      },
      originalName: 'export',
    },
  };
}

/** Exports OTLP over gRPC. */
export class OtlpGrpcExporter extends OtlpExporterBase {
  private readonly clients = new Map<Signal, ExportClient>();
  private readonly timeoutMs: number;

  constructor(
    id: string,
    private readonly config: OtlpGrpcExporterConfig,
  ) {
    const timeout = parseDuration(config.timeout).value ?? 10_000;
    super(id, config, timeout);
    this.timeoutMs = timeout;
  }

  protected async open(): Promise<void> {
    const { tls } = this.config;
    const creds = tls.insecure
      ? grpc.credentials.createInsecure()
      : grpc.credentials.createSsl(tls.ca_file ? readFileSync(tls.ca_file) : null);
    const options: grpc.ChannelOptions = {};
    if (this.config.compression === 'gzip') options['grpc.default_compression_algorithm'] = 2;
    for (const signal of ['traces', 'logs', 'metrics'] as const) {
      const Ctor = grpc.makeGenericClientConstructor(clientDefinition(signal), signal);
      this.clients.set(signal, new Ctor(this.config.endpoint, creds, options) as unknown as ExportClient);
    }
  }

  protected async close(): Promise<void> {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  protected endpointOf(): string {
    return this.config.endpoint;
  }

  protected attempt(item: SendItem, abort: AbortSignal): Promise<SendResult> {
    const client = this.clients.get(item.signal);
    if (!client) return Promise.resolve({ ok: false, retryable: false, message: 'exporter is not started' });
    const md = new grpc.Metadata();
    for (const [k, v] of Object.entries(this.config.headers)) md.set(k, v);
    return new Promise((resolve) => {
      const call = client.Export(item.body, md, { deadline: Date.now() + this.timeoutMs }, (err, partial) => {
        abort.removeEventListener('abort', cancel);
        if (!err) return resolve({ ok: true, partial });
        const detail = err.metadata?.get('grpc-status-details-bin')[0];
        let retryAfterMs: number | undefined;
        if (Buffer.isBuffer(detail)) {
          try {
            retryAfterMs = decodeRpcStatus(detail).retryDelayMs;
          } catch {
            retryAfterMs = undefined;
          }
        }
        const retryable =
          RETRYABLE.has(err.code) ||
          (err.code === grpc.status.RESOURCE_EXHAUSTED && retryAfterMs !== undefined);
        resolve({
          ok: false,
          retryable,
          message: `gRPC ${grpc.status[err.code]}: ${err.details}`,
          retryAfterMs,
        });
      });
      const cancel = () => call.cancel();
      abort.addEventListener('abort', cancel, { once: true });
    });
  }
}
