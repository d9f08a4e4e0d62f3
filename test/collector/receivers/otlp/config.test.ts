import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { Signal } from '../../../../src/collector/component.js';
import { parseConfigText } from '../../../../src/collector/config/loadConfig.js';
import { validateConfig } from '../../../../src/collector/index.js';
import { SIGNAL_CODECS, type SignalCodec } from '../../../../src/collector/otlp/signals.js';
import { encodeTracesProto } from '../../../../src/collector/otlp/traceProto.js';
import {
  defaultGrpcProtocol,
  defaultHttpProtocol,
  type OtlpReceiverConfig,
  resolveOtlpReceiverConfig,
} from '../../../../src/collector/receivers/otlp/config.js';
import { otlpReceiverFactory } from '../../../../src/collector/receivers/otlp/factory.js';
import { exportServiceDefinition } from '../../../../src/collector/receivers/otlp/OtlpGrpcServer.js';
import type { OtlpReceiver } from '../../../../src/collector/receivers/otlp/OtlpReceiver.js';
import type { TracesData } from '../../../../src/model/otlp.js';
import { oneSpanTraces } from '../../helpers.js';
import { Capture, recordingHost } from './helpers.js';

/** Validates a whole collector config whose otlp receiver has `receiverYaml` as its body. */
function validate(receiverYaml: string) {
  const text = `receivers:\n  otlp:\n${receiverYaml}\nexporters:\n  debug: {}\nservice:\n  pipelines:\n    traces: { receivers: [otlp], exporters: [debug] }\n`;
  const parsed = parseConfigText(text, {}, 'test.yaml');
  assert.deepEqual(parsed.problems, []);
  return validateConfig(parsed.tree);
}

function receiverConfig(receiverYaml: string): OtlpReceiverConfig {
  const { config, problems } = validate(receiverYaml);
  assert.deepEqual(problems, []);
  return config?.receivers.otlp?.config as OtlpReceiverConfig;
}

const SPAN: TracesData = oneSpanTraces({ span: { name: 'only grpc', flags: 0 } });

describe('otlp receiver protocols, the OpenTelemetry Collector way', () => {
  it('opens only HTTP when the config lists only http', async () => {
    const config = receiverConfig('    protocols:\n      http: { endpoint: "127.0.0.1:0" }');
    assert.equal(resolveOtlpReceiverConfig(config).value.grpc, undefined);
    const capture = new Capture();
    const receiver = otlpReceiverFactory.createReceiver({ id: 'otlp', pipeline: 'traces' }, config, {
      traces: capture,
    }) as OtlpReceiver;
    await receiver.start(recordingHost());
    try {
      const a = receiver.addresses();
      assert.ok(a.http && a.http.port > 0, 'HTTP listens');
      assert.equal(a.grpc, undefined, 'no gRPC listener');
      const res = await fetch(`http://127.0.0.1:${a.http.port}/v1/traces`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-protobuf' },
        body: Buffer.from(encodeTracesProto(SPAN)),
      });
      assert.equal(res.status, 200);
      assert.equal(capture.traces.length, 1);
    } finally {
      await receiver.shutdown();
    }
  });

  it('turns gRPC on with its defaults for a bare `grpc:` key, and leaves HTTP off', () => {
    const resolved = resolveOtlpReceiverConfig(receiverConfig('    protocols:\n      grpc:')).value;
    assert.deepEqual(resolved, { grpc: defaultGrpcProtocol() });
    const both = resolveOtlpReceiverConfig(
      receiverConfig('    protocols:\n      grpc:\n      http: {}'),
    ).value;
    assert.deepEqual(both, { grpc: defaultGrpcProtocol(), http: defaultHttpProtocol() });
  });

  it('serves gRPC alone when only grpc is listed', async () => {
    const config = receiverConfig('    protocols:\n      grpc: { endpoint: "127.0.0.1:0" }');
    const capture = new Capture();
    const receiver = otlpReceiverFactory.createReceiver({ id: 'otlp', pipeline: 'traces' }, config, {
      traces: capture,
    }) as OtlpReceiver;
    await receiver.start(recordingHost());
    const a = receiver.addresses();
    const Client = grpc.makeGenericClientConstructor(
      exportServiceDefinition(SIGNAL_CODECS.traces as SignalCodec<Signal>),
      'TraceService',
    );
    const client = new Client(
      `127.0.0.1:${a.grpc?.port}`,
      grpc.credentials.createInsecure(),
    ) as unknown as grpc.Client & {
      Export: (req: unknown, cb: (err: grpc.ServiceError | null) => void) => void;
    };
    try {
      assert.equal(a.http, undefined, 'no HTTP listener');
      const err = await new Promise((resolve) => client.Export(SPAN, resolve));
      assert.equal(err, null);
      assert.equal(capture.traces[0]?.resourceSpans[0].scopeSpans[0].spans[0].name, 'only grpc');
    } finally {
      client.close();
      await receiver.shutdown();
    }
  });

  it('names unknown keys, unknown protocols and an empty protocol list by their paths', () => {
    const typo = validate('    protocols:\n      grpc: { endpont: "127.0.0.1:4317" }');
    assert.deepEqual(
      typo.problems.map((p) => `${p.path}: ${p.message.split(' (')[0]}`),
      ['receivers::otlp::protocols::grpc::endpont: unknown key "endpont"'],
    );
    const enabled = validate('    protocols:\n      http: { enabled: true }');
    assert.deepEqual(
      enabled.problems.map((p) => p.path),
      ['receivers::otlp::protocols::http::enabled'],
    );
    const other = validate('    protocols:\n      thrift: {}');
    assert.match(other.problems[0]?.message ?? '', /unknown protocol "thrift"/);
    assert.equal(other.problems[0]?.path, 'receivers::otlp::protocols::thrift');
    const none = validate('    protocols: {}');
    assert.deepEqual(
      none.problems.map((p) => p.path),
      ['receivers::otlp::protocols'],
    );
    const badValue = validate('    protocols:\n      http: { endpoint: "localhost" }');
    assert.deepEqual(
      badValue.problems.map((p) => p.path),
      ['receivers::otlp::protocols::http::endpoint'],
    );
  });
});
