/** Factory of the `otlp` receiver (traces, logs and metrics over OTLP/HTTP and OTLP/gRPC). */
import type { ReceiverFactory } from '../../factory.js';
import {
  createDefaultOtlpReceiverConfig,
  decodeLimits,
  type OtlpReceiverConfig,
  resolveOtlpReceiverConfig,
  validateOtlpReceiverConfig,
} from './config.js';
import { OtlpReceiver } from './OtlpReceiver.js';

/** Builds `otlp` receivers. */
export const otlpReceiverFactory: ReceiverFactory<OtlpReceiverConfig> = {
  type: 'otlp',
  signals: ['traces', 'logs', 'metrics'],
  createDefaultConfig: createDefaultOtlpReceiverConfig,
  validate: validateOtlpReceiverConfig,
  // validate ran first, so resolving cannot find problems here.
  createReceiver: (settings, config, next) =>
    new OtlpReceiver(
      settings.id,
      resolveOtlpReceiverConfig(config).value,
      next,
      config.admission,
      decodeLimits(config.limits),
    ),
};
