import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { WindowReport } from '../../src/analysis/AnalysisListener.js';
import { Analyzer } from '../../src/analysis/Analyzer.js';
import { fromOtlpSpans } from '../../src/analysis/adapters/fromOtlp.js';
import { createDetectors } from '../../src/analysis/detectors/index.js';
import { parseProfile } from '../../src/analysis/profile.js';
import { runCli } from '../../src/cli/runCli.js';
import { decodeTracesJson } from '../../src/collector/otlp/traceJson.js';
import type { Finding } from '../../src/model/finding.js';
import { memoryIO } from '../cli/helpers.js';

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

  it('writes the training CSV that the README tour profiles, and mlobs profile reads it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlobs-training-'));
    try {
      const csv = join(dir, 'train.csv');
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', 'examples/pipeline.ts', '--training-csv', csv],
        { cwd: process.cwd(), timeout: 30_000 },
      );
      assert.match(stdout, /wrote 5000 training rows/);
      const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
      assert.equal(lines[0], 'age,income,plan,feedback');
      assert.equal(lines.length, 5001);
      const out = join(dir, 'profile.json');
      const io = memoryIO();
      assert.equal(
        await runCli(['profile', csv, '--out', out, '--schema', 'feedback:text'], io),
        0,
        io.err.join(''),
      );
      const profile = parseProfile(readFileSync(out, 'utf8'));
      assert.equal(profile.rows, 5000);
      assert.deepEqual([...profile.features].map(([name, f]) => `${name}:${f.kind}`).sort(), [
        'age:numeric',
        'feedback:text',
        'income:numeric',
        'plan:categorical',
      ]);
      // About 3% of ages are missing, as in the pipeline's load step.
      const age = profile.features.get('age');
      assert.ok(age && age.nullCount > 50 && age.nullCount < 300, `age nulls: ${age?.nullCount}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('README tour step 4: a profile made without --stream judges the load step from its first window, with no schema finding on clean data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlobs-tour-'));
    try {
      const csv = join(dir, 'train.csv');
      const out = join(dir, 'profile.json');
      await run(process.execPath, ['--import', 'tsx', 'examples/pipeline.ts', '--training-csv', csv], {
        cwd: process.cwd(),
        timeout: 30_000,
      });
      const io = memoryIO();
      assert.equal(await runCli(['profile', csv, '--out', out, '--schema', 'feedback:text'], io), 0);
      bodies.length = 0;
      await run(process.execPath, ['--import', 'tsx', 'examples/pipeline.ts', '--batches', '2'], {
        cwd: process.cwd(),
        env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
        timeout: 30_000,
      });
      const reports: WindowReport[] = [];
      const findings: Finding[] = [];
      const analyzer = new Analyzer({
        window: { lengthMs: 60_000 },
        detectors: createDetectors(),
        reference: { profiles: [parseProfile(readFileSync(out, 'utf8'))] },
        listener: { onWindow: (r) => reports.push(r), onFinding: (f) => findings.push(f) },
      });
      for (const b of bodies.filter((x) => x.path === '/v1/traces'))
        for (const span of fromOtlpSpans(decodeTracesJson(b.body))) analyzer.ingest(span);
      analyzer.flush();
      const load = reports.filter((r) => r.stream.component === 'load');
      assert.ok(load.length >= 1, 'the load step had a window');
      assert.ok(
        load.every((r) => r.referenceSource === 'profile'),
        'the columns are the load step’s: judged against the profile',
      );
      for (const component of ['featurize', 'predict'])
        assert.ok(
          reports
            .filter((r) => r.stream.component === component)
            .every((r) => r.referenceSource !== 'profile'),
          `${component} records other columns: judged against its own first windows`,
        );
      assert.deepEqual(
        findings.filter((f) => f.detector === 'schema').map((f) => f.message),
        [],
        'clean data gives no schema finding',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
