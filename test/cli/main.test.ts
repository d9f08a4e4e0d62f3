import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../src/cli/runCli.js';
import { freePort } from '../collector/helpers.js';
import { memoryIO } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'mlobs-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const main = join(process.cwd(), 'src/cli/main.ts');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { cwd: process.cwd() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Waits until `stderr()` matches, polling; bounded. */
async function waitFor(what: () => string, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  const until = Date.now() + ms;
  for (;;) {
    const m = pattern.exec(what());
    if (m) return m;
    if (Date.now() > until) throw new Error(`timed out waiting for ${pattern} in:\n${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Spawning `node --import tsx` costs a second or more each, so the child-process tests run concurrently.
describe('mlobs (child processes)', { concurrency: true }, () => {
  it('prints "config is valid" and exits 0 for a valid config', async () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(
      file,
      'receivers: {otlp: {protocols: {http: }}}\nexporters: {debug: }\nservice: {pipelines: {logs: {receivers: [otlp], exporters: [debug]}}}\n',
    );
    const r = await run(['validate', '--config', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'config is valid\n');
  });

  it('prints every problem on its own line with its path and exits 1', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'receivers: {otlp: {protocols: {http: {endpoint: "localhost"}}}}',
        'processors: {batch: {send_batch_size: 0}}',
        'exporters: {file: {}}',
        'service: {pipelines: {traces: {receivers: [otlp], processors: [batch, memory_limiter], exporters: [file, jaeger]}}}',
      ].join('\n'),
    );
    const r = await run(['validate', '--config', file]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.deepEqual(r.stderr.trimEnd().split('\n'), [
      'receivers::otlp::protocols::http::endpoint: must include a port ("host:port"), got "localhost"',
      'processors::batch::send_batch_size: must be > 0 (a whole number), got 0',
      'exporters::file::path: is required (the JSON-lines file to write)',
      'service::pipelines::traces::processors::1: processor "memory_limiter" is not configured under processors',
      'service::pipelines::traces::exporters::1: exporter "jaeger" is not configured under exporters',
    ]);
  });

  it('serves /healthz and /readyz, moves a span from OTLP/HTTP to the file, and exits 0 on SIGTERM within the bound', async () => {
    const [http, grpc] = [await freePort(), await freePort()];
    const out = join(dir, 'out', 'spans.jsonl');
    const file = join(dir, 'collector.yaml');
    writeFileSync(
      file,
      [
        'receivers:',
        '  otlp:',
        '    protocols:',
        `      http: {endpoint: "127.0.0.1:${http}"}`,
        `      grpc: {endpoint: "127.0.0.1:${grpc}"}`,
        'processors:',
        '  batch: {timeout: 50ms}',
        'exporters:',
        `  file: {path: ${JSON.stringify(out)}}`,
        'service:',
        '  telemetry: {endpoint: "127.0.0.1:0"}',
        '  shutdown_timeout: 3s',
        '  pipelines:',
        '    traces: {receivers: [otlp], processors: [batch], exporters: [file]}',
      ].join('\n'),
    );
    const child: ChildProcess = spawn(process.execPath, [
      '--import',
      'tsx',
      main,
      'collector',
      '--config',
      file,
    ]);
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let failure: unknown;
    try {
      // Generous: starting tsx on a loaded machine can take seconds; the loop is still bounded.
      const m = await waitFor(() => stderr, /telemetry on http:\/\/127\.0\.0\.1:(\d+)/, 30_000);
      await waitFor(() => stderr, /collector ready/, 10_000);
      const base = `http://127.0.0.1:${m[1]}`;
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      assert.equal((await fetch(`${base}/readyz`)).status, 200);

      const body = {
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'scorer' } }] },
            scopeSpans: [
              {
                scope: { name: 'test' },
                spans: [
                  {
                    traceId: '0af7651916cd43dd8448eb211c80319c',
                    spanId: 'b7ad6b7169203331',
                    name: 'predict',
                    kind: 1,
                    startTimeUnixNano: '1764175278000000000',
                    endTimeUnixNano: '1764175278500000000',
                  },
                ],
              },
            ],
          },
        ],
      };
      const res = await fetch(`http://127.0.0.1:${http}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 200);
      await waitFor(() => safeRead(out), /"name":"predict"/, 5000);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /^mlobs_exporter_sent_spans_total\{exporter="file"\} 1$/m);
    } catch (err) {
      failure = err;
    }
    const t0 = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    const took = Date.now() - t0;
    if (failure) throw failure;
    assert.equal(code, 0, stderr);
    assert.ok(took < 3000 + 1500, `exit took ${took} ms`);
    assert.match(stderr, /received SIGTERM, draining/);
    assert.match(stderr, /collector stopped/);
  });

  it('refuses an invalid config before starting anything and exits 1', async () => {
    const file = join(dir, 'invalid.yaml');
    writeFileSync(file, 'receivers: {otlp: }\nservice: {pipelines: {traces: {receivers: [otlp]}}}\n');
    const io = memoryIO();
    assert.equal(await runCli(['collector', '--config', file], io), 1);
    assert.match(
      io.err.join(''),
      /service::pipelines::traces::exporters: a pipeline needs at least one exporter/,
    );
    assert.doesNotMatch(io.err.join(''), /telemetry on/);
  });
});

describe('mlobs command line', () => {
  it('lists the subcommands on --help and exits 0', async () => {
    const io = memoryIO();
    assert.equal(await runCli(['--help'], io), 0);
    assert.match(io.out.join(''), /^ {2}collector {2}run the collector/m);
    assert.match(io.out.join(''), /^ {2}validate {3}check a collector config/m);
  });

  it('shows a command\'s usage for "<command> --help" and "help <command>"', async () => {
    for (const args of [
      ['validate', '--help'],
      ['help', 'validate'],
    ]) {
      const io = memoryIO();
      assert.equal(await runCli(args, io), 0);
      assert.match(io.out.join(''), /^Usage: mlobs validate --config <file>/);
    }
  });

  it('exits 2 with usage for an unknown command, an unknown option or a missing --config', async () => {
    for (const args of [['frobnicate'], ['validate', '--verbose'], ['validate'], []]) {
      const io = memoryIO();
      assert.equal(await runCli(args, io), 2, args.join(' '));
      assert.match(io.err.join(''), /Usage: mlobs/);
    }
  });

  it('runs a command added to the table (room for profile)', async () => {
    const io = memoryIO();
    const profile = {
      name: 'profile',
      summary: 'build a reference profile',
      usage: 'Usage: mlobs profile',
      run: async () => 7,
    };
    assert.equal(await runCli(['profile'], io, [profile]), 7);
  });
});

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

describe('mlobs --version', () => {
  it('prints the package version', async () => {
    const version = (
      JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string }
    ).version;
    for (const arg of ['--version', '-v']) {
      const io = memoryIO();
      assert.equal(await runCli([arg], io), 0);
      assert.equal(io.out.join(''), `mlobs ${version}\n`);
    }
  });
});
