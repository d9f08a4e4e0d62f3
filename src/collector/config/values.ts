/**
 * Parsers for the value formats the OpenTelemetry Collector's configs use (Go durations,
 * byte sizes, `host:port` endpoints). They return `{ value } | { error }` instead of
 * throwing so that `validate` can collect every problem with its path in one pass.
 */

/** The outcome of parsing one config value: the value, or an error message without the path. */
export type ParseResult<T> = { value: T; error?: undefined } | { error: string; value?: undefined };

/** A parsed `host:port`; an empty host means every interface, as in the Go Collector. */
export interface Endpoint {
  /** Host name or IP address without brackets (`127.0.0.1`, `::1`, `localhost`, or ''). */
  host: string;
  /** TCP port, 0 to 65535 (0 asks the OS for a free port). */
  port: number;
}

const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION_PART = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/**
 * Parses a Go-style duration (`200ms`, `5s`, `1m30s`, `1.5h`) to milliseconds. A bare `0`
 * is allowed (Go allows it too); other bare numbers are refused because their unit is ambiguous.
 */
export function parseDuration(input: unknown): ParseResult<number> {
  if (input === 0 || input === '0') return { value: 0 };
  if (typeof input !== 'string' || input.length === 0) {
    return { error: `must be a duration such as "200ms", "5s" or "1m", got ${show(input)}` };
  }
  let rest = input.trim();
  let sign = 1;
  if (rest.startsWith('-')) {
    sign = -1;
    rest = rest.slice(1);
  } else if (rest.startsWith('+')) {
    rest = rest.slice(1);
  }
  if (rest.length === 0)
    return { error: `must be a duration such as "200ms", "5s" or "1m", got ${show(input)}` };
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < rest.length) {
    const start = DURATION_PART.lastIndex;
    const match = DURATION_PART.exec(rest);
    if (match === null || match.index !== start) {
      return { error: `must be a duration such as "200ms", "5s" or "1m", got ${show(input)}` };
    }
    total += Number(match[1]) * (DURATION_UNITS_MS[match[2] as string] as number);
  }
  return { value: sign * total };
}

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
};

/**
 * Parses a byte size (`20MiB`, `512KB`, `1048576`) to bytes. A bare number is bytes,
 * as the Collector's `max_request_body_size` is; `MiB` is 2^20 and `MB` is 10^6.
 */
export function parseByteSize(input: unknown): ParseResult<number> {
  if (typeof input === 'number') {
    if (Number.isInteger(input) && input >= 0) return { value: input };
    return { error: `must be a whole number of bytes or a size such as "20MiB", got ${show(input)}` };
  }
  if (typeof input !== 'string') {
    return { error: `must be a byte size such as "20MiB" or a number of bytes, got ${show(input)}` };
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(input);
  const unit = match ? BYTE_UNITS[(match[2] as string).toLowerCase() || 'b'] : undefined;
  if (!match || unit === undefined) {
    return { error: `must be a byte size such as "20MiB", "512KB" or a number of bytes, got ${show(input)}` };
  }
  return { value: Math.floor(Number(match[1]) * unit) };
}

/** Parses `host:port`, `[v6addr]:port` or `:port` (every interface). */
export function parseEndpoint(input: unknown): ParseResult<Endpoint> {
  if (typeof input !== 'string' || input.length === 0) {
    return { error: `must be an endpoint "host:port" such as "127.0.0.1:4318", got ${show(input)}` };
  }
  let host: string;
  let portText: string;
  if (input.startsWith('[')) {
    const close = input.indexOf(']');
    if (close < 0 || input[close + 1] !== ':') {
      return { error: `must be "[ipv6]:port", got ${show(input)}` };
    }
    host = input.slice(1, close);
    portText = input.slice(close + 2);
  } else {
    const colon = input.lastIndexOf(':');
    if (colon < 0) return { error: `must include a port ("host:port"), got ${show(input)}` };
    host = input.slice(0, colon);
    portText = input.slice(colon + 1);
    if (host.includes(':')) {
      return { error: `an IPv6 address must be written in brackets ("[::1]:4318"), got ${show(input)}` };
    }
  }
  if (host.includes('/') || /\s/.test(host)) {
    return { error: `must be "host:port" without a scheme or path, got ${show(input)}` };
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    return { error: `port must be a number from 0 to 65535, got ${show(input)}` };
  }
  return { value: { host, port: Number(portText) } };
}

/** Renders a config value for an error message, short and unambiguous. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'object') return Array.isArray(value) ? 'a list' : 'a map';
  return String(value);
}
