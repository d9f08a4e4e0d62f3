/**
 * Fake factories for config and service tests: they record lifecycle calls in a shared
 * journal so tests can assert start and stop order without sockets or timers.
 */
import type {
  Component,
  Host,
  LogsConsumer,
  MetricsConsumer,
  Signal,
  TracesConsumer,
} from '../../src/collector/component.js';
import type { ComponentRegistry } from '../../src/collector/config/types.js';
import { parseEndpoint } from '../../src/collector/config/values.js';
import type { ExporterFactory, ProcessorFactory, ReceiverFactory } from '../../src/collector/factory.js';
import type { LogsData, MetricsData, TracesData } from '../../src/model/otlp.js';
import { RecordingConsumer } from './helpers.js';

/** Everything the fakes did, in order: `start receiver fake`, `stop exporter sink`, … */
export const journal: string[] = [];

/** Receivers built by the fake factory, by id, so a test can push data through them. */
export const fakeReceivers = new Map<string, FakeReceiver>();

/** Start gates by exporter id: a fake exporter's start waits until the test resolves its gate. */
export const startGates = new Map<string, Promise<void>>();

/** Exporters built by the fake factory, by id, so a test can read what arrived. */
export const fakeExporters = new Map<string, FakeExporter>();

/** A receiver that sends whatever the test asks it to. */
export class FakeReceiver implements Component {
  builds = 0;
  host: Host | undefined;
  constructor(
    readonly id: string,
    readonly next: { traces?: TracesConsumer; logs?: LogsConsumer; metrics?: MetricsConsumer },
  ) {}
  async start(host: Host): Promise<void> {
    this.host = host;
    journal.push(`start receiver ${this.id}`);
  }
  async shutdown(): Promise<void> {
    journal.push(`stop receiver ${this.id}`);
  }
}

/** An exporter that keeps what it got; `delayMs` makes shutdown slow, to test draining. */
export class FakeExporter extends RecordingConsumer implements Component {
  constructor(
    readonly id: string,
    readonly signals: readonly Signal[],
    readonly delayMs: number,
    readonly startDelayMs = 0,
    readonly failStart = false,
  ) {
    super();
  }
  async start(): Promise<void> {
    journal.push(`start exporter ${this.id}`);
    await startGates.get(this.id);
    if (this.startDelayMs > 0) await new Promise((r) => setTimeout(r, this.startDelayMs));
    if (this.failStart) throw new Error(`${this.id} cannot open its output`);
  }
  async shutdown(): Promise<void> {
    journal.push(`stop exporter ${this.id}`);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    journal.push(`stopped exporter ${this.id}`);
  }
}

/** A processor that tags the journal and passes data on. */
class TallyProcessor implements Component, TracesConsumer, LogsConsumer, MetricsConsumer {
  constructor(
    readonly label: string,
    readonly next: TracesConsumer & LogsConsumer & MetricsConsumer,
  ) {}
  async start(): Promise<void> {
    journal.push(`start processor ${this.label}`);
  }
  async shutdown(): Promise<void> {
    journal.push(`stop processor ${this.label}`);
  }
  consumeTraces(data: TracesData): Promise<void> {
    journal.push(`through ${this.label}`);
    return this.next.consumeTraces(data);
  }
  consumeLogs(data: LogsData): Promise<void> {
    return this.next.consumeLogs(data);
  }
  consumeMetrics(data: MetricsData): Promise<void> {
    return this.next.consumeMetrics(data);
  }
}

const fakeReceiverFactory: ReceiverFactory<{ endpoint: string }> = {
  type: 'fake',
  signals: ['traces', 'logs', 'metrics'],
  createDefaultConfig: () => ({ endpoint: '127.0.0.1:4318' }),
  validate(config) {
    const r = parseEndpoint(config.endpoint);
    return r.error === undefined ? [] : [{ path: 'endpoint', message: r.error }];
  },
  createReceiver(settings, _config, next) {
    const existing = fakeReceivers.get(settings.id);
    const receiver = new FakeReceiver(settings.id, next);
    receiver.builds = (existing?.builds ?? 0) + 1;
    fakeReceivers.set(settings.id, receiver);
    return receiver;
  },
};

const tallyProcessorFactory: ProcessorFactory<{ limit: number }> = {
  type: 'tally',
  signals: ['traces', 'logs', 'metrics'],
  createDefaultConfig: () => ({ limit: 10 }),
  validate: (config) =>
    typeof config.limit === 'number' && config.limit > 0 ? [] : [{ path: 'limit', message: 'must be > 0' }],
  createProcessor: (settings, _config, _signal, next) =>
    new TallyProcessor(`${settings.id}@${settings.pipeline}`, next),
};

interface SinkConfig {
  label: string;
  delay_ms: number;
  start_delay_ms: number;
  fail_start: boolean;
}

const sinkExporterFactory: ExporterFactory<SinkConfig> = {
  type: 'sink',
  signals: ['traces', 'logs'],
  createDefaultConfig: () => ({ label: '', delay_ms: 0, start_delay_ms: 0, fail_start: false }),
  validate: () => [],
  createExporter(settings, config, signals) {
    const exporter = new FakeExporter(
      settings.id,
      signals,
      config.delay_ms,
      config.start_delay_ms,
      config.fail_start,
    );
    fakeExporters.set(settings.id, exporter);
    return exporter;
  },
};

/** A registry with the fakes: receiver `fake`, processor `tally`, exporter `sink` (traces and logs only). */
export function fakeRegistry(): ComponentRegistry {
  return {
    receivers: new Map([['fake', fakeReceiverFactory]]),
    processors: new Map([['tally', tallyProcessorFactory]]),
    exporters: new Map([['sink', sinkExporterFactory]]),
    extensions: new Map(),
  };
}

/** Clears the journal and the instance maps between tests. */
export function resetFakes(): void {
  journal.length = 0;
  startGates.clear();
  fakeReceivers.clear();
  fakeExporters.clear();
}
