import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { DemoResult } from '../../examples/credit/demo.js';
import type { Fault } from '../../examples/credit/pipeline.js';
import { freePort } from '../freePort.js';

/** The stage each fault breaks, and where its first findings show when no root cause is given. */
const EXPECTED: Record<Fault, { rootCause: string; seenAt: string }> = {
  'unit-change': { rootCause: 'load', seenAt: 'load' },
  'null-join': { rootCause: 'join', seenAt: 'join' },
  'category-rename': { rootCause: 'load', seenAt: 'load' },
  // The job stopped, so it has no runs to judge: its readers' staleness is the symptom.
  'stale-table': { rootCause: 'region-stats-etl', seenAt: 'join' },
  'model-swap': { rootCause: 'credit-risk', seenAt: 'credit-risk' },
  // The world changed, not the pipeline: the outcomes recorded by loan-outcomes moved.
  'label-shift': { rootCause: 'loan-outcomes', seenAt: 'credit-risk' },
  latency: { rootCause: 'write', seenAt: 'write' },
  errors: { rootCause: 'credit-risk', seenAt: 'credit-risk' },
};

describe('npm run demo (examples/credit/demo.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlobs-demo-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds an incident for every fault and names the faulty stage', async (t) => {
    const json = join(dir, 'results.json');
    const started = Date.now();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'examples/credit/demo.ts',
        '--fault',
        'all',
        '--endpoint',
        `127.0.0.1:${await freePort()}`,
        '--out',
        dir,
        '--json',
        json,
      ],
      { cwd: process.cwd(), timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
    );
    assert.ok(Date.now() - started < 120_000, 'the demo finishes within two minutes');
    assert.match(stdout, /Started an mlobs collector/);
    assert.match(stdout, /What mlobs found:/);
    const results = JSON.parse(readFileSync(json, 'utf8')) as DemoResult[];
    assert.deepEqual(results.map((r) => r.fault).sort(), Object.keys(EXPECTED).sort());
    const diagnosed = results.some((r) => r.incidents.some((i) => i.rootCause !== undefined));
    const wrong: string[] = [];
    for (const r of results) {
      const expected = EXPECTED[r.fault];
      assert.equal(r.batches, 40, `${r.fault}: every batch ran`);
      const incident = r.incidents[0];
      if (!incident) {
        wrong.push(`${r.fault}: no incident (${r.findings} findings)`);
        continue;
      }
      if (diagnosed) {
        t.diagnostic(`${r.fault}: root cause ${JSON.stringify(incident.rootCause)}`);
        if (incident.rootCause?.component !== expected.rootCause)
          wrong.push(
            `${r.fault}: root cause ${incident.rootCause?.component}, expected ${expected.rootCause} (${incident.title})`,
          );
      } else {
        t.diagnostic(`${r.fault}: no diagnosis yet; components ${incident.components.join(', ')}`);
        if (!incident.components.includes(expected.seenAt))
          wrong.push(`${r.fault}: ${expected.seenAt} not among ${incident.components.join(', ')}`);
      }
    }
    assert.deepEqual(wrong, [], wrong.join('\n'));
  });
});
