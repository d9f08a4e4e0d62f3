/**
 * One table per signal of everything the OTLP transports need: paths, codecs, item counts.
 * Receivers and exporters look up a signal here once, so neither branches per signal per request.
 */
import type { LogsData, MetricsData, TracesData } from '../../model/otlp.js';
import { countDataPoints, countLogRecords, countSpans } from '../../model/otlp.js';
import type { Signal } from '../component.js';
import type { BufferPool } from '../exporterhelper/BufferPool.js';
import { type EncodedParts, encodeEnvelopesWithinLimit } from '../exporterhelper/encodeWithinLimit.js';
import type { DecodeLimits } from './DecodeLimits.js';
import { decodeLogsJson, encodeLogsJson } from './logsJson.js';
import { decodeLogsProto, encodeLogRecord, encodeLogsProto } from './logsProto.js';
import { decodeMetricsJson, encodeMetricsJson } from './metricsJson.js';
import { decodeMetricsProto } from './metricsProtoDecode.js';
import { encodeMetricsProto } from './metricsProtoEncode.js';
import { decodeTracesJson, encodeTracesJson } from './traceJson.js';
import { decodeTracesProto, encodeSpan, encodeTracesProto } from './traceProto.js';

/** Payload type per signal. */
export interface SignalData {
  traces: TracesData;
  logs: LogsData;
  metrics: MetricsData;
}

/** Codec and routing facts for one OTLP signal. */
export interface SignalCodec<S extends Signal> {
  /** The signal. */
  readonly signal: S;
  /** OTLP/HTTP path (`/v1/traces`). */
  readonly httpPath: string;
  /** Full gRPC method path of the service's Export. */
  readonly grpcPath: string;
  /**
   * Decodes an `Export*ServiceRequest` in protobuf. With `borrowed`, nothing decoded refers to
   * `bytes`, which the caller may then reuse; without, span events may keep views of it.
   * `limits` bounds what each item keeps; `onDropped` hears how many items the limits skipped.
   */
  decodeProto(
    bytes: Uint8Array,
    borrowed?: boolean,
    limits?: Readonly<DecodeLimits>,
    onDropped?: (n: number) => void,
  ): SignalData[S];
  /** Decodes an `Export*ServiceRequest` in OTLP/JSON. */
  decodeJson(text: string): SignalData[S];
  /** Encodes an `Export*ServiceRequest` in protobuf. */
  encodeProto(data: SignalData[S]): Uint8Array;
  /**
   * Encodes protobuf requests of at most `maxBytes` each into buffers from `pool`, in one pass
   * (see `encodeEnvelopesWithinLimit`); absent for metrics, which are cut with `encodeWithinLimit`.
   */
  encodeProtoWithinLimit?(data: SignalData[S], maxBytes: number, pool?: BufferPool): EncodedParts;
  /** Encodes an `Export*ServiceRequest` in OTLP/JSON. */
  encodeJson(data: SignalData[S]): string;
  /** Counts the items (spans, log records, data points). */
  count(data: SignalData[S]): number;
}

/** The codec table, keyed by signal. */
export const SIGNAL_CODECS: { readonly [S in Signal]: SignalCodec<S> } = {
  traces: {
    signal: 'traces',
    httpPath: '/v1/traces',
    grpcPath: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    decodeProto: decodeTracesProto,
    decodeJson: decodeTracesJson,
    encodeProto: (d) => encodeTracesProto(d),
    encodeProtoWithinLimit: (d, maxBytes, pool) =>
      encodeEnvelopesWithinLimit(
        d.resourceSpans,
        (r) => r.scopeSpans,
        (s) => s.spans,
        encodeSpan,
        maxBytes,
        pool,
      ),
    encodeJson: encodeTracesJson,
    count: countSpans,
  },
  logs: {
    signal: 'logs',
    httpPath: '/v1/logs',
    grpcPath: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
    decodeProto: decodeLogsProto,
    decodeJson: decodeLogsJson,
    encodeProto: (d) => encodeLogsProto(d),
    encodeProtoWithinLimit: (d, maxBytes, pool) =>
      encodeEnvelopesWithinLimit(
        d.resourceLogs,
        (r) => r.scopeLogs,
        (s) => s.logRecords,
        encodeLogRecord,
        maxBytes,
        pool,
      ),
    encodeJson: encodeLogsJson,
    count: countLogRecords,
  },
  metrics: {
    signal: 'metrics',
    httpPath: '/v1/metrics',
    grpcPath: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
    decodeProto: decodeMetricsProto,
    decodeJson: decodeMetricsJson,
    encodeProto: (d) => encodeMetricsProto(d),
    encodeJson: encodeMetricsJson,
    count: countDataPoints,
  },
};
