/**
 * The `--config <file>` and `--help` options that every command reading a collector
 * config takes: one spec and one help text, so `mlobs collector` and `mlobs validate`
 * cannot drift apart in what they accept or how they describe it.
 */
import { parseArgs } from 'node:util';

/** The `Options:` block of the usage text of a config-reading command. */
export const configArgsUsage: readonly string[] = [
  'Options:',
  '  -c, --config <file>  the collector config (YAML)',
  '  -h, --help           show this help',
];

/** What a config-reading command was given on its command line. */
export interface ConfigArgs {
  /** Path of the YAML config, when `--config` was given. */
  config: string | undefined;
  /** True when `--help` was given: the command prints its usage and exits 0. */
  help: boolean;
}

/**
 * Parses `[-c|--config <file>] [-h|--help]`; anything else throws parseArgs' own error,
 * which `runCli` reports with the command's usage and exit code 2.
 */
export function parseConfigArgs(args: string[]): ConfigArgs {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  });
  return { config: values.config, help: values.help === true };
}
