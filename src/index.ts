/**
 * `mlobs`: record ML component runs and summaries of their data on OpenTelemetry spans.
 * Only the SDK, the summaries API and the semantic-convention constants load from here — no
 * YAML parser, HTTP server or SQLite — so an application that only records stays light.
 */
export * from './sdk/index.js';
export * from './semconv/index.js';
export * from './summaries/index.js';
