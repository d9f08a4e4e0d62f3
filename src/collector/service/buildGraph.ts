/**
 * Builds the component graph from a validated config: one exporter per id (with the
 * union of the signals its pipelines carry), one processor chain per pipeline (built
 * back to front, each with the next stage passed in), and one receiver per id feeding a
 * fan-out over every pipeline that lists it. Nothing is started here.
 */

import { ErrorCodes, MlobsError } from '../../errors.js';
import type { Component, LogsConsumer, MetricsConsumer, Signal, TracesConsumer } from '../component.js';
import type { CollectorConfig, ComponentRegistry } from '../config/types.js';
import type { ExporterFactory, ProcessorFactory, ReceiverFactory } from '../factory.js';
import { FanoutConsumer } from './FanoutConsumer.js';

/** One built component with where it came from, for logs and errors. */
export interface BuiltComponent {
  /** `receivers`, `processors`, `exporters` or `extensions`. */
  kind: 'receivers' | 'processors' | 'exporters' | 'extensions';
  /** Component id, plus `@pipeline` for processors (one instance per pipeline). */
  label: string;
  /** The component. */
  component: Component;
}

/** The built graph, each list in start order (stop order is the reverse of the whole). */
export interface BuiltGraph {
  /** Exporters: started first, stopped last. */
  exporters: BuiltComponent[];
  /**
   * Processors, the deepest stage of every pipeline first: stopping in reverse then stops the
   * first stage of all pipelines before the second, so a processor shared by several pipelines
   * (`ml`) can still hand its last output to the later stages of each of them.
   */
  processors: BuiltComponent[];
  /** Receivers: started last, stopped first. */
  receivers: BuiltComponent[];
}

type AnyConsumer = TracesConsumer & LogsConsumer & MetricsConsumer;

const METHOD: Record<Signal, 'consumeTraces' | 'consumeLogs' | 'consumeMetrics'> = {
  traces: 'consumeTraces',
  logs: 'consumeLogs',
  metrics: 'consumeMetrics',
};

/** Builds every component of the config; throws a coded error if a factory misbehaves. */
export function buildGraph(config: CollectorConfig, registry: ComponentRegistry): BuiltGraph {
  const graph: BuiltGraph = { exporters: [], processors: [], receivers: [] };

  const exporterSignals = new Map<string, Set<Signal>>();
  for (const p of config.service.pipelines) {
    for (const id of p.exporters) {
      const set = exporterSignals.get(id) ?? new Set<Signal>();
      set.add(p.signal);
      exporterSignals.set(id, set);
    }
  }
  const exporters = new Map<string, Component>();
  for (const [id, signals] of exporterSignals) {
    const entry = config.exporters[id];
    // Invariant, not a user error: validateConfig refuses a pipeline that names an unconfigured component.
    if (!entry) throw new Error(`exporter ${id} missing from a validated config`);
    const factory = registry.exporters.get(entry.type) as ExporterFactory<unknown>;
    const exporter = factory.createExporter({ id, pipeline: '' }, entry.config, [...signals]);
    exporters.set(id, exporter);
    graph.exporters.push({ kind: 'exporters', label: id, component: exporter });
  }

  const receiverTargets = new Map<string, Record<Signal, AnyConsumer[]>>();
  const staged: { stage: number; built: BuiltComponent }[] = [];
  for (const p of config.service.pipelines) {
    const outs = p.exporters.map((id) =>
      requireMethod(exporters.get(id) as Component, p.signal, `exporter ${id}`),
    );
    let next: AnyConsumer = fanout(p.signal, outs);
    for (let stage = p.processors.length - 1; stage >= 0; stage--) {
      const id = p.processors[stage] as string;
      const entry = config.processors[id];
      // Invariant, not a user error: validateConfig refuses a pipeline that names an unconfigured component.
      if (!entry) throw new Error(`processor ${id} missing from a validated config`);
      const factory = registry.processors.get(entry.type) as ProcessorFactory<unknown>;
      const processor = factory.createProcessor({ id, pipeline: p.id }, entry.config, p.signal, next);
      staged.push({ stage, built: { kind: 'processors', label: `${id}@${p.id}`, component: processor } });
      next = fanout(p.signal, [requireMethod(processor, p.signal, `processor ${id} in ${p.id}`)]);
    }
    for (const id of p.receivers) {
      const targets = receiverTargets.get(id) ?? { traces: [], logs: [], metrics: [] };
      targets[p.signal].push(next);
      receiverTargets.set(id, targets);
    }
  }

  // Stable sort: within a stage, pipelines keep their config order.
  staged.sort((a, b) => b.stage - a.stage);
  graph.processors.push(...staged.map((x) => x.built));

  for (const [id, targets] of receiverTargets) {
    const entry = config.receivers[id];
    // Invariant, not a user error: validateConfig refuses a pipeline that names an unconfigured component.
    if (!entry) throw new Error(`receiver ${id} missing from a validated config`);
    const factory = registry.receivers.get(entry.type) as ReceiverFactory<unknown>;
    const next: { traces?: TracesConsumer; logs?: LogsConsumer; metrics?: MetricsConsumer } = {};
    if (targets.traces.length > 0) next.traces = new FanoutConsumer(targets.traces, [], []);
    if (targets.logs.length > 0) next.logs = new FanoutConsumer([], targets.logs, []);
    if (targets.metrics.length > 0) next.metrics = new FanoutConsumer([], [], targets.metrics);
    const receiver = factory.createReceiver({ id, pipeline: '' }, entry.config, next);
    graph.receivers.push({ kind: 'receivers', label: id, component: receiver });
  }
  return graph;
}

function fanout(signal: Signal, targets: AnyConsumer[]): AnyConsumer {
  return new FanoutConsumer(
    signal === 'traces' ? targets : [],
    signal === 'logs' ? targets : [],
    signal === 'metrics' ? targets : [],
  );
}

/** Checks at build time that a component can consume the signal, so a broken factory fails before start. */
function requireMethod(component: Component, signal: Signal, what: string): AnyConsumer {
  if (typeof (component as Partial<AnyConsumer>)[METHOD[signal]] !== 'function') {
    throw new MlobsError(
      ErrorCodes.MLOBS_ERR_COMPONENT_START,
      `${what} cannot consume ${signal} (no ${METHOD[signal]})`,
    );
  }
  return component as unknown as AnyConsumer;
}
