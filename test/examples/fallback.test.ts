/**
 * The fallback example as a reader runs it: a collector on `examples/fallback/collector.yaml`
 * (windows halved to 1 s, its addresses moved by the config's own variables) and
 * `examples/fallback/pipeline.ts` as a child process (a batch every 250 ms, so still four per
 * window). The pipeline must score with its own model until the broken feed opens an
 * incident, with the rules fallback during it, and with its own model again after it
 * resolves; the collector's logs must hold the `ml.reaction` records of both switches, each
 * with the outcome the pipeline reported.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { runCli } from '../../src/cli/runCli.js';
import { loadConfig, startCollector } from '../../src/collector/index.js';
import { decodeLogsJson } from '../../src/collector/otlp/index.js';
import type { LogRecord } from '../../src/model/otlp.js';
import {
  ATTR_ML_REACTION_ID,
  ATTR_ML_REACTION_STATUS,
  ATTR_ML_REACTION_TO,
  ATTR_ML_REACTION_UNDO,
  EVENT_ML_REACTION,
} from '../../src/semconv/index.js';
import { memoryIO } from '../cli/helpers.js';
import { freePort } from '../collector/helpers.js';

const repo = process.cwd();
const tsx = pathToFileURL(createRequire(join(repo, 'package.json')).resolve('tsx')).href;
const example = join(repo, 'examples/fallback');
const dir = mkdtempSync(join(tmpdir(), 'mlobs-fallback-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function attr(r: LogRecord, key: string): string | boolean | undefined {
  const v = r.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? v?.boolValue;
}

describe('examples/fallback', () => {
  it('its collector config passes mlobs validate as shipped', async () => {
    const io = memoryIO();
    assert.equal(
      await runCli(['validate', '--config', join(example, 'collector.yaml')], io),
      0,
      io.err.join(''),
    );
  });

  it('switches to the rules model during the incident and back after it, both switches as ml.reaction records', async (t) => {
    const tree = parse(readFileSync(join(example, 'collector.yaml'), 'utf8'));
    Object.assign(tree.processors.ml, { window: '1s', lateness: '500ms', idle_close: '2s' });
    writeFileSync(join(dir, 'collector.yaml'), stringify(tree));
    const [otlp, reactions] = [await freePort(), await freePort()];
    const loaded = loadConfig(join(dir, 'collector.yaml'), {
      env: {
        MLOBS_OTLP_HTTP_ENDPOINT: `127.0.0.1:${otlp}`,
        MLOBS_REACTIONS_ENDPOINT: `127.0.0.1:${reactions}`,
        MLOBS_EXAMPLE_DIR: dir,
      },
    });
    assert.deepEqual(loaded.problems, []);
    const collector = await startCollector(loaded.config, { log: () => undefined });
    let stdout: string;
    try {
      ({ stdout } = await promisify(execFile)(
        process.execPath,
        // 8 clean batches more than the reader's default, for a machine busy with other tests.
        ['--import', tsx, join(example, 'pipeline.ts'), '--interval', '250', '--batches', '64'],
        {
          cwd: repo,
          env: {
            ...process.env,
            OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlp}`,
            MLOBS_REACTIONS_URL: `http://127.0.0.1:${reactions}`,
          },
          timeout: 90_000,
        },
      ));
    } finally {
      await collector.shutdown();
    }

    // The models the batches used: own model, the fallback from soon after the feed broke
    // (batch 17) until after it was fixed (batch 32), then the own model again.
    const used = [...stdout.matchAll(/^batch (\d+): scored with (\S+)/gm)].map((m) => m[2]);
    assert.equal(used.length, 64, stdout);
    const first = used.indexOf('churn-rules-v1') + 1;
    const last = used.lastIndexOf('churn-rules-v1') + 1;
    t.diagnostic(`fell back at batch ${first}, returned after batch ${last}`);
    assert.ok(first > 17 && first <= 17 + 16, `fell back at batch ${first}\n${stdout}`);
    assert.ok(last >= 32 && last < 64, `returned after batch ${last}\n${stdout}`);
    assert.ok(
      used.every((m, k) => (k + 1 >= first && k + 1 <= last ? m === 'churn-rules-v1' : m === 'churn-gbm')),
      stdout,
    );
    assert.deepEqual(
      [...stdout.matchAll(/^switch: (\S+) → (\S+)/gm)].map((m) => `${m[1]}→${m[2]}`),
      ['churn-gbm→churn-rules-v1', 'churn-rules-v1→churn-gbm'],
    );

    const records: LogRecord[] = [];
    for (const line of readFileSync(join(dir, 'fallback-logs.jsonl'), 'utf8').split('\n')) {
      if (!line.includes('resourceLogs')) continue;
      for (const rl of decodeLogsJson(line).resourceLogs)
        for (const sl of rl.scopeLogs)
          for (const x of sl.logRecords) if (x.eventName === EVENT_ML_REACTION) records.push(x);
    }
    assert.deepEqual(
      records.map(
        (x) => `${attr(x, ATTR_ML_REACTION_STATUS)}${attr(x, ATTR_ML_REACTION_UNDO) ? ':undo' : ''}`,
      ),
      ['triggered', 'succeeded', 'triggered:undo', 'succeeded:undo'],
    );
    assert.equal(new Set(records.map((x) => attr(x, ATTR_ML_REACTION_ID))).size, 1);
    assert.equal(attr(records[0]!, ATTR_ML_REACTION_TO), 'churn-rules-v1');
  });
});
