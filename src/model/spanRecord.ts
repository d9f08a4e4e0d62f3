/**
 * The analysis core's input: one span, normalized and free of any SDK type, so the
 * in-process processor (OTel JS `ReadableSpan`) and the collector (OTLP) feed the same
 * code. Times are milliseconds since the epoch (fractional), ids lowercase hex.
 */

/** A scalar attribute value; `null` only appears inside arrays (an unset OTLP array slot). */
export type PlainScalar = string | number | boolean | null;

/** A plain attribute value: a scalar, a homogeneous-ish array, or a nested map (OTLP kvlist). */
export type PlainValue = PlainScalar | PlainValue[] | { [key: string]: PlainValue };

/** Attributes keyed by their full name. */
export type PlainAttributes = Record<string, PlainValue>;

/** Span status as the analysis sees it. */
export type SpanRecordStatus = 'unset' | 'ok' | 'error';

/** A span event with plain attributes. */
export interface SpanRecordEvent {
  /** Event name, e.g. `ml.features`. */
  name: string;
  /** When it happened, ms since the epoch. */
  timeMs: number;
  /** Its attributes. */
  attributes: PlainAttributes;
}

/** A span link: a reference to another span, e.g. the run that wrote this run's input. */
export interface SpanRecordLink {
  /** Linked trace, lowercase hex. */
  traceId: string;
  /** Linked span, lowercase hex. */
  spanId: string;
  /** Link attributes. */
  attributes: PlainAttributes;
}

/** A normalized, SDK-free span. */
export interface SpanRecord {
  /** 32 hex digits. */
  traceId: string;
  /** 16 hex digits. */
  spanId: string;
  /** Parent span id, '' for a root span. */
  parentSpanId: string;
  /** Span name. */
  name: string;
  /** Start time, ms since the epoch. */
  startMs: number;
  /** End time, ms since the epoch. */
  endMs: number;
  /** Final status. */
  status: SpanRecordStatus;
  /** Resource attributes (`service.name`, ...). */
  resource: PlainAttributes;
  /** Span attributes. */
  attributes: PlainAttributes;
  /** Span events in recording order. */
  events: SpanRecordEvent[];
  /** Span links. */
  links: SpanRecordLink[];
}
