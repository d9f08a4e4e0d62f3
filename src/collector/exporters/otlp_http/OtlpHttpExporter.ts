/**
 * The `otlp_http` exporter: POSTs encoded requests to `<endpoint>/v1/<signal>` (or the
 * signal's own `traces_endpoint` / `logs_endpoint` / `metrics_endpoint`) over keep-alive agents. Retryable answers are OTLP's (429, 502, 503, 504) and network errors;
 * `Retry-After` (seconds or an HTTP date) sets the next wait when it is longer than the back-off.
 */

import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { ErrorCodes, MlobsError } from '../../../errors.js';
import type { Signal } from '../../component.js';
import { parseDuration } from '../../config/values.js';
import { BufferPool } from '../../exporterhelper/BufferPool.js';
import { OtlpExporterBase } from '../../exporterhelper/OtlpExporterBase.js';
import type { SendItem, SendResult } from '../../exporterhelper/RetrySender.js';
import { decodeExportResponse, decodeRpcStatus, exportResponseFromJson } from '../../otlp/responses.js';
import { SIGNAL_CODECS } from '../../otlp/signals.js';
import { hasEndpointFor, type OtlpHttpExporterConfig } from './config.js';

const gzip = promisify(zlib.gzip);
const RETRYABLE = new Set([429, 502, 503, 504]);

/** Buffers that a body in pieces is joined into for compression, reused once compressed. */
const TO_COMPRESS = new BufferPool(32 * 1024 * 1024, 64 * 1024, 'exporter_gzip_input');

/** Gzips a request; a body in pieces is joined into a pooled buffer held only while compressing. */
async function compress(item: SendItem): Promise<Buffer> {
  const pieces = item.segments;
  if (!pieces || pieces.length === 1) return gzip(pieces ? pieces[0] : item.body);
  let size = 0;
  for (const p of pieces) size += p.length;
  const joined = TO_COMPRESS.take(size);
  let at = 0;
  for (const p of pieces) {
    joined.set(p, at);
    at += p.length;
  }
  try {
    return await gzip(joined.subarray(0, size));
  } finally {
    TO_COMPRESS.give(joined);
  }
}

/**
 * Where each signal goes: its own `<signal>_endpoint` as given, else `<endpoint>/v1/<signal>`.
 * Throws, naming the exporter and the signal, when a signal it is built for has neither.
 */
export function signalUrls(
  id: string,
  config: OtlpHttpExporterConfig,
  signals: readonly Signal[],
): Partial<Record<Signal, URL>> {
  const out: Partial<Record<Signal, URL>> = {};
  for (const signal of ['traces', 'logs', 'metrics'] as const) {
    if (!hasEndpointFor(config, signal)) {
      if (signals.includes(signal))
        throw new MlobsError(
          ErrorCodes.MLOBS_ERR_CONFIG_INVALID,
          `exporters::${id}: no endpoint for ${signal}; set endpoint or ${signal}_endpoint`,
        );
      continue;
    }
    const own = config[`${signal}_endpoint`];
    out[signal] =
      own !== null
        ? new URL(own)
        : new URL(SIGNAL_CODECS[signal].httpPath.slice(1), withSlash(new URL(config.endpoint)));
  }
  return out;
}

/** Exports OTLP over HTTP. */
export class OtlpHttpExporter extends OtlpExporterBase {
  private agents: { http?: http.Agent; https?: https.Agent } = {};
  private readonly urls: Partial<Record<Signal, URL>>;
  private readonly timeoutMs: number;

  constructor(
    id: string,
    private readonly config: OtlpHttpExporterConfig,
    signals: readonly Signal[] = ['traces', 'logs', 'metrics'],
  ) {
    const timeout = parseDuration(config.timeout).value ?? 10_000;
    super(id, config, timeout, config.encoding === 'json');
    this.timeoutMs = timeout;
    this.urls = signalUrls(id, config, signals);
  }

  protected async open(): Promise<void> {
    const options = { keepAlive: true, maxSockets: this.config.sending_queue.num_consumers + 1 };
    const protocols = new Set(Object.values(this.urls).map((u) => u.protocol));
    if (protocols.has('http:')) this.agents.http = new http.Agent(options);
    if (protocols.has('https:'))
      this.agents.https = new https.Agent({
        ...options,
        ca: this.config.tls.ca_file ? readFileSync(this.config.tls.ca_file) : undefined,
        rejectUnauthorized: !this.config.tls.insecure_skip_verify,
      });
  }

  protected async close(): Promise<void> {
    this.agents.http?.destroy();
    this.agents.https?.destroy();
    this.agents = {};
  }

  protected endpointOf(signal: Signal): string {
    return this.urls[signal]?.href ?? `(no endpoint for ${signal})`;
  }

  protected async attempt(item: SendItem, abort: AbortSignal): Promise<SendResult> {
    const json = this.config.encoding === 'json';
    const gzipped = this.config.compression === 'gzip';
    // Uncompressed bodies in pieces are written piece by piece (one writev), never joined.
    const pieces = gzipped ? undefined : item.segments;
    const body = gzipped ? await compress(item) : pieces ? undefined : item.body;
    let length = body?.length ?? 0;
    if (pieces) for (const p of pieces) length += p.length;
    const headers: Record<string, string> = {
      ...this.config.headers,
      'Content-Type': json ? 'application/json' : 'application/x-protobuf',
      'Content-Length': String(length),
    };
    if (this.config.compression === 'gzip') headers['Content-Encoding'] = 'gzip';
    const url = this.urls[item.signal];
    if (url === undefined) return { ok: false, retryable: false, message: `no endpoint for ${item.signal}` };
    const secure = url.protocol === 'https:';
    const mod = secure ? https : http;
    const agent = secure ? this.agents.https : this.agents.http;
    const res = await new Promise<{ status: number; retryAfter?: string; body: Buffer } | Error>(
      (resolve) => {
        const req = mod.request(
          url,
          { method: 'POST', headers, agent, signal: abort, timeout: this.timeoutMs },
          (r) => {
            const chunks: Buffer[] = [];
            r.on('data', (c: Buffer) => chunks.push(c));
            r.on('end', () =>
              resolve({
                status: r.statusCode ?? 0,
                retryAfter: r.headers['retry-after'],
                body: Buffer.concat(chunks),
              }),
            );
            r.on('error', resolve);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no response within ${this.timeoutMs} ms`)));
        req.on('error', resolve);
        if (pieces) {
          req.cork();
          for (const p of pieces) req.write(p);
          req.uncork();
          req.end();
        } else req.end(body);
      },
    );
    if (res instanceof Error) return { ok: false, retryable: true, message: res.message };
    if (res.status >= 200 && res.status < 300) {
      const partial = json
        ? exportResponseFromJson(item.signal, res.body.toString())
        : safe(() => decodeExportResponse(res.body));
      return { ok: true, partial };
    }
    const message = `HTTP ${res.status}${describe(res.body, json)}`;
    return {
      ok: false,
      retryable: RETRYABLE.has(res.status),
      message,
      retryAfterMs: parseRetryAfter(res.retryAfter),
    };
  }
}

function withSlash(u: URL): URL {
  return u.pathname.endsWith('/') ? u : new URL(`${u.href}/`);
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** The server's message from a google.rpc.Status body, if it sent one. */
function describe(body: Buffer, json: boolean): string {
  if (body.length === 0) return '';
  const msg = json
    ? safe(() => JSON.parse(body.toString()).message)
    : safe(() => decodeRpcStatus(body).message);
  return typeof msg === 'string' && msg ? `: ${msg}` : '';
}

/** Parses `Retry-After` as delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
