/**
 * Config of the `otlp` receiver, spelled as the OpenTelemetry Collector spells it:
 * `protocols.http` and `protocols.grpc`, each with an endpoint, TLS and auth. Differences
 * from otelcol: each protocol has `enabled` (our generic decoder cannot tell `grpc:` from an
 * absent key), and `auth` takes a bearer token directly instead of naming an extension.
 */
import { parseByteSize, parseEndpoint } from '../../config/values.js';
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
  /** Whether this protocol listens at all. */
  enabled: boolean;
  /** `host:port` to listen on. */
  endpoint: string;
  /** TLS files, or null for plain text. */
  tls: TlsConfig | null;
  /** Required bearer token, or null for none. */
  auth: AuthConfig | null;
}

/** The `otlp` receiver config. */
export interface OtlpReceiverConfig {
  /** Per-protocol settings. */
  protocols: {
    /** OTLP/HTTP (protobuf and JSON). */
    http: ProtocolConfig & { max_request_body_size: string | number };
    /** OTLP/gRPC. */
    grpc: ProtocolConfig & { max_recv_msg_size: string | number };
  };
}

/** Defaults: both protocols on loopback at the OTLP ports, 20 MiB bodies. */
export function createDefaultOtlpReceiverConfig(): OtlpReceiverConfig {
  return {
    protocols: {
      http: {
        enabled: true,
        endpoint: '127.0.0.1:4318',
        max_request_body_size: '20MiB',
        tls: null,
        auth: null,
      },
      grpc: { enabled: true, endpoint: '127.0.0.1:4317', max_recv_msg_size: '20MiB', tls: null, auth: null },
    },
  };
}

function checkProtocol(name: 'http' | 'grpc', p: ProtocolConfig, problems: ConfigProblem[]): void {
  const path = `protocols::${name}`;
  if (typeof p.enabled !== 'boolean')
    problems.push({ path: `${path}::enabled`, message: `must be true or false, got ${String(p.enabled)}` });
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

/** Checks endpoints, sizes, TLS and auth; paths are relative to the receiver. */
export function validateOtlpReceiverConfig(config: OtlpReceiverConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { http, grpc } = config.protocols;
  checkProtocol('http', http, problems);
  checkProtocol('grpc', grpc, problems);
  for (const [path, v] of [
    ['protocols::http::max_request_body_size', http.max_request_body_size],
    ['protocols::grpc::max_recv_msg_size', grpc.max_recv_msg_size],
  ] as const) {
    const size = parseByteSize(v);
    if (size.error !== undefined) problems.push({ path, message: size.error });
    else if (size.value <= 0) problems.push({ path, message: 'must be more than 0 bytes' });
  }
  if (!http.enabled && !grpc.enabled)
    problems.push({ path: 'protocols', message: 'at least one of http and grpc must be enabled' });
  return problems;
}
