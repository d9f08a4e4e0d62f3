/** Test helpers for the OTLP receiver: a recording host, a consumer that can refuse, and a raw HTTP client. */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Host } from '../../../../src/collector/component.js';
import type { DecodeLimits } from '../../../../src/collector/otlp/DecodeLimits.js';
import {
  type AdmissionConfig,
  defaultOtlpReceiverSettings,
  type OtlpReceiverSettings,
} from '../../../../src/collector/receivers/otlp/config.js';
import { OtlpReceiver } from '../../../../src/collector/receivers/otlp/OtlpReceiver.js';
import type { LogsData, MetricsData, TracesData } from '../../../../src/model/otlp.js';
import { RecordingConsumer } from '../../helpers.js';

/** A host whose telemetry sums counters by name. */
export function recordingHost(): Host & { counters: Map<string, number>; fatal: Error[] } {
  const counters = new Map<string, number>();
  const fatal: Error[] = [];
  return {
    counters,
    fatal,
    reportFatalError: (err) => fatal.push(err),
    telemetry: { add: (name, value) => counters.set(name, (counters.get(name) ?? 0) + value) },
  };
}

/** A {@link RecordingConsumer} that can be told to refuse every batch with an error. */
export class Capture extends RecordingConsumer {
  /** When set, every batch is refused with this error and not kept. */
  refuse: Error | undefined;
  /** Keeps a trace batch, or refuses it. */
  override async consumeTraces(d: TracesData): Promise<void> {
    if (this.refuse) throw this.refuse;
    return super.consumeTraces(d);
  }
  /** Keeps a log batch, or refuses it. */
  override async consumeLogs(d: LogsData): Promise<void> {
    if (this.refuse) throw this.refuse;
    return super.consumeLogs(d);
  }
  /** Keeps a metric batch, or refuses it. */
  override async consumeMetrics(d: MetricsData): Promise<void> {
    if (this.refuse) throw this.refuse;
    return super.consumeMetrics(d);
  }
}

/** Starts a receiver on free loopback ports with `edit` applied to the default config. */
export async function startReceiver(
  capture: Capture,
  edit: (c: OtlpReceiverSettings) => void = () => undefined,
  extra: { admission?: AdmissionConfig; limits?: DecodeLimits; host?: ReturnType<typeof recordingHost> } = {},
): Promise<{
  receiver: OtlpReceiver;
  host: ReturnType<typeof recordingHost>;
  httpUrl: string;
  grpcAddr: string;
}> {
  const config = defaultOtlpReceiverSettings();
  config.http!.endpoint = '127.0.0.1:0';
  config.grpc!.endpoint = '127.0.0.1:0';
  edit(config);
  const receiver = new OtlpReceiver(
    'otlp',
    config,
    { traces: capture, logs: capture, metrics: capture },
    extra.admission,
    extra.limits,
  );
  const host = extra.host ?? recordingHost();
  await receiver.start(host);
  const a = receiver.addresses();
  const scheme = config.http?.tls ? 'https' : 'http';
  return {
    receiver,
    host,
    httpUrl: a.http ? `${scheme}://127.0.0.1:${a.http.port}` : '',
    grpcAddr: a.grpc ? `127.0.0.1:${a.grpc.port}` : '',
  };
}

/** Starts a receiver whose HTTP and gRPC servers both present `cert` (from `selfSignedCert`). */
export function startTlsReceiver(capture: Capture, cert: { certFile: string; keyFile: string }) {
  const tls = { cert_file: cert.certFile, key_file: cert.keyFile };
  return startReceiver(capture, (c) => {
    c.http!.tls = tls;
    c.grpc!.tls = tls;
  });
}

/** A raw response. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Sends one request and reads the whole response (no retries, no body rewriting). */
export function request(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: Uint8Array | string;
    ca?: Buffer;
    cert?: Buffer;
    key?: Buffer;
  },
): Promise<RawResponse> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      u,
      {
        method: options.method ?? 'POST',
        headers: options.headers,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
