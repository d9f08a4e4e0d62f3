/**
 * The `otlp` receiver: OTLP/HTTP and OTLP/gRPC listeners feeding the pipeline's consumers.
 * Config values are parsed once here; start opens the listeners, shutdown closes them
 * (letting in-flight requests finish briefly) and is safe without start.
 */
import { readFileSync } from 'node:fs';
import { diag } from '@opentelemetry/api';
import { ErrorCodes, MlobsError } from '../../../errors.js';
import type {
  Component,
  Host,
  LogsConsumer,
  MetricsConsumer,
  Signal,
  TracesConsumer,
} from '../../component.js';
import { type Endpoint, parseByteSize, parseDuration, parseEndpoint } from '../../config/values.js';
import type { DecodeLimits } from '../../otlp/DecodeLimits.js';
import { AdmissionController } from '../../service/AdmissionController.js';
import type { AdmissionConfig, GrpcProtocolConfig, OtlpReceiverSettings, ProtocolConfig } from './config.js';
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
  if (r.error !== undefined || r.value === undefined)
    throw new MlobsError(ErrorCodes.MLOBS_ERR_CONFIG_INVALID, `receivers::${what}: ${r.error}`);
  return r.value;
}

/** Receives OTLP over HTTP and gRPC. */
export class OtlpReceiver implements Component {
  private http: OtlpHttpServer | undefined;
  private grpc: OtlpGrpcServer | undefined;
  private readonly bound: { http?: Endpoint; grpc?: Endpoint } = {};
  private started = false;

  private readonly admission: AdmissionController | undefined;

  /**
   * `admission` bounds this receiver's request bytes in flight (its HTTP and gRPC listeners
   * share it); `limits` bounds what each decoded item keeps. Both default to none/the defaults.
   */
  constructor(
    private readonly id: string,
    private readonly config: OtlpReceiverSettings,
    private readonly next: OtlpReceiverConsumers,
    admission?: AdmissionConfig,
    private readonly limits?: Readonly<DecodeLimits>,
  ) {
    const MIB = 1024 * 1024;
    this.admission = admission
      ? new AdmissionController(admission.request_limit_mib * MIB, admission.waiting_limit_mib * MIB)
      : undefined;
  }

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
    const admission = [this.admission, host.admission].filter(
      (a): a is AdmissionController => a !== undefined,
    );
    for (const [name, p] of [
      ['http', http],
      ['grpc', grpc],
    ] as const)
      if (p) warnExposure(this.id, name, p, host);
    try {
      if (http) {
        this.http = new OtlpHttpServer({
          id: this.id,
          endpoint: must(parseEndpoint(http.endpoint), `${this.id}: protocols::http::endpoint`),
          maxBodyBytes: must(parseByteSize(http.max_request_body_size), `${this.id}: max_request_body_size`),
          ...security(http),
          sinks,
          telemetry: host.telemetry,
          admission,
          limits: this.limits,
          timeouts: {
            headersMs: ms(http.read_header_timeout, `${this.id}: read_header_timeout`),
            requestMs: ms(http.read_timeout, `${this.id}: read_timeout`),
            idleMs: ms(http.idle_timeout, `${this.id}: idle_timeout`),
          },
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
          admission,
          limits: this.limits,
          channelOptions: keepaliveOptions(this.id, grpc),
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

function ms(v: string, what: string): number {
  return must(parseDuration(v), what);
}

/** The Collector's `keepalive::server_parameters` as grpc-js channel options (0 = unset). */
function keepaliveOptions(id: string, grpc: GrpcProtocolConfig): Record<string, number> {
  const k = grpc.keepalive.server_parameters;
  const out: Record<string, number> = {
    'grpc.max_connection_idle_ms': ms(k.max_connection_idle, `${id}: max_connection_idle`),
    'grpc.keepalive_time_ms': ms(k.time, `${id}: keepalive time`),
    'grpc.keepalive_timeout_ms': ms(k.timeout, `${id}: keepalive timeout`),
  };
  const age = ms(k.max_connection_age, `${id}: max_connection_age`);
  if (age > 0) out['grpc.max_connection_age_ms'] = age;
  return out;
}

/**
 * Warns, as the Collector does, about a listener on every interface and about a bearer token
 * sent in plain text (anyone on the path can read and replay it).
 */
function warnExposure(id: string, name: string, p: ProtocolConfig, host: Host): void {
  const ep = parseEndpoint(p.endpoint).value;
  const all =
    ep !== undefined && (ep.host === '' || ep.host === '0.0.0.0' || ep.host === '::' || ep.host === '[::]');
  const warn = host.warn ?? ((line: string) => diag.warn(line));
  if (all)
    warn(
      `receivers::${id}: protocols::${name} listens on all network interfaces (${p.endpoint}); bind to a specific address unless it must be reachable from other hosts`,
    );
  if (p.auth && !p.tls)
    warn(
      `receivers::${id}: protocols::${name} takes a bearer token over plain text; set tls so the token cannot be read on the wire`,
    );
}

function security(p: ProtocolConfig): {
  tls?: { cert: Buffer; key: Buffer; clientCa?: Buffer };
  bearerToken?: string;
} {
  const out: { tls?: { cert: Buffer; key: Buffer; clientCa?: Buffer }; bearerToken?: string } = {};
  if (p.tls) {
    out.tls = { cert: readFileSync(p.tls.cert_file), key: readFileSync(p.tls.key_file) };
    if (p.tls.client_ca_file) out.tls.clientCa = readFileSync(p.tls.client_ca_file);
  }
  if (p.auth) out.bearerToken = p.auth.bearer_token;
  return out;
}
