/** `mlobs validate --config <file>`: prints every config problem, or "config is valid". */
import { loadConfig } from '../../collector/index.js';
import type { Command } from '../Command.js';
import { configArgsUsage, parseConfigArgs } from './configArgs.js';

/** Checks a collector config without starting anything; exit 0 when valid, 1 when not, 2 on usage errors. */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a collector config and print every problem with its path',
  usage: [
    'Usage: mlobs validate --config <file>',
    '',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config syntax, printed literally
    'Reads the YAML config, expands ${env:VAR} references, and checks every component',
    'and pipeline. Prints one problem per line as "path: message" and exits 1, or',
    'prints "config is valid" and exits 0.',
    '',
    ...configArgsUsage,
  ].join('\n'),
  async run(args, io) {
    const values = parseConfigArgs(args);
    if (values.help) {
      io.stdout(`${this.usage}\n`);
      return 0;
    }
    if (!values.config) {
      io.stderr(`mlobs validate: --config <file> is required\n\n${this.usage}\n`);
      return 2;
    }
    const result = loadConfig(values.config, { env: io.env });
    if (result.config === undefined) {
      for (const p of result.problems) io.stderr(`${p.path}: ${p.message}\n`);
      return 1;
    }
    io.stdout('config is valid\n');
    return 0;
  },
};
