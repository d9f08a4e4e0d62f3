import { checkPemFile } from '../../config/checkPemFile.js';
import {
  defaultQueueSettings,
  defaultRetrySettings,
  type QueueSettings,
  type RetrySettings,
  validateSendingSettings,
  validateTimeoutAndHeaders,
} from '../../exporterhelper/exporterSettings.js';
import type { ConfigProblem } from '../../factory.js';

/** The `otlp_http` exporter config. */
export interface OtlpHttpExporterConfig {
  /** Base URL, `http://host:4318` or `https://…`; `/v1/traces` etc. are appended. Required unless per-signal endpoints cover every signal sent. */
  endpoint: string;
  /** Full URL for spans, used as is instead of `<endpoint>/v1/traces` (as the Collector's `traces_endpoint`). */
  traces_endpoint: string | null;
  /** Full URL for log records instead of `<endpoint>/v1/logs`. */
  logs_endpoint: string | null;
  /** Full URL for metrics instead of `<endpoint>/v1/metrics`. */
  metrics_endpoint: string | null;
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
    traces_endpoint: null,
    logs_endpoint: null,
    metrics_endpoint: null,
    compression: 'gzip',
    encoding: 'proto',
    timeout: '10s',
    headers: {},
    tls: { ca_file: null, insecure_skip_verify: false },
    retry_on_failure: defaultRetrySettings(),
    sending_queue: defaultQueueSettings(),
  };
}

/** The per-signal endpoint keys, in config order. */
export const SIGNAL_ENDPOINT_KEYS = ['traces_endpoint', 'logs_endpoint', 'metrics_endpoint'] as const;

/** Whether `signal` has somewhere to go: its own `<signal>_endpoint`, or the base `endpoint`. */
export function hasEndpointFor(c: OtlpHttpExporterConfig, signal: 'traces' | 'logs' | 'metrics'): boolean {
  return c[`${signal}_endpoint`] !== null || c.endpoint !== '';
}

/** The problem with one endpoint URL, or undefined when it is an http(s) URL. */
function urlProblem(path: string, value: unknown, example: string): ConfigProblem | undefined {
  let url: URL | undefined;
  try {
    url = new URL(String(value));
  } catch {
    return { path, message: `must be a URL such as "${example}", got ${JSON.stringify(value)}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { path, message: `must start with http:// or https://, got ${JSON.stringify(value)}` };
  return undefined;
}

/** Checks the endpoint URLs, enums, timeout, headers and the shared blocks. */
export function validateOtlpHttpExporterConfig(c: OtlpHttpExporterConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const perSignal = SIGNAL_ENDPOINT_KEYS.filter((k) => c[k] !== null);
  if (c.endpoint !== '' || perSignal.length === 0) {
    const p = urlProblem('endpoint', c.endpoint, 'http://127.0.0.1:4318');
    if (p) problems.push(p);
  }
  for (const k of perSignal) {
    const p = urlProblem(k, c[k], `http://127.0.0.1:4318/v1/${k.slice(0, -'_endpoint'.length)}`);
    if (p) problems.push(p);
  }
  if (c.compression !== 'gzip' && c.compression !== 'none')
    problems.push({ path: 'compression', message: `must be "gzip" or "none", got "${c.compression}"` });
  if (c.encoding !== 'proto' && c.encoding !== 'json')
    problems.push({ path: 'encoding', message: `must be "proto" or "json", got "${c.encoding}"` });
  problems.push(...validateTimeoutAndHeaders(c.timeout, c.headers));
  if (c.tls.ca_file !== null && (typeof c.tls.ca_file !== 'string' || c.tls.ca_file === ''))
    problems.push({ path: 'tls::ca_file', message: 'must be the path of a PEM file' });
  else if (c.tls.ca_file !== null) checkPemFile(c.tls.ca_file, 'certificate', 'tls::ca_file', problems);
  problems.push(...validateSendingSettings(c.retry_on_failure, c.sending_queue));
  return problems;
}
