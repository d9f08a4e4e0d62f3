/** The factory of the `batch` processor. */

import { parseDuration } from '../../config/values.js';
import type { ProcessorFactory } from '../../factory.js';
import { BatchProcessor } from './BatchProcessor.js';
import { type BatchConfig, createDefaultBatchConfig, validateBatchConfig } from './config.js';

/** Builds one `batch` processor per pipeline, for any signal. */
export const batchProcessorFactory: ProcessorFactory<BatchConfig> = {
  type: 'batch',
  signals: ['traces', 'logs', 'metrics'],
  createDefaultConfig: createDefaultBatchConfig,
  validate: validateBatchConfig,
  createProcessor(settings, config, signal, next) {
    return new BatchProcessor(
      {
        sendBatchSize: config.send_batch_size,
        sendBatchMaxSize: config.send_batch_max_size,
        timeoutMs: parseDuration(config.timeout).value ?? 0,
      },
      signal,
      next,
      { processor: settings.id, pipeline: settings.pipeline },
    );
  },
};
