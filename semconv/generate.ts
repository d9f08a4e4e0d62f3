/**
 * `npm run semconv`: validates the registry in semconv/ and regenerates src/semconv/index.ts
 * and semconv/README.md. With `--check`, writes nothing and fails when either is stale.
 * Run from the repository root; exits 1 listing every problem (file, group, attribute).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOutputs, type Inputs, readInputs, staleOutputs } from './lib/build.js';
import { formatProblems } from './lib/validate.js';

function main(root: string, check: boolean): number {
  let inputs: Inputs;
  try {
    inputs = readInputs(root);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(
      `semconv: cannot read the registry under ${root} (run from the repository root): ${reason}`,
    );
    return 1;
  }
  const { outputs, problems } = buildOutputs(inputs);
  if (problems.length > 0) {
    console.error(`semconv: ${problems.length} problem(s) in the registry:\n${formatProblems(problems)}`);
    return 1;
  }
  if (check) {
    const stale = staleOutputs(root, outputs);
    if (stale.length > 0) {
      console.error(`semconv: stale generated file(s): ${stale.join(', ')}; run npm run semconv`);
      return 1;
    }
    console.log('semconv: generated files are current');
    return 0;
  }
  for (const output of outputs) {
    writeFileSync(join(root, output.path), output.text);
    console.log(`semconv: wrote ${output.path}`);
  }
  return 0;
}

process.exitCode = main(process.cwd(), process.argv.includes('--check'));
