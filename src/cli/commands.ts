/**
 * The table of `mlobs` subcommands. Adding one is a new file under `commands/` and one
 * line here (`profile` joins this way).
 */
import type { Command } from './Command.js';
import { collectorCommand } from './commands/collector.js';
import { diagnoseCommand, incidentsCommand } from './commands/incidents.js';
import { profileCommand } from './commands/profile.js';
import { validateCommand } from './commands/validate.js';

/** Every subcommand, in the order `mlobs --help` lists them. */
export const commands: readonly Command[] = [
  collectorCommand,
  validateCommand,
  profileCommand,
  incidentsCommand,
  diagnoseCommand,
];
