/** Shared helpers for CLI tests that run a command in-process. */
import type { CliIO } from '../../src/cli/Command.js';

/** An IO that keeps what a command printed, with an empty environment and no stop signal. */
export function memoryIO(): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: {},
    stopSignal: new Promise(() => {}),
  };
}
