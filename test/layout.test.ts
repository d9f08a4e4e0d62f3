/**
 * The layout rules of DESIGN.md that a file move or a new import can break without any other
 * test noticing: one file-naming convention, and which layers may import which.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const src = resolve(process.cwd(), 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The `src/` top-level folder each relative import of `file` lands in. */
function importedLayers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const layers: string[] = [];
  for (const m of text.matchAll(/(?:from|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = relative(src, resolve(file, '..', m[1]!));
    layers.push(target.split('/')[0]!);
  }
  return layers;
}

describe('source layout', () => {
  it('names every file in camelCase or PascalCase (folders may carry a config id)', () => {
    const bad = sources(src)
      .map((f) => relative(src, f))
      .filter((f) => !f.startsWith('semconv/') && /[-_]/.test(basename(f, '.ts')));
    assert.deepEqual(bad, []);
  });

  it('keeps the lower layers free of the collector and the CLI', () => {
    const rules: Record<string, string[]> = {
      summaries: ['collector', 'cli', 'stream', 'analysis', 'sdk', 'signals'],
      model: ['collector', 'cli', 'stream', 'analysis', 'sdk', 'signals'],
      analysis: ['collector', 'cli', 'stream', 'signals'],
      sdk: ['collector', 'cli', 'stream', 'analysis', 'signals'],
      instrumentation: ['collector', 'cli', 'stream', 'analysis', 'signals'],
      signals: ['collector', 'cli', 'stream'],
      stream: ['collector', 'cli'],
    };
    const broken: string[] = [];
    for (const file of sources(src)) {
      const layer = relative(src, file).split('/')[0]!;
      for (const target of importedLayers(file)) {
        if (rules[layer]?.includes(target)) broken.push(`${relative(src, file)} imports ${target}/`);
      }
    }
    assert.deepEqual(broken, []);
  });
});
