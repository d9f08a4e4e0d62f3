import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

describe('examples/pipeline.ts', () => {
  const bodies: { path: string; body: string }[] = [];
  let server: Server;
  let endpoint = '';

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('prints the decoded summaries of every component as a table', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/pipeline.ts'], {
      cwd: process.cwd(),
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' },
      timeout: 30_000,
    });
    assert.match(stdout, /^component\s+event\s+feature\s+kind\s+count\s+nulls/m);
    assert.match(stdout, /^load\s+ml\.features\s+age\s+numeric\s+\d+\s+\d+/m);
    assert.match(stdout, /^featurize\s+ml\.features\s+log_income\s+numeric\s+2000\s+0/m);
    assert.match(stdout, /^predict\s+ml\.predictions\s+class\s+categorical\s+2000\s+0/m);
    assert.match(stdout, /^churn-feedback\s+ml\.labels\s+label\s+categorical\s+2000\s+0/m);
    assert.doesNotMatch(stdout, /exported/);
  });

  it('exports the runs over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    bodies.length = 0;
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'examples/pipeline.ts', '--batches', '2', '--drift'],
      {
        cwd: process.cwd(),
        env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
        timeout: 30_000,
      },
    );
    assert.match(stdout, /batch 2 \(drifted\)/);
    assert.match(stdout, new RegExp(`exported 2 pipeline run\\(s\\) to ${endpoint}`));
    const traces = bodies
      .filter((b) => b.path === '/v1/traces')
      .map((b) => b.body)
      .join('\n');
    assert.match(traces, /churn-gbm/);
    assert.equal((traces.match(/"name":"predict"/g) ?? []).length, 2, 'one predict span per batch');
  });
});
