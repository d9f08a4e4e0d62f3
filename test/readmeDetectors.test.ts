import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DETECTOR_IDS, DETECTOR_SETTINGS } from '../src/analysis/detectors/index.js';

const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
const section = readme.slice(
  readme.indexOf('## Detector settings'),
  readme.indexOf('## Package entry points'),
);
const snake = (k: string) => k.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`);

describe('README detector settings', () => {
  it('documents every setting of every detector, in its YAML spelling', () => {
    for (const id of DETECTOR_IDS) {
      const row = section.split('\n').find((l) => l.startsWith(`| \`${id}\``));
      assert.ok(row, `no row for ${id}`);
      for (const key of DETECTOR_SETTINGS[id]) {
        const yaml = key.endsWith('Ms') ? snake(key.slice(0, -2)) : snake(key);
        assert.ok(row.includes(`\`${yaml}\``), `${id}: ${yaml} undocumented`);
      }
    }
  });
});
