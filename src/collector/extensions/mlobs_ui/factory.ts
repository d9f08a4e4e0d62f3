/** The factory of the `mlobs_ui` extension (the web page and JSON API). */
import type { ExtensionFactory } from '../../factory.js';
import { createDefaultMlobsUiConfig, type MlobsUiConfig, validateMlobsUiConfig } from './config.js';
import { MlobsUiExtension } from './MlobsUiExtension.js';

/** Builds `mlobs_ui` extensions. */
export const mlobsUiExtensionFactory: ExtensionFactory<MlobsUiConfig> = {
  type: 'mlobs_ui',
  createDefaultConfig: createDefaultMlobsUiConfig,
  validate: validateMlobsUiConfig,
  createExtension(settings, config) {
    return new MlobsUiExtension(settings.id, config);
  },
};
