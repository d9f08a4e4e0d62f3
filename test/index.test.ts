import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Runs as a user of the built package would: `mlobs` resolves through package.json `exports`
// (self-reference), so this checks the published entry points, not the sources.
async function node(args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(process.execPath, args, {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
    timeout: 20_000,
  });
  return stdout;
}

function probe(extra: string): string {
  return `
const tracer = new BasicTracerProvider().getTracer('probe');
const span = tracer.startSpan('probe');
recordFeatures({ x: [1, 2, 3, null], city: ['a', 'b', 'a', 'a'] }, { span });
const batch = decodeSummaryEvents(span.events.filter((e) => e.name === EVENT_ML_FEATURES));
const ran = component('c', { tracer }, () => 'ran');
console.log(JSON.stringify({ x: batch.features.get('x').count, nulls: batch.features.get('x').nullCount,
  top: batch.features.get('city').top()[0], key: ATTR_ML_COMPONENT_NAME, ran${extra} }));
`;
}

// Modules only the collector needs; an app that records summaries must not load them.
const HEAVY = `, heavy: Object.keys(require.cache).filter((k) => /node_modules[\\\\/](yaml|better-sqlite3|@grpc)[\\\\/]/.test(k))`;

// The newest modification time of any file under `dir`, in ms.
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return t;
}

describe('the built mlobs package', () => {
  before(async () => {
    // `npm ci` builds through `prepare`; rebuild only when a source is newer than the build,
    // so the suite does not compile the package a second time on a clean clone.
    if (existsSync('dist/index.js') && newest('src') <= statSync('dist/index.js').mtimeMs) return;
    try {
      await run('npm', ['run', 'build'], { cwd: process.cwd(), timeout: 180_000 });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      throw new Error(`npm run build failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
  });

  it('works from CommonJS via require("mlobs") without loading the collector stack', async () => {
    const out = await node([
      '-e',
      `const { component, recordFeatures, decodeSummaryEvents, EVENT_ML_FEATURES, ATTR_ML_COMPONENT_NAME } = require('mlobs');
       const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');${probe(HEAVY)}`,
    ]);
    const r = JSON.parse(out);
    assert.deepEqual(r, {
      x: 3,
      nulls: 1,
      top: { value: 'a', count: 3 },
      key: 'ml.component.name',
      ran: 'ran',
      heavy: [],
    });
  });

  it('works from ESM via import ... from "mlobs"', async () => {
    const out = await node([
      '--input-type=module',
      '-e',
      `import { component, recordFeatures, decodeSummaryEvents, EVENT_ML_FEATURES, ATTR_ML_COMPONENT_NAME } from 'mlobs';
       import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';${probe('')}`,
    ]);
    const r = JSON.parse(out);
    assert.deepEqual(r, {
      x: 3,
      nulls: 1,
      top: { value: 'a', count: 3 },
      key: 'ml.component.name',
      ran: 'ran',
    });
  });

  it('loads mlobs/register from both module systems', async () => {
    const env = { OTEL_SDK_DISABLED: 'true' };
    const cjs = await node(['-e', `console.log(typeof require('mlobs/register').shutdown)`], env);
    assert.equal(cjs.trim(), 'function');
    const esm = await node(
      [
        '--input-type=module',
        '-e',
        `import { shutdown } from 'mlobs/register'; console.log(typeof shutdown)`,
      ],
      env,
    );
    assert.equal(esm.trim(), 'function');
  });
});
