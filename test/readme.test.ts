/**
 * The README's YAML examples are configs a user will paste: each must pass `mlobs validate`
 * as written (the profile it names is written first, as the tour's step 4 does).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../src/cli/runCli.js';
import { memoryIO } from './cli/helpers.js';

const README = readFileSync('README.md', 'utf8');
const yamlBlocks = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);

describe('README YAML examples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlobs-readme-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('has at least one collector config', () => {
    assert.ok(
      yamlBlocks.some((y) => y.includes('pipelines:')),
      'no YAML block with service pipelines',
    );
  });

  it('each passes mlobs validate as written', async () => {
    const csv = join(dir, 'train.csv');
    writeFileSync(
      csv,
      `age,plan\n${Array.from({ length: 50 }, (_, i) => `${20 + i},p${i % 3}`).join('\n')}\n`,
    );
    const profile = join(dir, 'profile.json');
    const made = memoryIO();
    assert.equal(await runCli(['profile', csv, '--out', profile], made), 0, made.err.join(''));
    for (const [i, yaml] of yamlBlocks.entries()) {
      if (!yaml.includes('pipelines:')) continue;
      const file = join(dir, `readme-${i}.yaml`);
      writeFileSync(file, yaml.replaceAll('./profile.json', profile));
      const io = memoryIO();
      assert.equal(
        await runCli(['validate', '--config', file], io),
        0,
        `block ${i}:\n${yaml}\n${io.err.join('')}`,
      );
      assert.match(io.out.join(''), /config is valid/);
    }
  });
});
