/**
 * Dispatches `mlobs <command> [args]` through the command table. Usage errors exit 2,
 * as most Unix tools do, so scripts can tell them from a failed command (1).
 */
import { MLOBS_VERSION } from '../sdk/version.js';
import type { CliIO, Command } from './Command.js';
import { commands as defaultCommands } from './commands.js';

/** The top-level help text. */
export function mainUsage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: mlobs <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "mlobs <command> --help" for the options of a command, "mlobs --version" for the version.',
  ].join('\n');
}

/** Runs one command line; resolves with the exit code and never throws. */
export async function runCli(
  argv: readonly string[],
  io: CliIO,
  commands: readonly Command[] = defaultCommands,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(`mlobs ${MLOBS_VERSION}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    if (topic) io.stdout(`${topic.usage}\n`);
    else (name === undefined ? io.stderr : io.stdout)(`${mainUsage(commands)}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`mlobs: unknown command "${name}"\n\n${mainUsage(commands)}\n`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    // parseArgs reports unknown or malformed options with this code.
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`mlobs ${command.name}: ${(err as Error).message}\n\n${command.usage}\n`);
      return 2;
    }
    io.stderr(`mlobs ${command.name}: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
