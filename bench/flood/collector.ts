/**
 * The collector under flood, run as a child process so its peak RSS and a crash are its own:
 * `otlp` receiver → the processors named in the config → a `count` exporter that counts spans
 * and drops them (so what is measured is the collector's receiving path, not a backend). The
 * config (a collector YAML tree as JSON) comes in argv[2]; the bound HTTP port goes to the
 * parent over IPC, and `{ type: 'stats' }` answers with the spans that arrived.
 */
import type { Component, ExporterFactory } from '../../src/collector/index.js';
import { defaultComponents, startCollector } from '../../src/collector/index.js';
import { countSpans, type TracesData } from '../../src/model/otlp.js';

let arrived = 0;

class CountExporter implements Component {
  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}
  async consumeTraces(data: TracesData): Promise<void> {
    arrived += countSpans(data);
  }
}

const countFactory: ExporterFactory<Record<string, never>> = {
  type: 'count',
  signals: ['traces'],
  createDefaultConfig: () => ({}),
  validate: () => [],
  createExporter: () => new CountExporter(),
};

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}');
  const running = await startCollector(config, {
    components: defaultComponents({ exporters: [countFactory] }),
    log: () => undefined,
  });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stats') process.send?.({ type: 'stats', arrived });
    if (m.type === 'stop')
      running.shutdown().then(
        () => process.send?.({ type: 'stopped', arrived }, () => process.exit(0)),
        () => process.exit(1),
      );
  });
  process.send?.({ type: 'ready' });
}

main().catch((err) => {
  process.stderr.write(`flood collector failed: ${String(err)}\n`);
  process.exit(2);
});
