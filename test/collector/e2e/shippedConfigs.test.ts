/**
 * The two configs the README tells a newcomer to run, as shipped, in a real `mlobs collector`
 * child process (only the ports are moved to free ones): the default config (`npm start`)
 * takes spans from the official OTLP exporter into `./.mlobs/spans.jsonl` and opens its
 * state file; the demo config turns `examples/pipeline.ts --drift-from` into findings that
 * name the drifted features, in `./.mlobs/demo-findings.jsonl`.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { parse, stringify } from 'yaml';
import { freePort } from '../helpers.js';

const repo = process.cwd();
const tsx = pathToFileURL(createRequire(join(repo, 'package.json')).resolve('tsx')).href;
const dirs: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Running {
  dir: string;
  http: number;
  child: ChildProcess;
  stderr: () => string;
  stop: () => Promise<number | null>;
}

/** Starts `mlobs collector` on a copy of `file` whose endpoints are moved to free ports, in a fresh directory. */
async function startShipped(file: string): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'mlobs-shipped-'));
  dirs.push(dir);
  const tree = parse(readFileSync(join(repo, file), 'utf8'));
  const [http, grpc, telemetry] = [await freePort(), await freePort(), await freePort()];
  tree.receivers.otlp.protocols.http.endpoint = `127.0.0.1:${http}`;
  tree.receivers.otlp.protocols.grpc.endpoint = `127.0.0.1:${grpc}`;
  tree.service.telemetry.endpoint = `127.0.0.1:${telemetry}`;
  if (tree.extensions?.mlobs_ui) tree.extensions.mlobs_ui.endpoint = `127.0.0.1:${await freePort()}`;
  writeFileSync(join(dir, 'collector.yaml'), stringify(tree));
  const child = spawn(
    process.execPath,
    ['--import', tsx, join(repo, 'src/cli/main.ts'), 'collector', '--config', 'collector.yaml'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.push(child);
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Up to 60 s: a tsx start takes seconds on a loaded 2-core machine (10 s was not always enough).
  for (let i = 0; i < 1200 && !err.includes('collector ready'); i++) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(err.includes('collector ready'), err);
  return {
    dir,
    http,
    child,
    stderr: () => err,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

function lines(file: string): unknown[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l));
}

describe('shipped collector configs', { concurrency: true }, () => {
  it('default config (npm start): official exporter spans reach ./.mlobs/spans.jsonl; ml keeps ./.mlobs/state.db', async () => {
    const c = await startShipped('collector-config/mlobs.yaml');
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new SimpleSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${c.http}/v1/traces` })),
      ],
    });
    const tracer = provider.getTracer('shipped-config-test');
    const span = tracer.startSpan('featurize', { attributes: { 'ml.component.name': 'featurize', rows: 3 } });
    const { traceId, spanId } = span.spanContext();
    span.end();
    await provider.forceFlush();
    await provider.shutdown();
    // The batch processor waits up to 200 ms; SIGTERM drains it.
    assert.equal(await c.stop(), 0, c.stderr());
    const spans = lines(join(c.dir, '.mlobs/spans.jsonl')).flatMap((r) =>
      (
        r as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] }
      ).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)),
    );
    const got = spans.find((s) => s.spanId === spanId);
    assert.ok(got, JSON.stringify(spans));
    assert.equal(got.traceId, traceId);
    assert.equal(got.name, 'featurize');
    assert.deepEqual(got.attributes, [
      { key: 'ml.component.name', value: { stringValue: 'featurize' } },
      { key: 'rows', value: { intValue: '3' } },
    ]);
    assert.ok(existsSync(join(c.dir, '.mlobs/state.db')), 'the ml processor opened its state file');
  });

  it('demo config: the example pipeline drifting from its 6th run gives findings naming the drifted features', async () => {
    const c = await startShipped('collector-config/demo.yaml');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        tsx,
        'examples/pipeline.ts',
        '--batches',
        '8',
        '--interval',
        '2000',
        '--drift-from',
        '6',
        '--quiet',
      ],
      {
        cwd: repo,
        env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${c.http}` },
        timeout: 60_000,
      },
    );
    // Storage is memory: shutdown reports the windows still open instead of losing them.
    assert.equal(await c.stop(), 0, c.stderr());
    assert.doesNotMatch(c.stderr(), /failed/);
    const findings = lines(join(c.dir, '.mlobs/demo-findings.jsonl')).flatMap((r) =>
      (
        r as {
          resourceLogs: {
            scopeLogs: {
              logRecords: { eventName: string; attributes: { key: string; value: object }[] }[];
            }[];
          }[];
        }
      ).resourceLogs
        .flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords))
        // The file also holds the ml.incident records of the incident's state changes.
        .filter((rec) => rec.eventName === 'ml.finding')
        .map((rec) => Object.fromEntries(rec.attributes.map((a) => [a.key, Object.values(a.value)[0]]))),
    );
    // One finding per feature and detector; `ml.finding.statistics` lists every statistic that fired.
    const seen = new Set(findings.map((f) => `${f['ml.finding.detector']} ${f['ml.finding.feature']}`));
    for (const expected of ['missing_rate income', 'numeric_drift age', 'prediction_drift class'])
      assert.ok(seen.has(expected), `${expected} not in ${[...seen].join('; ')}`);
    const age = findings.find(
      (f) => f['ml.finding.detector'] === 'numeric_drift' && f['ml.finding.feature'] === 'age',
    );
    const fired = JSON.stringify(age?.['ml.finding.statistics']);
    assert.match(fired, /"ks [\d.]+ > /, fired);
    // Nothing before the drift: each run ends in its own 2 s window, so every finding's window
    // starts after the 5th (last clean) run was done.
    const clean = /^batch 5: \d+ spans at (\S+)$/m.exec(stdout);
    assert.ok(clean, stdout);
    const cleanDone = Date.parse(clean[1] as string);
    for (const f of findings)
      assert.ok(Date.parse(f['ml.finding.window.start'] as string) > cleanDone, JSON.stringify(f));
    // Findings in 2 of 3 windows open an incident: an ml.incident span linked to the runs' traces.
    type OtlpSpan = {
      name: string;
      traceId: string;
      spanId: string;
      links: { traceId: string; spanId: string }[];
      attributes: { key: string; value: object }[];
    };
    const spans = lines(join(c.dir, '.mlobs/demo-spans.jsonl')).flatMap((r) =>
      (r as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans.flatMap((rs) =>
        rs.scopeSpans.flatMap((ss) => ss.spans),
      ),
    );
    const incidents = spans.filter((sp) => sp.name === 'ml.incident');
    assert.ok(incidents.length > 0, 'no ml.incident span');
    const last = incidents[incidents.length - 1] as OtlpSpan;
    assert.ok(last.links.length > 0);
    const attr = (key: string) => Object.values(last.attributes.find((a) => a.key === key)?.value ?? {})[0];
    assert.match(String(attr('ml.incident.title')), /income/);
    // The example's fault starts in `load` (the source): diagnosed as the root cause, upstream of
    // featurize and predict, and the incident's first link leads to a run of it.
    assert.equal(attr('ml.incident.root_cause.component'), 'load', JSON.stringify(last.attributes));
    assert.equal(attr('ml.incident.root_cause.kind'), 'data');
    const loadRuns = new Set(
      spans.filter((sp) => sp.name === 'load').map((sp) => `${sp.traceId}/${sp.spanId}`),
    );
    assert.ok(
      loadRuns.has(`${last.links[0]!.traceId}/${last.links[0]!.spanId}`),
      JSON.stringify(last.links[0]),
    );
  });
});
