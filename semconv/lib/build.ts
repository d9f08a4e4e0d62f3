/**
 * The generator as one pure step: registry sources and layout text in, generated files (or
 * every problem) out. The CLI and the staleness test both call it, so they cannot disagree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSources, readSources } from './load.js';
import { LAYOUT_SOURCE, layoutProblem, MD_OUTPUT, renderMarkdown } from './render-md.js';
import { renderTs, TS_OUTPUT } from './render-ts.js';
import type { Problem, SourceFile } from './types.js';
import { validateRegistry } from './validate.js';

/** A file the generator writes: path relative to the repository root, and its full text. */
export interface Output {
  /** Path relative to the repository root. */
  path: string;
  /** The complete file content. */
  text: string;
}

/** What the generator reads, as plain data. */
export interface Inputs {
  /** The registry YAML files. */
  sources: SourceFile[];
  /** The text of `semconv/layout.md`. */
  layout: string;
}

/** Reads the generator's inputs from the repository at `root`. */
export function readInputs(root: string): Inputs {
  return { sources: readSources(root), layout: readFileSync(join(root, LAYOUT_SOURCE), 'utf8') };
}

/** Validates the registry and renders the outputs; no outputs when there is any problem. */
export function buildOutputs(inputs: Inputs): { outputs: Output[]; problems: Problem[] } {
  const parsed = parseSources(inputs.sources);
  const validated = validateRegistry(parsed.files);
  const problems = [...parsed.problems, ...validated.problems];
  const layout = layoutProblem(inputs.layout);
  if (layout) problems.push({ file: LAYOUT_SOURCE, group: '', attribute: '', message: layout });
  if (problems.length > 0 || !validated.registry) return { outputs: [], problems };
  return {
    outputs: [
      { path: TS_OUTPUT, text: renderTs(validated.registry) },
      { path: MD_OUTPUT, text: renderMarkdown(validated.registry, inputs.layout) },
    ],
    problems,
  };
}

/** The outputs whose file at `root` differs from what the generator produces now. */
export function staleOutputs(root: string, outputs: Output[]): string[] {
  return outputs
    .filter((o) => {
      try {
        return readFileSync(join(root, o.path), 'utf8') !== o.text;
      } catch {
        return true;
      }
    })
    .map((o) => o.path);
}
