/**
 * Config of the `otlp` receiver, spelled as the OpenTelemetry Collector spells it:
 * `protocols.http` and `protocols.grpc`, each with an endpoint, TLS and auth. As in otelcol,
 * a protocol is on exactly when its key is present (`grpc:` with no value = on with its
 * defaults), so `protocols` is free-form to the generic decoder and each present protocol is
 * laid over its own defaults here. Difference from otelcol: `auth` takes a bearer token
 * directly instead of naming an extension.
 */
import { checkPemFile } from '../../config/checkPemFile.js';
import { decodeOver, isMap } from '../../config/decode.js';
import { parseByteSize, parseDuration, parseEndpoint, show } from '../../config/values.js';
import type { ConfigProblem } from '../../factory.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from '../../otlp/DecodeLimits.js';

/** TLS files for a listener. */
export interface TlsConfig {
  /** PEM certificate chain. */
  cert_file: string;
  /** PEM private key. */
  key_file: string;
  /** PEM CA certificates clients must present a certificate from (mutual TLS); absent = no client certificates. */
  client_ca_file?: string;
}

/** Bearer-token auth for a listener. */
export interface AuthConfig {
  /** The token clients must send as `Authorization: Bearer <token>`. */
  bearer_token: string;
}

/** Settings shared by both protocols. */
export interface ProtocolConfig {
  /** `host:port` to listen on. */
  endpoint: string;
  /** TLS files, or null for plain text. */
  tls: TlsConfig | null;
  /** Required bearer token, or null for none. */
  auth: AuthConfig | null;
}

/** OTLP/HTTP (protobuf and JSON) settings; the timeouts are the Collector's `confighttp` ones. */
export type HttpProtocolConfig = ProtocolConfig & {
  /** Largest body, compressed or not. */
  max_request_body_size: string | number;
  /** Longest a client may take to send the request headers. */
  read_header_timeout: string;
  /** Longest a client may take to send the whole request, body included. */
  read_timeout: string;
  /** Longest an idle keep-alive connection is kept open. */
  idle_timeout: string;
};

/** gRPC keepalive, as the Collector's `configgrpc` spells `keepalive::server_parameters`. */
export interface GrpcServerKeepalive {
  /** Close a connection that had no call for this long. */
  max_connection_idle: string;
  /** Close any connection after this long (0 = never), letting calls finish. */
  max_connection_age: string;
  /** Ping an idle client after this long. */
  time: string;
  /** Close the connection when a ping is not answered within this. */
  timeout: string;
}

/** OTLP/gRPC settings. */
export type GrpcProtocolConfig = ProtocolConfig & {
  /** Largest message after decompression. */
  max_recv_msg_size: string | number;
  /** Connection management. */
  keepalive: { server_parameters: GrpcServerKeepalive };
};

/**
 * `admission`, as the Collector's otel-arrow receiver spells it: bytes of requests being read
 * and decoded at once, and bytes of requests allowed to wait for room; beyond both, requests
 * are refused with 429 / RESOURCE_EXHAUSTED and Retry-After / RetryInfo.
 */
export interface AdmissionConfig {
  /** Bytes in flight for this receiver, in MiB (at least the largest body it accepts). */
  request_limit_mib: number;
  /** Bytes waiting for room, in MiB (0 = refuse at once when full). */
  waiting_limit_mib: number;
}

/**
 * What the decoder keeps per item, after the OpenTelemetry SDK's span limits (the rest is
 * dropped and counted in the item's dropped counts and in `mlobs_receiver_dropped_items_total`).
 */
export interface DecodeLimitsConfig {
  /** Attributes per span, log record, resource, scope and metric point. */
  attribute_count_limit: number;
  /** Events per span. */
  event_count_limit: number;
  /** Links per span. */
  link_count_limit: number;
  /** Attributes per span event. */
  event_attribute_count_limit: number;
  /** Attributes per span link. */
  link_attribute_count_limit: number;
  /** Values per array attribute value. */
  array_value_length_limit: number;
  /** Entries per key-value list attribute value. */
  kvlist_value_length_limit: number;
}

/** The `otlp` receiver config as written: `protocols` maps a protocol name to its settings or null. */
export interface OtlpReceiverConfig {
  /** Present protocols; free-form here, checked by {@link resolveOtlpReceiverConfig}. */
  protocols: Record<string, unknown>;
  /** Per-receiver admission control (the process-wide bound is `service::admission`). */
  admission: AdmissionConfig;
  /** Decoder limits per item. */
  limits: DecodeLimitsConfig;
}

/** Admission defaults: room for three bodies of the default 20 MiB limit, as many waiting. */
export function defaultAdmissionConfig(): AdmissionConfig {
  return { request_limit_mib: 64, waiting_limit_mib: 64 };
}

