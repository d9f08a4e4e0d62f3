/**
 * `npm run semconv`: validates the registry in semconv/ and regenerates src/semconv/index.ts
 * and semconv/README.md. With `--check`, writes nothing and fails when either is stale.
 * Run from the repository root; exits 1 listing every problem (file, group, attribute).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOutputs, readInputs, staleOutputs } from './lib/build.js';
import { formatProblems } from './lib/validate.js';

const root = process.cwd();
const check = process.argv.includes('--check');
const { outputs, problems } = buildOutputs(readInputs(root));
if (problems.length > 0) {
  console.error(`semconv: ${problems.length} problem(s) in the registry:\n${formatProblems(problems)}`);
  process.exitCode = 1;
} else if (check) {
  const stale = staleOutputs(root, outputs);
  if (stale.length > 0) {
    console.error(`semconv: stale generated file(s): ${stale.join(', ')}; run npm run semconv`);
    process.exitCode = 1;
  } else console.log('semconv: generated files are current');
} else {
  for (const output of outputs) {
    writeFileSync(join(root, output.path), output.text);
    console.log(`semconv: wrote ${output.path}`);
  }
}
