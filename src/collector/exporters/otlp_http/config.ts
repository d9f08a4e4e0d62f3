import type { ConfigProblem } from '../../factory.js';
import {
  defaultQueueSettings,
  defaultRetrySettings,
  type QueueSettings,
  type RetrySettings,
  validateSendingSettings,
  validateTimeoutAndHeaders,
} from '../../otlp/exporter_settings.js';

/** The `otlp_http` exporter config. */
export interface OtlpHttpExporterConfig {
  /** Base URL, `http://host:4318` or `https://…` (required). */
  endpoint: string;
  /** `gzip` or `none`. */
  compression: string;
  /** `proto` or `json`. */
  encoding: string;
  /** Per-request timeout (`10s`); also the bound on draining at shutdown. */
  timeout: string;
  /** Extra request headers (for example an API key). */
  headers: Record<string, string>;
  /** Extra CA for `https` endpoints. */
  tls: { ca_file: string | null; insecure_skip_verify: boolean };
  /** Back-off on retryable failures. */
  retry_on_failure: RetrySettings;
  /** Bounded queue; `batch: {sizer: bytes, max_size: 16MiB}` splits larger requests (see `BatchSizeSettings`). */
  sending_queue: QueueSettings;
}

/** Defaults; `endpoint` must be set by the user. */
export function createDefaultOtlpHttpExporterConfig(): OtlpHttpExporterConfig {
  return {
    endpoint: '',
    compression: 'gzip',
    encoding: 'proto',
    timeout: '10s',
    headers: {},
    tls: { ca_file: null, insecure_skip_verify: false },
    retry_on_failure: defaultRetrySettings(),
    sending_queue: defaultQueueSettings(),
  };
}

/** Checks the endpoint URL, enums, timeout, headers and the shared blocks. */
export function validateOtlpHttpExporterConfig(c: OtlpHttpExporterConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  let url: URL | undefined;
  try {
    url = new URL(c.endpoint);
  } catch {
    problems.push({
      path: 'endpoint',
      message: `must be a URL such as "http://127.0.0.1:4318", got "${c.endpoint}"`,
    });
  }
  if (url && url.protocol !== 'http:' && url.protocol !== 'https:')
    problems.push({ path: 'endpoint', message: `must start with http:// or https://, got "${c.endpoint}"` });
  if (c.compression !== 'gzip' && c.compression !== 'none')
    problems.push({ path: 'compression', message: `must be "gzip" or "none", got "${c.compression}"` });
  if (c.encoding !== 'proto' && c.encoding !== 'json')
    problems.push({ path: 'encoding', message: `must be "proto" or "json", got "${c.encoding}"` });
  problems.push(...validateTimeoutAndHeaders(c.timeout, c.headers));
  if (c.tls.ca_file !== null && typeof c.tls.ca_file !== 'string')
    problems.push({ path: 'tls::ca_file', message: 'must be the path of a PEM file' });
  problems.push(...validateSendingSettings(c.retry_on_failure, c.sending_queue));
  return problems;
}