/** Decoder limit defaults, in the config's spelling (see `DEFAULT_DECODE_LIMITS`). */
export function defaultDecodeLimitsConfig(): DecodeLimitsConfig {
  const d = DEFAULT_DECODE_LIMITS;
  return {
    attribute_count_limit: d.attributeCount,
    event_count_limit: d.eventCount,
    link_count_limit: d.linkCount,
    event_attribute_count_limit: d.eventAttributeCount,
    link_attribute_count_limit: d.linkAttributeCount,
    array_value_length_limit: d.arrayLength,
    kvlist_value_length_limit: d.kvlistLength,
  };
}

/** Turns configured limits into the decoder's. */
export function decodeLimits(c: DecodeLimitsConfig): DecodeLimits {
  return {
    attributeCount: c.attribute_count_limit,
    eventCount: c.event_count_limit,
    linkCount: c.link_count_limit,
    eventAttributeCount: c.event_attribute_count_limit,
    linkAttributeCount: c.link_attribute_count_limit,
    arrayLength: c.array_value_length_limit,
    kvlistLength: c.kvlist_value_length_limit,
  };
}

/** The listeners to open, each resolved over its defaults; an absent protocol stays off. */
export interface OtlpReceiverSettings {
  /** OTLP/HTTP, when configured. */
  http?: HttpProtocolConfig;
  /** OTLP/gRPC, when configured. */
  grpc?: GrpcProtocolConfig;
}

/** No protocol: the user's `protocols` map decides which listeners exist. */
export function createDefaultOtlpReceiverConfig(): OtlpReceiverConfig {
  return { protocols: {}, admission: defaultAdmissionConfig(), limits: defaultDecodeLimitsConfig() };
}

/**
 * OTLP/HTTP defaults: loopback at 4318, 20 MiB bodies; a client gets 10 s for its headers and
 * 60 s for the whole request (Node's own default lets a slow body hold a socket 300 s).
 */
export function defaultHttpProtocol(): HttpProtocolConfig {
  return {
    endpoint: '127.0.0.1:4318',
    max_request_body_size: '20MiB',
    read_header_timeout: '10s',
    read_timeout: '60s',
    idle_timeout: '60s',
    tls: null,
    auth: null,
  };
}

/** OTLP/gRPC defaults: loopback at 4317, 20 MiB messages, idle connections closed after 5 minutes. */
export function defaultGrpcProtocol(): GrpcProtocolConfig {
  return {
    endpoint: '127.0.0.1:4317',
    max_recv_msg_size: '20MiB',
    keepalive: {
      server_parameters: { max_connection_idle: '5m', max_connection_age: '0s', time: '2h', timeout: '20s' },
    },
    tls: null,
    auth: null,
  };
}

/** Both protocols with their defaults, as `protocols: {http:, grpc:}` gives. */
export function defaultOtlpReceiverSettings(): OtlpReceiverSettings {
  return { http: defaultHttpProtocol(), grpc: defaultGrpcProtocol() };
}

const PROTOCOLS = { http: defaultHttpProtocol, grpc: defaultGrpcProtocol } as const;

/**
 * Lays each present protocol over its defaults; unknown protocols and unknown keys are
 * problems with their paths (`protocols::grpc::endpont`), relative to the receiver.
 */
export function resolveOtlpReceiverConfig(config: OtlpReceiverConfig): {
  value: OtlpReceiverSettings;
  problems: ConfigProblem[];
} {
  const problems: ConfigProblem[] = [];
  const value: OtlpReceiverSettings = {};
  const protocols: unknown = config.protocols;
  if (!isMap(protocols)) {
    problems.push({ path: 'protocols', message: `must be a map of protocols, got ${show(protocols)}` });
    return { value, problems };
  }
  for (const [name, user] of Object.entries(protocols)) {
    if (name !== 'http' && name !== 'grpc') {
      problems.push({
        path: `protocols::${name}`,
        message: `unknown protocol "${name}" (allowed: grpc, http)`,
      });
      continue;
    }
    const decoded = decodeOver<ProtocolConfig>(PROTOCOLS[name](), user, `protocols::${name}`);
    problems.push(...decoded.problems);
    if (name === 'http') value.http = decoded.value as HttpProtocolConfig;
    else value.grpc = decoded.value as GrpcProtocolConfig;
  }
  if (problems.length === 0 && !value.http && !value.grpc)
    problems.push({ path: 'protocols', message: 'must list at least one of grpc and http' });
  return { value, problems };
}

