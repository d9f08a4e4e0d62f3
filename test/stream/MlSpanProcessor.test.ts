import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagLogLevel, diag, metrics } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { InMemoryAnalysisStore } from '../../src/analysis/store/InMemoryAnalysisStore.js';
import type { Incident } from '../../src/model/finding.js';
import {
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_FINDING_FEATURE,
  ATTR_ML_FINDING_PIPELINE_RUN_IDS,
  ATTR_ML_FINDING_SOURCE_SERVICE,
  ATTR_ML_INCIDENT_FEATURES,
  ATTR_ML_INCIDENT_STATUS,
  ATTR_ML_PIPELINE_NAME,
  EVENT_ML_FINDING,
  EVENT_ML_INCIDENT,
} from '../../src/semconv/index.js';
import { MlSpanProcessor, type MlSpanProcessorOptions } from '../../src/stream/index.js';
import { BATCHES_PER_WINDOW, MIN, runPipeline, setup, T0 } from './churnPipeline.js';

/** A processor with no detectors and no OTel output, for tests of what it counts and tolerates. */
function bareProcessor(extra: Partial<MlSpanProcessorOptions> = {}): MlSpanProcessor {
  return new MlSpanProcessor({
    window: { lengthMs: MIN },
    detectors: [],
    meter: null,
    tracer: null,
    ...extra,
  });
}

