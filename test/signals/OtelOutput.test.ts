import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { type DataPoint, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { WindowReport } from '../../src/analysis/AnalysisListener.js';
import type { Finding, Incident } from '../../src/model/finding.js';
import {
  ATTR_ML_FINDING_FEATURE,
  ATTR_ML_FINDING_STATISTIC,
  ATTR_ML_INCIDENT_CHANGE,
  ATTR_ML_INCIDENT_SEVERITY,
  ATTR_ML_INCIDENT_STATUS,
  ATTR_ML_PREDICTION_CLASS,
  ATTR_ML_REACTION_ACTION,
  ATTR_ML_REACTION_STATUS,
  EVENT_ML_FINDING,
  EVENT_ML_INCIDENT,
} from '../../src/semconv/index.js';
import { OtelOutput } from '../../src/signals/OtelOutput.js';

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const stream = { service: 'shop', pipeline: 'churn', component: 'featurize', model: '' };
const T0 = Date.UTC(2026, 0, 1);
const finding: Finding = {
  id: 'f1',
  detector: 'numeric_drift',
  stream,
  feature: 'tenure',
  statistic: 'ks',
  value: 0.4,
  threshold: 0.1,
  effectSize: 0.4,
  severity: 'warning',
  windowStartMs: T0,
  windowEndMs: T0 + 60_000,
  referenceCount: 100,
  currentCount: 100,
  exemplarTraceIds: ['1'.repeat(32)],
  message: 'tenure moved',
  details: { exemplarSpanIds: ['2'.repeat(16)] },
};
const incident: Incident = {
  id: 'i1',
  status: 'open',
  title: 't',
  severity: 'warning',
  service: 'shop',
  pipeline: 'churn',
  openedAtMs: T0 + 60_000,
  lastFindingAtMs: T0 + 60_000,
  components: ['featurize'],
  features: ['tenure'],
  findings: [finding],
  findingCount: 1,
  causes: [],
};

async function metricPoints(reader: TestReader): Promise<Map<string, DataPoint<unknown>[]>> {
  const { resourceMetrics } = await reader.collect();
  const out = new Map<string, DataPoint<unknown>[]>();
  for (const sm of resourceMetrics.scopeMetrics)
    for (const m of sm.metrics) out.set(m.descriptor.name, m.dataPoints as DataPoint<unknown>[]);
  return out;
}

function report0(): WindowReport {
  return {
    stream,
    startMs: T0,
    endMs: T0 + 60_000,
    runs: 1,
    rows: 1,
    referenceSource: 'warmup',
    candidates: [],
    missingRates: new Map(),
    findings: [],
  };
}

describe('OtelOutput', () => {
  it('records statistic, threshold, missing rate, findings and open incidents as metrics', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const out = new OtelOutput({ meter: meterProvider.getMeter('mlobs') });
    const report: WindowReport = {
      stream,
      startMs: T0,
      endMs: T0 + 60_000,
      runs: 4,
      rows: 800,
      referenceSource: 'warmup',
      candidates: [
        {
          detector: 'numeric_drift',
          adjustedPValue: 0.001,
          anomalous: true,
          candidate: { ...finding, anomalous: true },
        },
      ],
      missingRates: new Map([['tenure', 0.25]]),
      findings: [finding],
    };
    out.onWindow(report);
    out.onFinding(finding);
    out.onIncident('opened', incident);
    const points = await metricPoints(reader);
    const stat = points.get('mlobs.detector.statistic')!;
    assert.equal(stat[0]!.value, 0.4);
    assert.equal(stat[0]!.attributes[ATTR_ML_FINDING_FEATURE], 'tenure');
    assert.equal(stat[0]!.attributes[ATTR_ML_FINDING_STATISTIC], 'ks');
    assert.equal(points.get('mlobs.detector.threshold')![0]!.value, 0.1);
    assert.equal(points.get('mlobs.feature.missing_rate')![0]!.value, 0.25);
    assert.equal(points.get('mlobs.findings')![0]!.value, 1);
    assert.equal(points.get('mlobs.incidents.open')![0]!.value, 1);
    out.onIncident('resolved', { ...incident, status: 'resolved', resolvedAtMs: T0 + 240_000 });
    assert.equal((await metricPoints(reader)).get('mlobs.incidents.open')![0]!.value, 0);
    await meterProvider.shutdown();
  });

  it('records the prediction mix, performance, windows judged, open incidents by severity and reactions', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const out = new OtelOutput({ meter: meterProvider.getMeter('mlobs') });
    out.onWindow({
      stream,
      startMs: T0,
      endMs: T0 + 60_000,
      runs: 2,
      rows: 10,
      referenceSource: 'warmup',
      candidates: [
        {
          detector: 'performance',
          adjustedPValue: 0.5,
          anomalous: false,
          candidate: { ...finding, statistic: 'accuracy', value: 0.83, anomalous: false },
        },
      ],
      missingRates: new Map(),
      predictionShares: new Map([
        [
          'class',
          new Map([
            ['churn', 0.7],
            ['stay', 0.3],
          ]),
        ],
      ]),
      predictionMeans: new Map([['score', 0.42]]),
      findings: [],
    });
    // A window while the reference is still being gathered is not counted as judged.
    out.onWindow({ ...report0(), referenceSource: undefined });
    out.onIncident('opened', incident);
    out.onIncident('updated', { ...incident, severity: 'critical' });
    out.onReaction('fallback', 'succeeded');
    const points = await metricPoints(reader);
    const share = new Map(
      points.get('mlobs.prediction.share')!.map((p) => [p.attributes[ATTR_ML_PREDICTION_CLASS], p.value]),
    );
    assert.deepEqual([...share].sort(), [
      ['churn', 0.7],
      ['stay', 0.3],
    ]);
    assert.equal(points.get('mlobs.prediction.mean')![0]!.value, 0.42);
    const perf = points.get('mlobs.model.performance')![0]!;
    assert.equal(perf.value, 0.83);
    assert.equal(perf.attributes[ATTR_ML_FINDING_STATISTIC], 'accuracy');
    assert.equal(points.get('mlobs.windows.judged')![0]!.value, 1);
    // The incident moved from warning to critical: one open incident, counted as critical.
    const open = new Map(
      points.get('mlobs.incidents.open')!.map((p) => [p.attributes[ATTR_ML_INCIDENT_SEVERITY], p.value]),
    );
    assert.equal(open.get('critical'), 1);
    assert.equal(open.get('warning'), 0);
    const reaction = points.get('mlobs.reactions')![0]!;
    assert.equal(reaction.value, 1);
    assert.equal(reaction.attributes[ATTR_ML_REACTION_ACTION], 'fallback');
    assert.equal(reaction.attributes[ATTR_ML_REACTION_STATUS], 'succeeded');
    await meterProvider.shutdown();
  });

  it('emits each incident state change as an ml.incident log record', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    const out = new OtelOutput({ logger: loggerProvider.getLogger('mlobs') });
    out.onIncident('opened', incident);
    out.onIncident('resolved', { ...incident, status: 'resolved', resolvedAtMs: T0 + 240_000 });
    await loggerProvider.forceFlush();
    const records = exporter.getFinishedLogRecords();
    assert.deepEqual(
      records.map((r) => [
        r.eventName,
        r.attributes[ATTR_ML_INCIDENT_CHANGE],
        r.attributes[ATTR_ML_INCIDENT_STATUS],
      ]),
      [
        [EVENT_ML_INCIDENT, 'opened', 'open'],
        [EVENT_ML_INCIDENT, 'resolved', 'resolved'],
      ],
    );
    assert.equal(records[0]!.severityText, 'WARNING');
    assert.equal(records[1]!.hrTime[0], (T0 + 240_000) / 1000);
    await loggerProvider.shutdown();
  });

  it('emits each finding as an ml.finding log record', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    // A function, as for a logger provider registered after the processor was built.
    const out = new OtelOutput({ logger: () => loggerProvider.getLogger('mlobs') });
    out.onFinding(finding);
    await loggerProvider.forceFlush();
    const [r] = exporter.getFinishedLogRecords();
    assert.ok(r);
    assert.equal(r.eventName, EVENT_ML_FINDING);
    assert.equal(r.body, 'tenure moved');
    assert.equal(r.severityText, 'WARNING');
    assert.equal(r.attributes[ATTR_ML_FINDING_FEATURE], 'tenure');
    await loggerProvider.shutdown();
  });

  it('puts the opened and the resolved incident span in one trace', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const out = new OtelOutput({ tracer: provider.getTracer('mlobs') });
    out.onIncident('opened', incident);
    out.onIncident('resolved', { ...incident, status: 'resolved', resolvedAtMs: T0 + 240_000 });
    const [opened, resolved] = exporter.getFinishedSpans();
    assert.ok(opened && resolved);
    assert.equal(opened.attributes[ATTR_ML_INCIDENT_STATUS], 'open');
    assert.equal(resolved.attributes[ATTR_ML_INCIDENT_STATUS], 'resolved');
    assert.equal(resolved.spanContext().traceId, opened.spanContext().traceId);
    assert.equal(resolved.parentSpanContext?.spanId, opened.spanContext().spanId);
    assert.equal(resolved.endTime[0], (T0 + 240_000) / 1000);
    assert.deepEqual(
      opened.links.map((l) => l.context.spanId),
      ['2'.repeat(16)],
    );
    await provider.shutdown();
  });
});
