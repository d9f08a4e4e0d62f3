import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { InMemoryAnalysisStore } from '../../src/analysis/store/InMemoryAnalysisStore.js';
import { ErrorCodes } from '../../src/errors.js';
import type { Reaction } from '../../src/model/reaction.js';
import {
  ATTR_ML_INCIDENT_ID,
  ATTR_ML_REACTION_ACTION,
  ATTR_ML_REACTION_ID,
  ATTR_ML_REACTION_STATUS,
  ATTR_ML_REACTION_TO,
  ATTR_ML_REACTION_UNDO,
  EVENT_ML_REACTION,
} from '../../src/semconv/index.js';
import { MlSpanProcessor } from '../../src/stream/index.js';
import { rng } from '../analysis/fixtures.js';
import {
  checkSwitches,
  FALLBACK,
  FALLBACK_POLICY,
  FAULT,
  MIN,
  PRIMARY,
  runWindow,
} from './fallbackPipeline.js';

/** Runs `windows` windows of the pipeline; returns the models each window used. */
function runPipeline(tracer: Tracer, windows: number, currentModel: () => string): string[] {
  const r = rng(11);
  return Array.from({ length: windows }, (_, w) => runWindow(tracer, w, currentModel, r));
}

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

function setup(options: { dryRun?: boolean } = {}) {
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const logs = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({
    processors: [new SimpleLogRecordProcessor({ exporter: logs })],
  });
  const records: Reaction[] = [];
  const processor = new MlSpanProcessor({
    window: { lengthMs: MIN },
    meter: meterProvider.getMeter('mlobs'),
    tracer: null,
    logger: () => loggerProvider.getLogger('mlobs'),
    onReactionRecord: (r) => records.push(r),
    reactions: {
      ...options,
      policies: [{ ...FALLBACK_POLICY, cooldownMs: 30 * MIN }],
    },
  });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop' }),
    spanProcessors: [processor],
  });
  return {
    processor,
    provider,
    logs,
    loggerProvider,
    records,
    reader,
    tracer: provider.getTracer('pipeline'),
  };
}

