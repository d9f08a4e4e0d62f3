/**
 * The OTLP codec shared by receivers and exporters: protobuf and OTLP/JSON, both ways, for
 * traces, logs and metrics, over the plain-object model in `src/model/otlp.ts`.
 */

export { decodeLogsJson, encodeLogsJson, logsToJson } from './logs_json.js';
export { decodeLogsProto, encodeLogsProto } from './logs_proto.js';
export { decodeMetricsJson, encodeMetricsJson, metricsToJson } from './metrics_json.js';
export { decodeMetricsProto } from './metrics_proto_decode.js';
export { encodeMetricsProto } from './metrics_proto_encode.js';
export { OtlpDecodeError } from './OtlpDecodeError.js';
export { ProtoReader } from './ProtoReader.js';
export { ProtoWriter } from './ProtoWriter.js';
export {
  decodeExportResponse,
  decodeRpcStatus,
  encodeExportResponse,
  encodeRpcStatus,
  exportResponseFromJson,
  exportResponseJson,
  type PartialSuccess,
  RETRY_INFO_TYPE,
  type RpcStatus,
  rpcStatusJson,
} from './responses.js';
export { SIGNAL_CODECS, type SignalCodec, type SignalData } from './signals.js';
export { decodeTracesJson, encodeTracesJson, tracesToJson } from './trace_json.js';
export { decodeTracesProto, encodeTracesProto } from './trace_proto.js';
