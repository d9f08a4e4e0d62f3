/**
 * The small messages around an export: the `Export*ServiceResponse` with its partial
 * success, and `google.rpc.Status` (with a `google.rpc.RetryInfo` detail) for errors.
 *   Export{Trace,Logs,Metrics}ServiceResponse: partial_success 1
 *   Export*PartialSuccess: rejected_{spans,log_records,data_points} 1 (int64), error_message 2
 *   google.rpc.Status: code 1 (int32), message 2, details 3 (google.protobuf.Any: type_url 1, value 2)
 *   google.rpc.RetryInfo: retry_delay 1 (google.protobuf.Duration: seconds 1 (int64), nanos 2 (int32))
 */
import type { Signal } from '../component.js';
import { ProtoReader } from './ProtoReader.js';
import { ProtoWriter } from './ProtoWriter.js';

/** The `type_url` of a RetryInfo detail inside a google.rpc.Status. */
export const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

/** What a partial success reports: how many items were refused and why. */
export interface PartialSuccess {
  /** Items (spans, log records, data points) refused. */
  rejected: number;
  /** Why, for people. */
  message: string;
}

/** A decoded google.rpc.Status. */
export interface RpcStatus {
  /** gRPC status code. */
  code: number;
  /** Error message. */
  message: string;
  /** The RetryInfo delay, when a RetryInfo detail is present. */
  retryDelayMs?: number;
}

const REJECTED_JSON: Record<Signal, string> = {
  traces: 'rejectedSpans',
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
};

/** Encodes an export response; the partial success is written only when something was refused. */
export function encodeExportResponse(partial: PartialSuccess | undefined): Uint8Array {
  const w = new ProtoWriter(64);
  if (partial && (partial.rejected > 0 || partial.message)) {
    w.tag(1, 2);
    const s = w.fork();
    if (partial.rejected > 0) {
      w.tag(1, 0);
      w.varint64(partial.rejected);
    }
    if (partial.message) {
      w.tag(2, 2);
      w.string(partial.message);
    }
    w.join(s);
  }
  return new Uint8Array(w.finish());
}

/** The OTLP/JSON form of an export response for `signal`. */
export function exportResponseJson(signal: Signal, partial: PartialSuccess | undefined): string {
  if (!partial || (partial.rejected <= 0 && !partial.message)) return '{}';
  return JSON.stringify({
    partialSuccess: { [REJECTED_JSON[signal]]: String(partial.rejected), errorMessage: partial.message },
  });
}

/** Reads the partial success of an export response; undefined when nothing was refused. */
export function decodeExportResponse(bytes: Uint8Array): PartialSuccess | undefined {
  const r = new ProtoReader(bytes);
  let out: PartialSuccess | undefined;
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag !== 10) {
      r.skip(tag & 7);
      continue;
    }
    const end = r.delimited();
    out = { rejected: 0, message: '' };
    while (r.pos < end) {
      const t = r.uint32();
      if (t === 8) out.rejected = Number(r.int64());
      else if (t === 18) out.message = r.string();
      else r.skip(t & 7);
    }
  }
  return out && (out.rejected > 0 || out.message) ? out : undefined;
}

/** Reads the partial success of an OTLP/JSON export response. */
export function exportResponseFromJson(signal: Signal, text: string): PartialSuccess | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const p = (body as { partialSuccess?: Record<string, unknown> } | null)?.partialSuccess;
  if (!p) return undefined;
  const rejected = Number(p[REJECTED_JSON[signal]] ?? 0);
  const message = typeof p.errorMessage === 'string' ? p.errorMessage : '';
  return rejected > 0 || message ? { rejected, message } : undefined;
}

/** Encodes a google.rpc.Status, adding a RetryInfo detail when a delay is given. */
export function encodeRpcStatus(status: RpcStatus): Uint8Array {
  const w = new ProtoWriter(128);
  if (status.code) {
    w.tag(1, 0);
    w.int32(status.code);
  }
  if (status.message) {
    w.tag(2, 2);
    w.string(status.message);
  }
  if (status.retryDelayMs !== undefined) {
    w.tag(3, 2);
    const any = w.fork();
    w.tag(1, 2);
    w.string(RETRY_INFO_TYPE);
    w.tag(2, 2);
    const info = w.fork();
    w.tag(1, 2);
    const dur = w.fork();
    const seconds = Math.floor(status.retryDelayMs / 1000);
    const nanos = Math.round((status.retryDelayMs - seconds * 1000) * 1e6);
    if (seconds) {
      w.tag(1, 0);
      w.varint64(seconds);
    }
    if (nanos) {
      w.tag(2, 0);
      w.int32(nanos);
    }
    w.join(dur);
    w.join(info);
    w.join(any);
  }
  return new Uint8Array(w.finish());
}

/** Decodes a google.rpc.Status, picking up a RetryInfo delay if one of its details is RetryInfo. */
export function decodeRpcStatus(bytes: Uint8Array): RpcStatus {
  const r = new ProtoReader(bytes);
  const out: RpcStatus = { code: 0, message: '' };
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag === 8) out.code = r.int32();
    else if (tag === 18) out.message = r.string();
    else if (tag === 26) {
      const end = r.delimited();
      let type = '';
      let value: Uint8Array | undefined;
      while (r.pos < end) {
        const t = r.uint32();
        if (t === 10) type = r.string();
        else if (t === 18) value = r.bytes();
        else r.skip(t & 7);
      }
      if (type === RETRY_INFO_TYPE && value) out.retryDelayMs = decodeRetryDelay(value);
    } else r.skip(tag & 7);
  }
  return out;
}

function decodeRetryDelay(bytes: Uint8Array): number {
  const r = new ProtoReader(bytes);
  let ms = 0;
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag !== 10) {
      r.skip(tag & 7);
      continue;
    }
    const end = r.delimited();
    while (r.pos < end) {
      const t = r.uint32();
      if (t === 8) ms += Number(r.int64()) * 1000;
      else if (t === 16) ms += r.int32() / 1e6;
      else r.skip(t & 7);
    }
  }
  return ms;
}

/** The OTLP/JSON form of a google.rpc.Status (RetryInfo as its proto3 JSON `Any`). */
export function rpcStatusJson(status: RpcStatus): string {
  const o: Record<string, unknown> = { code: status.code, message: status.message };
  if (status.retryDelayMs !== undefined)
    o.details = [{ '@type': RETRY_INFO_TYPE, retryDelay: `${status.retryDelayMs / 1000}s` }];
  return JSON.stringify(o);
}
