/**
 * One HTTP POST of a JSON body, reporting the outcome the way {@link RetrySender} wants it:
 * 2xx delivered; 408, 429 and 5xx (and network errors, timeouts) retryable, with the
 * server's `Retry-After`; any other status permanent. Shared by the `alertmanager` and
 * `webhook` exporters, which speak plain JSON over HTTP rather than OTLP.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AnyValue, KeyValue } from '../../model/otlp.js';
import type { SendResult } from '../exporterhelper/RetrySender.js';
import { parseRetryAfter } from './otlp_http/OtlpHttpExporter.js';

/** The status code of the last answer (0 for a network error), for counting bad responses. */
export type PostResult = SendResult & { status: number };

/** POSTs `body` to `url`; never rejects. */
export function postJson(
  url: URL,
  body: Uint8Array,
  headers: Record<string, string>,
  timeoutMs: number,
  abort: AbortSignal,
): Promise<PostResult> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = mod.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(body.length) },
        signal: abort,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => resolve({ ok: false, retryable: true, message: err.message, status: 0 }));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve({ ok: true, status });
          const text = Buffer.concat(chunks).toString('utf8').slice(0, 200).trim();
          resolve({
            ok: false,
            retryable: status === 408 || status === 429 || status >= 500,
            message: `HTTP ${status}${text ? `: ${text}` : ''}`,
            retryAfterMs: parseRetryAfter(res.headers['retry-after']),
            status,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ ok: false, retryable: true, message: err.message, status: 0 }));
    req.end(body);
  });
}

/** Attribute values of a log record as plain JSON values, by key. */
export function attributeValues(attrs: readonly KeyValue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of attrs) out[a.key] = plain(a.value);
  return out;
}

function plain(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return typeof v.intValue === 'bigint' ? v.intValue.toString() : v.intValue;
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return v.arrayValue.values.map(plain);
  if (v.kvlistValue) return Object.fromEntries(v.kvlistValue.values.map((kv) => [kv.key, plain(kv.value)]));
  if (v.bytesValue) return Buffer.from(v.bytesValue).toString('base64');
  return null;
}
