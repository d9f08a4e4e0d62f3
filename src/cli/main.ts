#!/usr/bin/env node
/**
 * The `mlobs` command. This entry point is the only place that reads `process`: argv,
 * env, signals, exit code; everything else takes them as arguments.
 */
import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { runCli } from './runCli.js';

diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);

let signalled = 0;
const stopSignal = new Promise<string>((resolve) => {
  const onSignal = (signal: NodeJS.Signals) => {
    signalled++;
    // A second signal means "stop now": skip the drain.
    if (signalled > 1) process.exit(130);
    resolve(`received ${signal}`);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
});

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stopSignal,
}).then((code) => {
  process.exitCode = code;
  // Signal handlers and any handle a component forgot must not keep a finished command alive.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  setTimeout(() => process.exit(code), 1000).unref();
});
