/**
 * Real OpenTelemetry SDK data for codec and end-to-end tests: spans with attributes of every
 * type, events, links, status, kinds, parents, a custom resource and scope, and dropped
 * counts forced by span limits; log records; and metrics of every aggregation.
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import {
  AggregationType,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** The resource every fixture uses, so tests can check it arrives. */
export const fixtureResource = resourceFromAttributes({
  'service.name': 'fraud-scoring',
  'deployment.environment': 'test',
  'host.cpu.count': 8,
});

/** Limits small enough that the big span drops attributes, events and links. */
const SPAN_LIMITS = { attributeCountLimit: 12, eventCountLimit: 3, linkCountLimit: 2 };

/** Records spans through `processor` (or an in-memory exporter) and returns the finished ones. */
export async function makeSdkSpans(processor?: SpanProcessor): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const processors: SpanProcessor[] = [new SimpleSpanProcessor(memory)];
  if (processor) processors.push(processor);
  const provider = new BasicTracerProvider({
    resource: fixtureResource,
    spanLimits: SPAN_LIMITS,
    spanProcessors: processors,
  });
  const tracer = provider.getTracer('mlobs-test', '1.2.3', {
    schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
  });
  const root = tracer.startSpan('pipeline.run', {
    kind: SpanKind.SERVER,
    attributes: {
      'ml.str': 'héllo wörld ✓',
      'ml.bool': true,
      'ml.int': 42,
      'ml.neg': -7,
      'ml.big': 2 ** 40,
      'ml.double': 3.25,
      'ml.strs': ['a', 'b', ''],
      'ml.bools': [true, false],
      'ml.ints': [1, 2, 3],
      'ml.doubles': [0.5, 1.5],
    },
  });
  root.addEvent('features.summary', { 'ml.feature.names': ['age', 'income'], 'ml.feature.count': 2 });
  const rootCtx = trace.setSpan(context.active(), root);
  const child = tracer.startSpan(
    'features.transform',
    {
      kind: SpanKind.CLIENT,
      links: [{ context: root.spanContext(), attributes: { 'link.reason': 'reads' } }],
    },
    rootCtx,
  );
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'schema break: column "age" missing' });
  child.end();
  const big = tracer.startSpan('inference', { kind: SpanKind.PRODUCER }, rootCtx);
  for (let i = 0; i < 20; i++) big.setAttribute(`attr.${i}`, i);
  for (let i = 0; i < 6; i++) big.addEvent(`event.${i}`, { i });
  for (let i = 0; i < 4; i++) big.addLink({ context: child.spanContext() });
  big.setStatus({ code: SpanStatusCode.OK });
  big.end();
  const consumer = tracer.startSpan('labels.join', { kind: SpanKind.CONSUMER }, rootCtx);
  consumer.end();
  root.end();
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

/** Records a few log records (string, map and absent bodies, trace context, event names). */
export async function makeSdkLogs(): Promise<ReadableLogRecord[]> {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: fixtureResource,
    processors: [new SimpleLogRecordProcessor({ exporter: memory })],
  });
  const logger = provider.getLogger('mlobs-test-logs', '0.9.0');
  const span = new BasicTracerProvider().getTracer('t').startSpan('s');
  logger.emit({
    severityNumber: SeverityNumber.WARN,
    severityText: 'WARN',
    body: 'drift detected on "income"',
    attributes: { 'ml.feature': 'income', 'ml.score': 0.42, 'ml.flags': [1, 2] },
    context: trace.setSpan(context.active(), span),
  });
  logger.emit({
    severityNumber: SeverityNumber.INFO,
    body: { nested: { k: 1 }, list: ['x', true] },
    eventName: 'ml.reaction',
  });
  logger.emit({ attributes: { only: 'attributes' } });
  span.end();
  await provider.forceFlush();
  const records = memory.getFinishedLogRecords();
  await provider.shutdown();
  return records;
}

class CollectingReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/** Collects one round of metrics: counter, up-down counter, gauge, histograms (explicit and exponential). */
export async function makeSdkMetrics(): Promise<ResourceMetrics> {
  const reader = new CollectingReader();
  const provider = new MeterProvider({
    resource: fixtureResource,
    readers: [reader],
    views: [
      { instrumentName: 'ml.latency.exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } },
    ],
  });
  const meter = provider.getMeter('mlobs-test-metrics', '2.0.0');
  meter.createCounter('ml.rows', { unit: '{row}', description: 'rows seen' }).add(1200, { model: 'fraud' });
  meter.createUpDownCounter('ml.queue').add(-3, { queue: 'labels' });
  meter.createGauge('ml.psi').record(0.125, { feature: 'income' });
  const h = meter.createHistogram('ml.latency', { unit: 'ms' });
  for (const v of [1, 5, 12, 250, 1000]) h.record(v, { stage: 'inference' });
  const e = meter.createHistogram('ml.latency.exp');
  for (const v of [0.001, 0.5, 3, 70]) e.record(v);
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return resourceMetrics;
}
