/**
 * The OTLP codec shared by receivers and exporters: protobuf and OTLP/JSON, both ways, for
 * traces, logs and metrics, over the plain-object model in `src/model/otlp.ts`.
 */

export { decodeLogsJson, encodeLogsJson, logsToJson } from './logsJson.js';
export { decodeLogsProto, encodeLogsProto } from './logsProto.js';
export { decodeMetricsJson, encodeMetricsJson, metricsToJson } from './metricsJson.js';
export { decodeMetricsProto } from './metricsProtoDecode.js';
export { encodeMetricsProto } from './metricsProtoEncode.js';
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
export { decodeTracesJson, encodeTracesJson, tracesToJson } from './traceJson.js';
export { decodeTracesProto, encodeTracesProto } from './traceProto.js';
