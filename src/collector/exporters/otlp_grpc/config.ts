/**
 * Config of the `otlp_grpc` exporter, after the Collector's `otlp` exporter: `endpoint` is
 * `host:port`; `tls.insecure: true` for plain text (the Collector's default is TLS).
 */

import { checkPemFile } from '../../config/checkPemFile.js';
import { parseEndpoint } from '../../config/values.js';
import {
  defaultQueueSettings,
  defaultRetrySettings,
  type QueueSettings,
  type RetrySettings,
  validateSendingSettings,
  validateTimeoutAndHeaders,
} from '../../exporterhelper/exporterSettings.js';
import type { ConfigProblem } from '../../factory.js';

/** The `otlp_grpc` exporter config. */
export interface OtlpGrpcExporterConfig {
  /** `host:port` of the OTLP/gRPC server (required). */
  endpoint: string;
  /** `gzip` or `none`. */
  compression: string;
  /** Per-call deadline; also the bound on draining at shutdown. */
  timeout: string;
  /** Extra metadata on every call. */
  headers: Record<string, string>;
  /** `insecure: true` for plain text; `ca_file` to trust a private CA. */
  tls: { insecure: boolean; ca_file: string | null };
  /** Back-off on retryable failures. */
  retry_on_failure: RetrySettings;
  /** Bounded queue; `batch: {sizer: bytes, max_size: 16MiB}` splits larger requests (see `BatchSizeSettings`). */
  sending_queue: QueueSettings;
}

/** Defaults; `endpoint` must be set by the user. */
export function createDefaultOtlpGrpcExporterConfig(): OtlpGrpcExporterConfig {
  return {
    endpoint: '',
    compression: 'gzip',
    timeout: '10s',
    headers: {},
    tls: { insecure: false, ca_file: null },
    retry_on_failure: defaultRetrySettings(),
    sending_queue: defaultQueueSettings(),
  };
}

/** Checks the endpoint, compression, timeout, headers and the shared blocks. */
export function validateOtlpGrpcExporterConfig(c: OtlpGrpcExporterConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const ep = parseEndpoint(c.endpoint);
  if (ep.error !== undefined) problems.push({ path: 'endpoint', message: ep.error });
  if (c.compression !== 'gzip' && c.compression !== 'none')
    problems.push({ path: 'compression', message: `must be "gzip" or "none", got "${c.compression}"` });
  problems.push(...validateTimeoutAndHeaders(c.timeout, c.headers));
  if (typeof c.tls.insecure !== 'boolean')
    problems.push({ path: 'tls::insecure', message: 'must be true or false' });
  if (c.tls.ca_file !== null) {
    if (typeof c.tls.ca_file !== 'string' || c.tls.ca_file === '')
      problems.push({ path: 'tls::ca_file', message: 'must be the path of a PEM file' });
    else checkPemFile(c.tls.ca_file, 'certificate', 'tls::ca_file', problems);
  }
  problems.push(...validateSendingSettings(c.retry_on_failure, c.sending_queue));
  return problems;
}
