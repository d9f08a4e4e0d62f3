/**
 * OTel JS `ReadableSpan` → SpanRecord. The span type is structural (only the members read
 * here), so SDK 1.x, 2.x and 3.x spans all fit without importing the SDK.
 */
import type { PlainAttributes, PlainValue, SpanRecord, SpanRecordStatus } from '../model/spanRecord.js';

/** `[seconds, nanoseconds]`, as the OTel API's `HrTime`. */
export type HrTimeLike = readonly [number, number];

/** The members of a ReadableSpan this adapter reads. */
export interface ReadableSpanLike {
  readonly name: string;
  spanContext(): { traceId: string; spanId: string };
  /** SDK 2.x and later. */
  readonly parentSpanContext?: { spanId: string } | undefined;
  /** SDK 1.x. */
  readonly parentSpanId?: string | undefined;
  readonly startTime: HrTimeLike;
  readonly endTime: HrTimeLike;
  readonly status: { code: number };
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly events: readonly {
    name: string;
    time: HrTimeLike;
    attributes?: Readonly<Record<string, unknown>>;
  }[];
  readonly links: readonly {
    context: { traceId: string; spanId: string };
    attributes?: Readonly<Record<string, unknown>>;
  }[];
  readonly resource: { readonly attributes: Readonly<Record<string, unknown>> };
}

/** HrTime → ms since the epoch (fractional, microsecond precision kept). */
export function hrTimeToMs(t: HrTimeLike): number {
  return t[0] * 1000 + t[1] / 1e6;
}

function plain(v: unknown): PlainValue | undefined {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (Array.isArray(v)) return v.map((x) => plain(x) ?? null);
  return undefined;
}

/** Converts OTel API attributes (dropping undefined values; array holes become null). */
export function plainAttributes(a: Readonly<Record<string, unknown>> | undefined): PlainAttributes {
  const out: PlainAttributes = {};
  if (!a) return out;
  for (const [k, v] of Object.entries(a)) {
    const p = plain(v);
    if (p !== undefined) out[k] = p;
  }
  return out;
}

// Every span of a process shares a handful of Resource objects: convert each once.
const resources = new WeakMap<object, PlainAttributes>();

function resourceAttributes(r: ReadableSpanLike['resource']): PlainAttributes {
  let out = resources.get(r);
  if (out === undefined) {
    out = plainAttributes(r.attributes);
    resources.set(r, out);
  }
  return out;
}

function status(code: number): SpanRecordStatus {
  return code === 2 ? 'error' : code === 1 ? 'ok' : 'unset';
}

/** Converts an ended SDK span. */
export function fromReadableSpan(span: ReadableSpanLike): SpanRecord {
  const ctx = span.spanContext();
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? span.parentSpanId ?? '',
    name: span.name,
    startMs: hrTimeToMs(span.startTime),
    endMs: hrTimeToMs(span.endTime),
    status: status(span.status.code),
    resource: resourceAttributes(span.resource),
    attributes: plainAttributes(span.attributes),
    events: span.events.map((e) => ({
      name: e.name,
      timeMs: hrTimeToMs(e.time),
      attributes: plainAttributes(e.attributes),
    })),
    links: span.links.map((l) => ({
      traceId: l.context.traceId,
      spanId: l.context.spanId,
      attributes: plainAttributes(l.attributes),
    })),
  };
}
