import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { OtlpReceiver } from '../src/collector/receivers/otlp/OtlpReceiver.js';
import { Capture, startReceiver } from './collector/receivers/otlp/helpers.js';

interface Received {
  path: string;
  body: string;
}

function runScript(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', './src/register.ts', '-e', script],
      { cwd: process.cwd(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill(), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// CommonJS scripts: the package is CommonJS, and require() returns the instance --import loaded.
const RECORD = `
const { component } = require('./src/index.ts');
const { registration } = require('./src/register.ts');
console.log('registered=' + (registration?.sdk !== undefined));
component('register-probe', { kind: 'transform' }, (run) => run.recordFeatures({ x: [1, 2, 3] }));
`;

describe('mlobs/register', () => {
  const received: Received[] = [];
  let server: Server;
  let endpoint = '';

  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('exports component spans over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT and flushes at exit', async () => {
    received.length = 0;
    const out = await runScript(RECORD, {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: 'probe-svc',
    });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /registered=true/);
    const traces = received.filter((r) => r.path === '/v1/traces');
    assert.equal(traces.length, 1, `requests: ${received.map((r) => r.path).join(', ')}`);
    assert.match(traces[0].body, /register-probe/);
    assert.match(traces[0].body, /probe-svc/);
  });

  it('leaves an app that registered its own tracer provider alone', async () => {
    received.length = 0;
    const own = `
const { trace } = require('@opentelemetry/api');
const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');
trace.setGlobalTracerProvider(new BasicTracerProvider());
const { registration } = require('./src/register.ts');
console.log('registered=' + (registration?.sdk !== undefined));
console.log('instrumentations=' + registration?.instrumentations.length);
`;
    // The app's provider is registered before the register module is first evaluated.
    const child = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, ['--import', 'tsx', '-e', own], {
        cwd: process.cwd(),
        env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
      });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d) => (stdout += d));
      c.stderr.on('data', (d) => (stderr += d));
      c.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(child.code, 0, child.stderr);
    assert.match(child.stdout, /registered=false/);
    assert.match(child.stdout, /instrumentations=2/, 'the instrumentations use the app provider');
    assert.equal(received.length, 0);
  });

  it('flushes the spans not yet exported when the app is killed with SIGTERM', async () => {
    received.length = 0;
    // A batch delay of a minute: only the flush on SIGTERM can deliver the span in time.
    const script = `${RECORD}
console.log('ready');
setInterval(() => {}, 1000);
`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', './src/register.ts', '-e', script],
      {
        cwd: process.cwd(),
        env: {
          ...process.env,
          OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
          OTEL_SERVICE_NAME: 'sigterm-svc',
          OTEL_BSP_SCHEDULE_DELAY: '60000',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.on('close', (code, signal) => r({ code, signal })),
    );
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          stdout += d;
          if (stdout.includes('ready')) resolve();
        });
        child.on('close', () => reject(new Error(`exited before it was ready: ${stderr}`)));
      });
      assert.equal(received.length, 0, 'nothing was exported before the signal');
      child.kill('SIGTERM');
      const { signal } = await exited;
      assert.equal(signal, 'SIGTERM', 'the default action of the signal still ends the app');
    } finally {
      clearTimeout(killer);
    }
    const traces = received.filter((r) => r.path === '/v1/traces');
    assert.equal(traces.length, 1, `requests: ${received.map((r) => r.path).join(', ')}; ${stderr}`);
    assert.match(traces[0].body, /register-probe/);
    assert.match(traces[0].body, /sigterm-svc/);
  });

  it('does nothing when OTEL_SDK_DISABLED=true', async () => {
    received.length = 0;
    const out = await runScript(RECORD, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SDK_DISABLED: 'true' });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /registered=false/);
    assert.equal(received.length, 0);
  });
});

describe('mlobs/register over OTLP/gRPC (OTEL_EXPORTER_OTLP_PROTOCOL=grpc)', () => {
  const sink = new Capture();
  let receiver: OtlpReceiver;
  let grpcAddr = '';

  before(async () => {
    const started = await startReceiver(sink);
    receiver = started.receiver;
    grpcAddr = started.grpcAddr;
  });
  after(() => receiver.shutdown());

  const spanNames = (): string[] =>
    sink.traces.flatMap((t) =>
      t.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((sp) => sp.name))),
    );

  // Without in-process analysis the NodeSDK picks the exporter; with it, mlobs/register does.
  for (const analysis of ['', 'inprocess']) {
    it(`delivers component spans to a gRPC receiver${analysis ? ' with MLOBS_ANALYSIS=inprocess' : ''}`, async () => {
      sink.traces.length = 0;
      const out = await runScript(RECORD, {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://${grpcAddr}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_SERVICE_NAME: 'grpc-svc',
        OTEL_LOGS_EXPORTER: 'none',
        OTEL_METRICS_EXPORTER: 'none',
        MLOBS_ANALYSIS: analysis,
      });
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /registered=true/);
      assert.ok(
        spanNames().includes('register-probe'),
        `spans received: ${spanNames().join(', ') || 'none'}`,
      );
      const service = sink.traces
        .flatMap((t) => t.resourceSpans)
        .flatMap((rs) => rs.resource?.attributes ?? [])
        .find((a) => a.key === 'service.name');
      assert.deepEqual(service?.value, { stringValue: 'grpc-svc' });
    });
  }
});
