/**
 * The `otlp` receiver: OTLP/HTTP and OTLP/gRPC listeners feeding the pipeline's consumers.
 * Config values are parsed once here; start opens the listeners, shutdown closes them
 * (letting in-flight requests finish briefly) and is safe without start.
 */
import { readFileSync } from 'node:fs';
import type {
  Component,
  Host,
  LogsConsumer,
  MetricsConsumer,
  Signal,
  TracesConsumer,
} from '../../component.js';
import { type Endpoint, parseByteSize, parseEndpoint } from '../../config/values.js';
import type { OtlpReceiverSettings, ProtocolConfig } from './config.js';
import { OtlpGrpcServer } from './OtlpGrpcServer.js';
import { OtlpHttpServer } from './OtlpHttpServer.js';

/** The consumers a receiver feeds, one per signal it receives. */
export interface OtlpReceiverConsumers {
  /** Gets spans. */
  traces?: TracesConsumer;
  /** Gets log records. */
  logs?: LogsConsumer;
  /** Gets metric points. */
  metrics?: MetricsConsumer;
}

function must<T>(r: { value?: T; error?: string }, what: string): T {
  if (r.error !== undefined || r.value === undefined) throw new Error(`${what}: ${r.error}`);
  return r.value;
}

/** Receives OTLP over HTTP and gRPC. */
export class OtlpReceiver implements Component {
  private http: OtlpHttpServer | undefined;
  private grpc: OtlpGrpcServer | undefined;
  private readonly bound: { http?: Endpoint; grpc?: Endpoint } = {};
  private started = false;

  constructor(
    private readonly id: string,
    private readonly config: OtlpReceiverSettings,
    private readonly next: OtlpReceiverConsumers,
  ) {}

  /** The addresses actually listened on, after start (ports resolved when 0 was configured). */
  addresses(): { http?: Endpoint; grpc?: Endpoint } {
    return { ...this.bound };
  }

  /** Opens the configured listeners; fails if a port is taken or a TLS file cannot be read. */
  async start(host: Host): Promise<void> {
    if (this.started) return;
    this.started = true;
    const sinks: Partial<Record<Signal, (d: unknown) => Promise<void>>> = {};
    const { traces, logs, metrics } = this.next;
    if (traces) sinks.traces = (d) => traces.consumeTraces(d as never);
    if (logs) sinks.logs = (d) => logs.consumeLogs(d as never);
    if (metrics) sinks.metrics = (d) => metrics.consumeMetrics(d as never);
    const { http, grpc } = this.config;
    try {
      if (http) {
        this.http = new OtlpHttpServer({
          id: this.id,
          endpoint: must(parseEndpoint(http.endpoint), `${this.id}: protocols::http::endpoint`),
          maxBodyBytes: must(parseByteSize(http.max_request_body_size), `${this.id}: max_request_body_size`),
          ...security(http),
          sinks,
          telemetry: host.telemetry,
        });
        this.bound.http = await this.http.start((err) => host.reportFatalError(err));
      }
      if (grpc) {
        this.grpc = new OtlpGrpcServer({
          id: this.id,
          endpoint: must(parseEndpoint(grpc.endpoint), `${this.id}: protocols::grpc::endpoint`),
          maxRecvBytes: must(parseByteSize(grpc.max_recv_msg_size), `${this.id}: max_recv_msg_size`),
          ...security(grpc),
          sinks,
          telemetry: host.telemetry,
        });
        this.bound.grpc = await this.grpc.start();
      }
    } catch (err) {
      await this.shutdown();
      throw err;
    }
  }

  /** Closes both listeners. */
  async shutdown(): Promise<void> {
    const http = this.http;
    const grpc = this.grpc;
    this.http = undefined;
    this.grpc = undefined;
    await Promise.all([http?.shutdown(), grpc?.shutdown()]);
  }
}

function security(p: ProtocolConfig): { tls?: { cert: Buffer; key: Buffer }; bearerToken?: string } {
  const out: { tls?: { cert: Buffer; key: Buffer }; bearerToken?: string } = {};
  if (p.tls) out.tls = { cert: readFileSync(p.tls.cert_file), key: readFileSync(p.tls.key_file) };
  if (p.auth) out.bearerToken = p.auth.bearer_token;
  return out;
}