function checkProtocol(name: 'http' | 'grpc', p: ProtocolConfig, problems: ConfigProblem[]): void {
  const path = `protocols::${name}`;
  const ep = parseEndpoint(p.endpoint);
  if (ep.error !== undefined) problems.push({ path: `${path}::endpoint`, message: ep.error });
  if (p.tls !== null) {
    const tls = p.tls as unknown as Record<string, unknown>;
    for (const key of Object.keys(tls))
      if (key !== 'cert_file' && key !== 'key_file' && key !== 'client_ca_file')
        problems.push({
          path: `${path}::tls::${key}`,
          message: `unknown key "${key}" (allowed: cert_file, client_ca_file, key_file)`,
        });
    for (const key of ['cert_file', 'key_file', 'client_ca_file']) {
      const v = tls[key];
      if (key === 'client_ca_file' && (v === undefined || v === null)) continue;
      if (typeof v !== 'string' || v === '')
        problems.push({ path: `${path}::tls::${key}`, message: 'must be the path of a PEM file' });
      else
        checkPemFile(v, key === 'key_file' ? 'private key' : 'certificate', `${path}::tls::${key}`, problems);
    }
  }
  if (p.auth !== null) {
    const auth = p.auth as unknown as Record<string, unknown>;
    for (const key of Object.keys(auth))
      if (key !== 'bearer_token')
        problems.push({
          path: `${path}::auth::${key}`,
          message: `unknown key "${key}" (allowed: bearer_token)`,
        });
    if (typeof auth.bearer_token !== 'string' || auth.bearer_token === '')
      problems.push({ path: `${path}::auth::bearer_token`, message: 'must be a non-empty token' });
  }
}

/** Checks the protocols present, their endpoints, sizes, TLS and auth; paths are relative to the receiver. */
export function validateOtlpReceiverConfig(config: OtlpReceiverConfig): ConfigProblem[] {
  const { value, problems } = resolveOtlpReceiverConfig(config);
  problems.push(...validateOtlpReceiverSettings(value));
  const a = config.admission;
  for (const key of ['request_limit_mib', 'waiting_limit_mib'] as const) {
    const v = a[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (key === 'request_limit_mib' && v === 0))
      problems.push({
        path: `admission::${key}`,
        message: `must be a number of MiB ${key === 'request_limit_mib' ? '> 0' : '>= 0'}, got ${show(v)}`,
      });
  }
  if (problems.length === 0) {
    // A body the admission limit cannot hold would be refused forever, however long it waited.
    const limit = a.request_limit_mib * 1024 * 1024;
    const bodies: [string, unknown][] = [];
    if (value.http) bodies.push(['protocols::http::max_request_body_size', value.http.max_request_body_size]);
    if (value.grpc) bodies.push(['protocols::grpc::max_recv_msg_size', value.grpc.max_recv_msg_size]);
    for (const [path, size] of bodies) {
      const bytes = parseByteSize(size).value ?? 0;
      if (bytes > limit)
        problems.push({
          path: 'admission::request_limit_mib',
          message: `must hold the largest body (${path} is ${bytes} bytes, the limit ${limit})`,
        });
    }
  }
  for (const [key, v] of Object.entries(config.limits))
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      problems.push({ path: `limits::${key}`, message: `must be a whole number >= 1, got ${show(v)}` });
  return problems;
}

/** Checks resolved settings (endpoints, sizes, TLS, auth). */
export function validateOtlpReceiverSettings(settings: OtlpReceiverSettings): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { http, grpc } = settings;
  if (http) {
    checkProtocol('http', http, problems);
    checkSize('protocols::http::max_request_body_size', http.max_request_body_size, problems);
    for (const key of ['read_header_timeout', 'read_timeout', 'idle_timeout'] as const)
      checkDuration(`protocols::http::${key}`, http[key], problems, false);
  }
  if (grpc) {
    checkProtocol('grpc', grpc, problems);
    checkSize('protocols::grpc::max_recv_msg_size', grpc.max_recv_msg_size, problems);
    const k = grpc.keepalive?.server_parameters as unknown as Record<string, unknown> | undefined;
    const path = 'protocols::grpc::keepalive::server_parameters';
    if (!isMap(k)) problems.push({ path, message: 'must be a map' });
    else
      for (const [key, v] of Object.entries(k)) {
        if (!['max_connection_idle', 'max_connection_age', 'time', 'timeout'].includes(key))
          problems.push({
            path: `${path}::${key}`,
            message: `unknown key "${key}" (allowed: max_connection_age, max_connection_idle, time, timeout)`,
          });
        else checkDuration(`${path}::${key}`, v, problems, key === 'max_connection_age');
      }
  }
  return problems;
}

function checkDuration(path: string, v: unknown, problems: ConfigProblem[], zeroOk: boolean): void {
  const d = parseDuration(v);
  if (d.error !== undefined) problems.push({ path, message: d.error });
  else if (d.value < 0 || (!zeroOk && d.value === 0)) problems.push({ path, message: 'must be more than 0' });
}

function checkSize(path: string, v: unknown, problems: ConfigProblem[]): void {
  const size = parseByteSize(v);
  if (size.error !== undefined) problems.push({ path, message: size.error });
  else if (size.value <= 0) problems.push({ path, message: 'must be more than 0 bytes' });
}
