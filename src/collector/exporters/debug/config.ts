/** Config of the `debug` exporter, as the OpenTelemetry Collector spells it. */
import type { ConfigProblem } from '../../factory.js';

/** How much the debug exporter prints. */
export type Verbosity = 'basic' | 'normal' | 'detailed';

/** The `exporters::debug` config as written in YAML. */
export interface DebugConfig {
  /** `basic`: one line of counts per batch; `normal`: one line per item; `detailed`: everything. */
  verbosity: Verbosity;
}

const VERBOSITIES: readonly Verbosity[] = ['basic', 'normal', 'detailed'];

/** A fresh default config (`basic`, the Collector's default). */
export function createDefaultDebugConfig(): DebugConfig {
  return { verbosity: 'basic' };
}

/** Every problem with a debug config. */
export function validateDebugConfig(config: DebugConfig): ConfigProblem[] {
  if (VERBOSITIES.includes(config.verbosity)) return [];
  return [
    {
      path: 'verbosity',
      message: `must be one of basic, normal, detailed; got ${JSON.stringify(config.verbosity)}`,
    },
  ];
}
