/**
 * Limits the decoders apply while reading OTLP protobuf, so that what one request turns into
 * is bounded whatever its shape (one span with a million attributes, an array of a million
 * values). Named after the OpenTelemetry SDK's span limits (`attribute_count_limit`,
 * `event_count_limit`, `link_count_limit`, `event_attribute_count_limit`,
 * `link_attribute_count_limit`), which the Collector also applies; arrays and key-value lists
 * inside one attribute value have no SDK limit, so they get their own. What is dropped is
 * counted, on the item (`dropped_attributes_count`, `dropped_events_count`,
 * `dropped_links_count`) as the SDK does, and in the reader's `dropped` total for self-telemetry.
 */

/** Decoder limits, in items. */
export interface DecodeLimits {
  /** Attributes kept per span, log record, resource, scope and metric point. */
  attributeCount: number;
  /** Events kept per span. */
  eventCount: number;
  /** Links kept per span. */
  linkCount: number;
  /** Attributes kept per span event. */
  eventAttributeCount: number;
  /** Attributes kept per span link. */
  linkAttributeCount: number;
  /** Values kept per array value (`ml.*` summary arrays hold up to features × bins). */
  arrayLength: number;
  /** Entries kept per key-value list value. */
  kvlistLength: number;
}

/**
 * Defaults: far above what mlobs' SDK and the OpenTelemetry SDKs' own defaults (128) emit, so
 * that valid telemetry is never trimmed, yet small enough that no single item explodes.
 */
export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  attributeCount: 1024,
  eventCount: 1024,
  linkCount: 1024,
  eventAttributeCount: 1024,
  linkAttributeCount: 1024,
  arrayLength: 65_536,
  kvlistLength: 1024,
});

/** No limits at all, for decoding our own requests (responses, tests). */
export const NO_DECODE_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  attributeCount: Number.POSITIVE_INFINITY,
  eventCount: Number.POSITIVE_INFINITY,
  linkCount: Number.POSITIVE_INFINITY,
  eventAttributeCount: Number.POSITIVE_INFINITY,
  linkAttributeCount: Number.POSITIVE_INFINITY,
  arrayLength: Number.POSITIVE_INFINITY,
  kvlistLength: Number.POSITIVE_INFINITY,
});
