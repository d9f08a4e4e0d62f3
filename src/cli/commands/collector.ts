/**
 * `mlobs collector [--config <file>]`: runs the collector until SIGTERM or SIGINT, then
 * drains within `service.shutdown_timeout` and exits 0 (1 if draining timed out or a
 * component failed). Without `--config` it runs the built-in default config.
 */
import {
  defaultConfig,
  formatProblems,
  loadConfig,
  MlobsError,
  startCollector,
  validateConfig,
} from '../../collector/index.js';
import type { Command } from '../Command.js';
import { configArgsUsage, parseConfigArgs } from './configArgs.js';

/** Runs the collector in the foreground. */
export const collectorCommand: Command = {
  name: 'collector',
  summary: 'run the collector (OTLP in, processors, exporters) until SIGTERM/SIGINT',
  usage: [
    'Usage: mlobs collector [--config <file>]',
    '',
    "Runs the receivers, processors and exporters of the config's service.pipelines.",
    'Without --config, runs the built-in default (OTLP on 127.0.0.1:4318 and :4317,',
    'batch, debug and ./.mlobs/spans.jsonl). /metrics, /healthz and /readyz are served',
    'on service.telemetry.endpoint (default 127.0.0.1:8888). SIGTERM or SIGINT drains',
    'and stops within service.shutdown_timeout (default 10s).',
    '',
    ...configArgsUsage,
  ].join('\n'),
  async run(args, io) {
    const values = parseConfigArgs(args);
    if (values.help) {
      io.stdout(`${this.usage}\n`);
      return 0;
    }
    const result = values.config
      ? loadConfig(values.config, { env: io.env })
      : validateConfig(defaultConfig());
    if (result.config === undefined) {
      io.stderr(
        `mlobs collector: invalid config${values.config ? ` ${values.config}` : ''}:\n${formatProblems(result.problems)}\n`,
      );
      return 1;
    }
    let fatal: Error | undefined;
    let failed: () => void = () => undefined;
    const fatalSignal = new Promise<string>((resolve) => {
      failed = () => resolve('fatal error');
    });
    const log = (line: string) => io.stderr(`${line}\n`);
    let running: Awaited<ReturnType<typeof startCollector>>;
    try {
      running = await startCollector(result.config, {
        log,
        onFatalError: (err) => {
          fatal ??= err;
          log(`mlobs: fatal component error: ${err.message}`);
          failed();
        },
      });
    } catch (err) {
      const code = err instanceof MlobsError ? ` [${err.code}]` : '';
      io.stderr(`mlobs collector: cannot start${code}: ${(err as Error).message}\n`);
      return 1;
    }
    const reason = await Promise.race([io.stopSignal, fatalSignal]);
    log(`mlobs: ${reason}, draining (up to ${result.config.service.shutdownTimeoutMs} ms)`);
    try {
      await running.shutdown();
    } catch (err) {
      io.stderr(`mlobs collector: ${(err as Error).message}\n`);
      return 1;
    }
    return fatal ? 1 : 0;
  },
};
