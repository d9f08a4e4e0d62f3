import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../src/collector/config/loadConfig.js';
import { defaultConfig } from '../../src/collector/defaults.js';
import { loadConfig, validateConfig } from '../../src/collector/index.js';

const yamlFile = join(process.cwd(), 'collector-config/mlobs.yaml');

describe('default collector config', () => {
  it('collector-config/mlobs.yaml and defaults.ts describe the same config', () => {
    const parsed = parseConfigText(readFileSync(yamlFile, 'utf8'), {}, yamlFile);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.tree, defaultConfig());
  });

  it('is valid against the built-in components', () => {
    assert.deepEqual(validateConfig(defaultConfig()).problems, []);
    assert.deepEqual(loadConfig(yamlFile, { env: {} }).problems, []);
  });

  it('listens on 127.0.0.1 only and writes spans to ./.mlobs/spans.jsonl', () => {
    const { config } = validateConfig(defaultConfig());
    assert.ok(config);
    assert.equal(config.service.telemetry.endpoint.host, '127.0.0.1');
    const otlp = config.receivers.otlp?.config as { protocols: Record<string, { endpoint: string }> };
    assert.deepEqual(
      Object.values(otlp.protocols).map((p) => p.endpoint),
      ['127.0.0.1:4318', '127.0.0.1:4317'],
    );
    assert.deepEqual(config.exporters.file?.config, {
      path: './.mlobs/spans.jsonl',
      rotation: { max_megabytes: 100, max_backups: 5 },
      format: 'json',
      // Issue 12: a restart (or a failed start) must not truncate what the last run wrote.
      append: true,
      follow_symlinks: false,
    });
    assert.deepEqual(
      config.service.pipelines.map((p) => p.id),
      ['traces', 'logs', 'metrics'],
    );
  });

  it('runs the ml analysis before batch in every pipeline, with its state in ./.mlobs/state.db', () => {
    const { config } = validateConfig(defaultConfig());
    assert.ok(config);
    for (const p of config.service.pipelines) assert.deepEqual(p.processors, ['ml', 'batch'], p.id);
    const ml = config.processors.ml?.config as { window: string; storage: { type: string; path: string } };
    assert.equal(ml.window, '5m');
    assert.deepEqual(ml.storage, { type: 'sqlite', path: './.mlobs/state.db', synchronous: 'full' });
  });
});
