/**
 * The factory of the `ml` processor. Instances built from the same configured id share one
 * {@link MlCore} (one Analyzer, one state file), the way the OpenTelemetry Collector shares
 * a component across pipelines. The decoded config object identifies the id within one
 * service (each pipeline gets the same object), so two services in one process, as in
 * tests, never share state by accident.
 */
import { ErrorCodes, MlobsError } from '../../../errors.js';
import type { ProcessorFactory } from '../../factory.js';
import {
  createDefaultMlConfig,
  type MlProcessorConfig,
  resolveMlConfig,
  validateMlConfig,
} from './config.js';
import { MlCore } from './MlCore.js';
import { MlProcessor } from './MlProcessor.js';

const cores = new WeakMap<MlProcessorConfig, MlCore>();

/** Builds `ml` processors for traces, logs and metrics pipelines. */
export const mlProcessorFactory: ProcessorFactory<MlProcessorConfig> = {
  type: 'ml',
  signals: ['traces', 'logs', 'metrics'],
  createDefaultConfig: createDefaultMlConfig,
  validate: validateMlConfig,
  createProcessor(settings, config, signal, next) {
    let core = cores.get(config);
    if (core === undefined) {
      const { settings: resolved, problems } = resolveMlConfig(config);
      if (problems.length > 0)
        throw new MlobsError(
          ErrorCodes.MLOBS_ERR_CONFIG_INVALID,
          `processors::${settings.id}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
        );
      const created = new MlCore(settings.id, resolved, () => cores.delete(config));
      cores.set(config, created);
      core = created;
    }
    return new MlProcessor(core, signal, next);
  },
};