describe('MlSpanProcessor in a Node SDK tracer provider', () => {
  it('turns 30% nulls in one upstream feature into an incident naming it within 2 windows', async () => {
    const { provider, processor, exporter, incidents, tracer } = setup();
    const fault = 12;
    runPipeline(tracer, 16, fault, 7);
    await provider.forceFlush();
    const opened = incidents.filter(([c]) => c === 'opened').map(([, i]) => i);
    assert.equal(opened.length, 1, `incidents: ${JSON.stringify(opened.map((i) => i.title))}`);
    const incident = opened[0]!;
    assert.ok(incident.features.includes('monthly_spend'), `features: ${incident.features}`);
    assert.deepEqual(incident.components, ['featurize']);
    assert.equal(incident.service, 'shop');
    assert.equal(incident.pipeline, 'churn');
    assert.ok(
      incident.openedAtMs <= T0 + (fault + 2) * MIN,
      `opened ${(incident.openedAtMs - T0) / MIN} windows in; fault at ${fault}`,
    );
    // The incident is also an ml.incident span, linked to the traces of the faulty runs.
    const spans = exporter.getFinishedSpans().filter((s) => s.name === EVENT_ML_INCIDENT);
    assert.ok(spans.length >= 1);
    const s = spans[0]!;
    assert.equal(s.attributes[ATTR_ML_INCIDENT_STATUS], 'open');
    assert.ok((s.attributes[ATTR_ML_INCIDENT_FEATURES] as string[]).includes('monthly_spend'));
    const runTraces = new Set(
      exporter
        .getFinishedSpans()
        .filter((x) => x.name === 'featurize')
        .map((x) => x.spanContext().traceId),
    );
    assert.ok(s.links.length > 0 && s.links.every((l) => runTraces.has(l.context.traceId)));
    assert.equal(processor.failureCount, 0);
    await provider.shutdown();
  });

  it('names the pipeline runs and the service it judged on each ml.finding log record', async () => {
    const logs = new InMemoryLogRecordExporter();
    const loggerProvider = new LoggerProvider({
      processors: [new SimpleLogRecordProcessor({ exporter: logs })],
    });
    const processor = new MlSpanProcessor({
      window: { lengthMs: MIN },
      meter: null,
      tracer: null,
      logger: loggerProvider.getLogger('mlobs'),
    });
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop' }),
      spanProcessors: [processor],
    });
    runPipeline(provider.getTracer('pipeline'), 14, 12, 7);
    await provider.forceFlush();
    await loggerProvider.forceFlush();
    const records = logs
      .getFinishedLogRecords()
      .filter(
        (r) => r.eventName === EVENT_ML_FINDING && r.attributes[ATTR_ML_FINDING_FEATURE] === 'monthly_spend',
      );
    assert.ok(records.length > 0, 'no finding on monthly_spend');
    const first = records[0]!;
    // The first finding judges the first faulty window: the runs of pipeline run 12, from service shop.
    assert.deepEqual(first.attributes[ATTR_ML_FINDING_PIPELINE_RUN_IDS], ['run-12']);
    assert.equal(first.attributes[ATTR_ML_FINDING_SOURCE_SERVICE], 'shop');
    await provider.shutdown();
    await loggerProvider.shutdown();
  });

  it('never throws into the application, even when a listener does', async () => {
    const processor = new MlSpanProcessor({
      window: { lengthMs: MIN },
      meter: null,
      listener: {
        onWindow: () => {
          throw new Error('listener bug');
        },
      },
    });
    const provider = new NodeTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('t');
    assert.doesNotThrow(() => runPipeline(tracer, 3, Number.POSITIVE_INFINITY, 1));
    await provider.shutdown();
    assert.ok(processor.failureCount >= 2);
    await processor.shutdown();
  });

  it('warns once when spans arrive after their window closed, and counts every one', async () => {
    const warnings: string[] = [];
    diag.setLogger(
      {
        warn: (m: string) => warnings.push(m),
        error: () => {},
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      DiagLogLevel.WARN,
    );
    try {
      const processor = bareProcessor();
      const provider = new NodeTracerProvider({ spanProcessors: [processor] });
      const tracer = provider.getTracer('t');
      const run = (endMs: number) =>
        tracer
          .startSpan('featurize', {
            startTime: endMs - 1,
            attributes: { [ATTR_ML_PIPELINE_NAME]: 'churn', [ATTR_ML_COMPONENT_NAME]: 'featurize' },
          })
          .end(endMs);
      run(T0 + 2 * MIN);
      run(T0 + 1000);
      run(T0 + 2000);
      assert.equal(processor.analyzer.stats.lateSpans, 2);
      assert.equal(warnings.filter((w) => w.includes('lateSpans')).length, 1);
      await provider.shutdown();
    } finally {
      diag.disable();
    }
  });

  it('resumes from a store after a restart instead of warming up again', async () => {
    const store = new InMemoryAnalysisStore();
    const incidents: Incident[] = [];
    const start = (withStore: boolean) => {
      const processor = new MlSpanProcessor({
        window: { lengthMs: MIN },
        meter: null,
        tracer: null,
        ...(withStore ? { store } : {}),
        listener: { onIncident: (c, i) => c === 'opened' && incidents.push(structuredClone(i)) },
      });
      const provider = new NodeTracerProvider({
        resource: resourceFromAttributes({ 'service.name': 'shop' }),
        spanProcessors: [processor],
      });
      return { processor, provider, tracer: provider.getTracer('pipeline') };
    };
    const fault = 10;
    // Before the "crash": 9 clean windows, warm-up complete. The provider is dropped, not shut down.
    runPipeline(start(true).tracer, 9, fault, 3);
    const resumed = start(true);
    runPipeline(resumed.tracer, 13, fault, 4, 9);
    await resumed.provider.shutdown();
    assert.equal(incidents.length, 1);
    assert.ok(incidents[0]!.features.includes('monthly_spend'));
    assert.ok(incidents[0]!.openedAtMs <= T0 + (fault + 2) * MIN);
    // Without the store the restarted processor is still warming up when the fault starts.
    incidents.length = 0;
    const fresh = start(false);
    runPipeline(fresh.tracer, 13, fault, 4, 9);
    await fresh.provider.shutdown();
    assert.equal(incidents.length, 0);
  });

  it("leaves the app's other spans alone", async () => {
    const processor = bareProcessor();
    const provider = new NodeTracerProvider({ spanProcessors: [processor] });
    provider.getTracer('http').startSpan('GET /').end();
    runPipeline(provider.getTracer('pipeline'), 1, Number.POSITIVE_INFINITY, 1);
    assert.equal(processor.analyzer.stats.spans, BATCHES_PER_WINDOW);
    await provider.shutdown();
  });

  it('forceFlush closes the windows the wall clock says are over, even with no newer span', async () => {
    let now = T0 + 30_000;
    const windows: number[] = [];
    const processor = bareProcessor({
      clock: () => now,
      listener: { onWindow: (w) => windows.push((w.startMs - T0) / MIN) },
    });
    const provider = new NodeTracerProvider({ spanProcessors: [processor] });
    runPipeline(provider.getTracer('pipeline'), 1, Number.POSITIVE_INFINITY, 1);
    await provider.forceFlush();
    assert.deepEqual(windows, [], 'the window is not over yet');
    now = T0 + MIN;
    await provider.forceFlush();
    assert.deepEqual(windows, [0]);
    await provider.shutdown();
  });

  it('drops a span from a producer whose clock runs far ahead, so honest spans are not made late', async () => {
    const now = T0 + 30_000;
    const processor = bareProcessor({
      clock: () => now,
    });
    const provider = new NodeTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('pipeline');
    const attributes = { [ATTR_ML_PIPELINE_NAME]: 'churn', [ATTR_ML_COMPONENT_NAME]: 'featurize' };
    tracer.startSpan('featurize', { startTime: now + 86_400_000 - 1, attributes }).end(now + 86_400_000);
    runPipeline(tracer, 1, Number.POSITIVE_INFINITY, 1);
    assert.equal(processor.analyzer.stats.futureSpans, 1);
    assert.equal(processor.analyzer.stats.lateSpans, 0);
    await provider.shutdown();
  });

  it('records metrics through a global meter provider registered after the processor was built', async () => {
    const processor = new MlSpanProcessor({ window: { lengthMs: MIN }, tracer: null });
    const reader = new (class extends MetricReader {
      protected async onForceFlush(): Promise<void> {}
      protected async onShutdown(): Promise<void> {}
    })();
    const meterProvider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(meterProvider);
    try {
      const provider = new NodeTracerProvider({ spanProcessors: [processor] });
      runPipeline(provider.getTracer('pipeline'), 7, Number.POSITIVE_INFINITY, 2);
      await provider.shutdown();
      const { resourceMetrics } = await reader.collect();
      const names = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name));
      assert.ok(names.includes('mlobs.feature.missing_rate'), `metrics: ${names}`);
      assert.ok(names.includes('mlobs.detector.statistic'), `metrics: ${names}`);
    } finally {
      metrics.disable();
      await meterProvider.shutdown();
    }
  });
});
