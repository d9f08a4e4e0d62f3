import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ErrorCodes } from '../../src/errors.js';
import type { Reaction } from '../../src/model/reaction.js';
import { recordFeatures } from '../../src/sdk/index.js';
import {
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_INCIDENT_ID,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_PIPELINE_NAME,
  ATTR_ML_REACTION_ACTION,
  ATTR_ML_REACTION_ID,
  ATTR_ML_REACTION_STATUS,
  ATTR_ML_REACTION_TO,
  ATTR_ML_REACTION_UNDO,
  EVENT_ML_REACTION,
} from '../../src/semconv/index.js';
import { MlSpanProcessor } from '../../src/stream/index.js';
import { normals, rng, withNulls } from '../analysis/fixtures.js';

const MIN = 60_000;
const T0 = Date.UTC(2020, 0, 1);
const BATCHES = 4;
const FAULT = { from: 8, until: 12 };

/**
 * A churn pipeline whose `score` step runs whichever model is current. Its upstream sends
 * 30% nulls in monthly_spend during FAULT; returns the model each window's batches used.
 */
function runPipeline(tracer: Tracer, windows: number, currentModel: () => string): string[] {
  const r = rng(11);
  const used: string[] = [];
  for (let w = 0; w < windows; w++) {
    const models = new Set<string>();
    for (let b = 0; b < BATCHES; b++) {
      const end = T0 + w * MIN + b * (MIN / BATCHES) + 500;
      const model = currentModel();
      models.add(model);
      const span = tracer.startSpan('score', {
        startTime: end - 120,
        attributes: {
          [ATTR_ML_PIPELINE_NAME]: 'churn',
          [ATTR_ML_COMPONENT_NAME]: 'score',
          [ATTR_ML_MODEL_NAME]: 'churn-gbm',
          'app.model.in_use': model,
        },
      });
      const faulty = w >= FAULT.from && w < FAULT.until;
      recordFeatures(
        {
          tenure: normals(100, r, 24, 6),
          monthly_spend: withNulls(normals(100, r, 50, 10), faulty ? 0.3 : 0),
        },
        { span },
      );
      span.end(end);
    }
    used.push([...models].join('+'));
  }
  return used;
}

function setup(options: { dryRun?: boolean } = {}) {
  const logs = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({
    processors: [new SimpleLogRecordProcessor({ exporter: logs })],
  });
  const records: Reaction[] = [];
  const processor = new MlSpanProcessor({
    window: { lengthMs: MIN },
    meter: null,
    tracer: null,
    logger: () => loggerProvider.getLogger('mlobs'),
    onReactionRecord: (r) => records.push(r),
    reactions: {
      ...options,
      policies: [
        {
          name: 'fallback-on-broken-spend',
          when: { feature: 'monthly_spend', severity: 'warning' },
          actions: [{ type: 'fallback', to: 'churn-rules-v1' }],
          cooldownMs: 30 * MIN,
        },
      ],
    },
  });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop' }),
    spanProcessors: [processor],
  });
  return { processor, provider, logs, loggerProvider, records, tracer: provider.getTracer('pipeline') };
}

describe('reaction policies in-process (MlSpanProcessor)', () => {
  it('switches the pipeline to its fallback model during an incident and back after it, both as ml.reaction records', async () => {
    const { processor, provider, logs, loggerProvider, records, tracer } = setup();
    let model = 'churn-gbm';
    processor.onReaction('fallback', (r) => {
      model = r.undo ? 'churn-gbm' : r.to!;
    });
    const used = runPipeline(tracer, 20, () => model);
    await provider.forceFlush();
    // Clean before the fault, the fallback while it lasts (from when the incident opens),
    // the primary again once the incident resolves.
    const firstFallback = used.findIndex((m) => m.includes('churn-rules-v1'));
    const lastFallback = used.map((m) => m.includes('churn-rules-v1')).lastIndexOf(true);
    assert.ok(firstFallback >= FAULT.from && firstFallback <= FAULT.from + 2, `used: ${used.join(' ')}`);
    assert.ok(lastFallback >= FAULT.until && lastFallback < 19, `used: ${used.join(' ')}`);
    assert.ok(used.slice(0, FAULT.from).every((m) => m === 'churn-gbm'));
    assert.equal(used.at(-1), 'churn-gbm');
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
    await provider.shutdown();
  });

  it('records a failed reaction when the handler throws, and the pipeline keeps running', async () => {
    const { processor, provider, records, tracer } = setup();
    processor.onReaction('fallback', () => {
      throw new Error('fallback model not loaded');
    });
    runPipeline(tracer, 20, () => 'churn-gbm');
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
    runPipeline(tracer, 20, () => 'churn-gbm');
    await provider.forceFlush();
    assert.equal(calls, 0);
    assert.deepEqual(
      records.map((r) => `${r.status}${r.undo ? ':undo' : ''}`),
      ['suppressed', 'suppressed:undo'],
    );
    assert.match(records[0]!.reason, /^dry run: would fallback churn\/score to churn-rules-v1/);
    await provider.shutdown();
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