describe('reaction policies in-process (MlSpanProcessor)', () => {
  it('switches the pipeline to its fallback model during an incident and back after it, both as ml.reaction records', async () => {
    const { processor, provider, logs, loggerProvider, records, reader, tracer } = setup();
    let model = PRIMARY;
    processor.onReaction('fallback', (r) => {
      model = r.undo ? PRIMARY : r.to!;
    });
    const used = runPipeline(tracer, 20, () => model);
    await provider.forceFlush();
    // Clean before the fault, the fallback from when the incident opens, the primary again
    // once the incident resolves.
    assert.equal(checkSwitches(used), undefined);
    assert.equal(processor.reactions.active().length, 0);

    await loggerProvider.forceFlush();
    const reactionLogs = logs.getFinishedLogRecords().filter((l) => l.eventName === EVENT_ML_REACTION);
    const steps = reactionLogs.map(
      (l) => `${l.attributes[ATTR_ML_REACTION_STATUS]}${l.attributes[ATTR_ML_REACTION_UNDO] ? ':undo' : ''}`,
    );
    assert.deepEqual(steps, ['triggered', 'succeeded', 'triggered:undo', 'succeeded:undo']);
    assert.ok(reactionLogs.every((l) => l.attributes[ATTR_ML_REACTION_ACTION] === 'fallback'));
    assert.equal(new Set(reactionLogs.map((l) => l.attributes[ATTR_ML_REACTION_ID])).size, 1);
    assert.equal(reactionLogs[0]!.attributes[ATTR_ML_REACTION_TO], 'churn-rules-v1');
    assert.ok(typeof reactionLogs[0]!.attributes[ATTR_ML_INCIDENT_ID] === 'string');
    assert.equal(records.length, 4);
    // Counted by action and status for dashboards (the undo steps included).
    const { resourceMetrics } = await reader.collect();
    const counter = resourceMetrics.scopeMetrics
      .flatMap((m) => m.metrics)
      .find((m) => m.descriptor.name === 'mlobs.reactions')!;
    const byStatus = Object.fromEntries(
      counter.dataPoints.map((p) => [
        `${p.attributes[ATTR_ML_REACTION_ACTION]}:${p.attributes[ATTR_ML_REACTION_STATUS]}`,
        p.value,
      ]),
    );
    assert.deepEqual(byStatus, { 'fallback:triggered': 2, 'fallback:succeeded': 2 });
    await provider.shutdown();
  });

  it('records a failed reaction when the handler throws, and the pipeline keeps running', async () => {
    const { processor, provider, records, tracer } = setup();
    processor.onReaction('fallback', () => {
      throw new Error('fallback model not loaded');
    });
    runPipeline(tracer, 20, () => PRIMARY);
    await provider.forceFlush();
    assert.deepEqual(
      records.map((r) => `${r.status}${r.undo ? ':undo' : ''}`),
      ['triggered', 'failed', 'triggered:undo', 'failed:undo'],
    );
    assert.match(records[1]!.reason, /fallback model not loaded/);
    assert.equal(processor.failureCount, 0, 'a handler failure is the reaction failing, not the processor');
    await provider.shutdown();
  });

  it('in dry run never calls the handler and records what it would have done', async () => {
    const { processor, provider, records, tracer } = setup({ dryRun: true });
    let calls = 0;
    processor.onReaction('fallback', () => {
      calls++;
    });
    runPipeline(tracer, 20, () => PRIMARY);
    await provider.forceFlush();
    assert.equal(calls, 0);
    assert.deepEqual(
      records.map((r) => `${r.status}${r.undo ? ':undo' : ''}`),
      ['suppressed', 'suppressed:undo'],
    );
    assert.match(records[0]!.reason, /^dry run: would fallback churn\/score to churn-rules-v1/);
    await provider.shutdown();
  });

  it('after a restart during an incident, a handler registered anew gets the fallback in force, and the undo', async () => {
    const store = new InMemoryAnalysisStore();
    const start = () => {
      const records: Reaction[] = [];
      const processor = new MlSpanProcessor({
        window: { lengthMs: MIN },
        meter: null,
        tracer: null,
        store,
        onReactionRecord: (r) => records.push(r),
        reactions: { policies: [FALLBACK_POLICY] },
      });
      const provider = new NodeTracerProvider({
        resource: resourceFromAttributes({ 'service.name': 'shop' }),
        spanProcessors: [processor],
      });
      return { processor, records, tracer: provider.getTracer('pipeline') };
    };
    const r = rng(11);
    const before = start();
    for (let w = 0; w < FAULT.from + 3; w++) runWindow(before.tracer, w, () => PRIMARY, r);
    assert.deepEqual(
      before.records.map((x) => x.status),
      ['triggered'],
      'the incident is open and the fallback decided when the process dies',
    );
    // The process restarts: its model variable is the primary again.
    const after = start();
    let model = PRIMARY;
    after.processor.onReaction('fallback', (x) => {
      model = x.undo ? PRIMARY : x.to!;
    });
    assert.equal(model, FALLBACK);
    for (let w = FAULT.from + 3; w < 20; w++) runWindow(after.tracer, w, () => model, r);
    assert.equal(model, PRIMARY);
    assert.deepEqual(
      after.records.map((x) => `${x.status}${x.undo ? ':undo' : ''}`),
      ['succeeded', 'triggered:undo', 'succeeded:undo'],
    );
    assert.equal(after.records[0]!.id, before.records[0]!.id);
    // The store kept every record of both processes, in order, next to the incident.
    assert.deepEqual(store.reactions({ incidentId: before.records[0]!.incidentId }), [
      ...before.records,
      ...after.records,
    ]);
  });

  it('refuses invalid policies with a coded error naming the path', () => {
    assert.throws(
      () =>
        new MlSpanProcessor({
          window: { lengthMs: MIN },
          reactions: {
            policies: [{ name: 'x', when: { severity: 'urgent' as 'critical' }, actions: ['alert'] }],
          },
        }),
      (err: Error & { code?: string }) =>
        err.code === ErrorCodes.MLOBS_ERR_REACTIONS_INVALID &&
        /policies::0::when::severity/.test(err.message),
    );
  });
});
