/**
 * The shape of one `mlobs` subcommand. Commands get their I/O and environment passed in
 * (never reach for `process` themselves) so tests can run them in-process.
 */

/** What a command may touch. */
export interface CliIO {
  /** Normal output (results). */
  stdout(text: string): void;
  /** Diagnostics and problems. */
  stderr(text: string): void;
  /** Environment variables for `${env:…}` expansion. */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Resolves when the process is asked to stop (SIGTERM/SIGINT); long-running commands
   * await it. Tests resolve it themselves.
   */
  stopSignal: Promise<string>;
}

/** One subcommand in the table of `src/cli/commands.ts`. */
export interface Command {
  /** The word after `mlobs`. */
  name: string;
  /** One line for `mlobs --help`. */
  summary: string;
  /** Full usage text for `mlobs <name> --help`. */
  usage: string;
  /** Runs the command with the arguments after its name; resolves with the exit code. */
  run(args: string[], io: CliIO): Promise<number>;
}
