/**
 * Config of the `otlp` receiver, spelled as the OpenTelemetry Collector spells it:
 * `protocols.http` and `protocols.grpc`, each with an endpoint, TLS and auth. As in otelcol,
 * a protocol is on exactly when its key is present (`grpc:` with no value = on with its
 * defaults), so `protocols` is free-form to the generic decoder and each present protocol is
 * laid over its own defaults here. Difference from otelcol: `auth` takes a bearer token
 * directly instead of naming an extension.
 */
import { decodeOver, isMap } from '../../config/decode.js';
import { parseByteSize, parseEndpoint, show } from '../../config/values.js';
import type { ConfigProblem } from '../../factory.js';

/** TLS files for a listener. */
export interface TlsConfig {
  /** PEM certificate chain. */
  cert_file: string;
  /** PEM private key. */
  key_file: string;
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

/** OTLP/HTTP (protobuf and JSON) settings. */
export type HttpProtocolConfig = ProtocolConfig & { max_request_body_size: string | number };

/** OTLP/gRPC settings. */
export type GrpcProtocolConfig = ProtocolConfig & { max_recv_msg_size: string | number };

/** The `otlp` receiver config as written: `protocols` maps a protocol name to its settings or null. */
export interface OtlpReceiverConfig {
  /** Present protocols; free-form here, checked by {@link resolveOtlpReceiverConfig}. */
  protocols: Record<string, unknown>;
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
  return { protocols: {} };
}

/** OTLP/HTTP defaults: loopback at 4318, 20 MiB bodies. */
export function defaultHttpProtocol(): HttpProtocolConfig {
  return { endpoint: '127.0.0.1:4318', max_request_body_size: '20MiB', tls: null, auth: null };
}

/** OTLP/gRPC defaults: loopback at 4317, 20 MiB messages. */
export function defaultGrpcProtocol(): GrpcProtocolConfig {
  return { endpoint: '127.0.0.1:4317', max_recv_msg_size: '20MiB', tls: null, auth: null };
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
      if (key !== 'cert_file' && key !== 'key_file')
        problems.push({
          path: `${path}::tls::${key}`,
          message: `unknown key "${key}" (allowed: cert_file, key_file)`,
        });
    for (const key of ['cert_file', 'key_file'])
      if (typeof tls[key] !== 'string' || tls[key] === '')
        problems.push({ path: `${path}::tls::${key}`, message: 'must be the path of a PEM file' });
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
  return [...problems, ...validateOtlpReceiverSettings(value)];
}

/** Checks resolved settings (endpoints, sizes, TLS, auth). */
export function validateOtlpReceiverSettings(settings: OtlpReceiverSettings): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { http, grpc } = settings;
  if (http) {
    checkProtocol('http', http, problems);
    checkSize('protocols::http::max_request_body_size', http.max_request_body_size, problems);
  }
  if (grpc) {
    checkProtocol('grpc', grpc, problems);
    checkSize('protocols::grpc::max_recv_msg_size', grpc.max_recv_msg_size, problems);
  }
  return problems;
}

function checkSize(path: string, v: unknown, problems: ConfigProblem[]): void {
  const size = parseByteSize(v);
  if (size.error !== undefined) problems.push({ path, message: size.error });
  else if (size.value <= 0) problems.push({ path, message: 'must be more than 0 bytes' });
}
