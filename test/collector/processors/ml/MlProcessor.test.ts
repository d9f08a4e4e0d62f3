import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { buildRequests } from '../../../../bench/collector/workload.js';
import type {
  Host,
  LogsConsumer,
  MetricsConsumer,
  TracesConsumer,
} from '../../../../src/collector/component.js';
import { decodeOver } from '../../../../src/collector/config/decode.js';
import { loadConfig } from '../../../../src/collector/index.js';
import { rawEventAttributes } from '../../../../src/collector/otlp/lazyEvent.js';
import { decodeTracesProto, encodeTracesProto } from '../../../../src/collector/otlp/traceProto.js';
import { type MlProcessorConfig, resolveMlConfig } from '../../../../src/collector/processors/ml/config.js';
import { mlProcessorFactory } from '../../../../src/collector/processors/ml/factory.js';
import type { MlProcessor } from '../../../../src/collector/processors/ml/MlProcessor.js';
import { TelemetryRegistry } from '../../../../src/collector/service/TelemetryRegistry.js';
import type { LogsData, MetricsData, TracesData } from '../../../../src/model/otlp.js';
import {
  ATTR_ML_FINDING_FEATURE,
  ATTR_ML_INCIDENT_CHANGE,
  ATTR_ML_INCIDENT_FEATURES,
  ATTR_ML_LABEL_CLASS,
  ATTR_ML_PREDICTION_ID,
  EVENT_ML_FINDING,
  EVENT_ML_INCIDENT,
} from '../../../../src/semconv/index.js';
import { MIN, pipelineSpans, T0, toTracesData } from './pipelineFixture.js';

const dir = mkdtempSync(join(tmpdir(), 'mlobs-mlproc-'));
after(() => rmSync(dir, { recursive: true, force: true }));

class Sink implements TracesConsumer, LogsConsumer, MetricsConsumer {
  traces: TracesData[] = [];
  logs: LogsData[] = [];
  metrics: MetricsData[] = [];
  async consumeTraces(d: TracesData) {
    this.traces.push(d);
  }
  async consumeLogs(d: LogsData) {
    this.logs.push(d);
  }
  async consumeMetrics(d: MetricsData) {
    this.metrics.push(d);
  }
}

function host(): Host & { counters: Map<string, number> } {
  const counters = new Map<string, number>();
  return {
    counters,
    reportFatalError: (e) => {
      throw e;
    },
    telemetry: { add: (name, v) => counters.set(name, (counters.get(name) ?? 0) + v) },
  };
}

function config(user: Record<string, unknown>): MlProcessorConfig {
  const { value, problems } = decodeOver(mlProcessorFactory.createDefaultConfig(), user, 'processors::ml');
  assert.deepEqual(problems, []);
  return value;
}

const MEMORY = { window: '1m', lateness: '0s', idle_close: '0', storage: { type: 'memory' } };

function build(cfg: MlProcessorConfig, signals: ('traces' | 'logs' | 'metrics')[]) {
  const sinks = { traces: new Sink(), logs: new Sink(), metrics: new Sink() };
  const procs = Object.fromEntries(
    signals.map((s) => [
      s,
      mlProcessorFactory.createProcessor({ id: 'ml', pipeline: s }, cfg, s, sinks[s]) as MlProcessor,
    ]),
  ) as Partial<Record<'traces' | 'logs' | 'metrics', MlProcessor>>;
  return { sinks, procs };
}

function spanNames(batches: TracesData[]): string[] {
  return batches.flatMap((b) =>
    b.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name))),
  );
}

describe('ml processor', () => {
  it('forwards every span unchanged, appends incident spans linked to exemplar traces, and sends findings to its logs pipeline', async () => {
    const { sinks, procs } = build(config(MEMORY), ['traces', 'logs']);
    const h = host();
    await procs.logs!.start(h);
    await procs.traces!.start(h);
    const { spans } = await pipelineSpans(16, 12);
    const batches: TracesData[] = [];
    for (let i = 0; i < spans.length; i += 10) batches.push(toTracesData(spans.slice(i, i + 10)));
    for (const b of batches) await procs.traces!.consumeTraces(b);
    // Every input span is forwarded, in its own ResourceSpans, untouched.
    const forwardedUser = sinks.traces.traces.flatMap((t, i) =>
      t.resourceSpans.slice(0, batches[i]!.resourceSpans.length),
    );
    assert.deepEqual(
      forwardedUser,
      batches.flatMap((b) => b.resourceSpans),
    );
    const incidents = sinks.traces.traces.flatMap((t) =>
      t.resourceSpans.flatMap((rs) =>
        rs.scopeSpans.flatMap((ss) => ss.spans.filter((s) => s.name === EVENT_ML_INCIDENT)),
      ),
    );
    assert.ok(incidents.length >= 1, `names: ${[...new Set(spanNames(sinks.traces.traces))]}`);
    const features = incidents[0]!.attributes.find((a) => a.key === ATTR_ML_INCIDENT_FEATURES)?.value
      .arrayValue?.values;
    assert.ok(features?.some((v) => v.stringValue === 'monthly_spend'));
    const traceIds = new Set(spans.map((s) => s.spanContext().traceId));
    assert.ok(incidents[0]!.links.length > 0 && incidents[0]!.links.every((l) => traceIds.has(l.traceId)));
    const records = sinks.logs.logs.flatMap((l) =>
      l.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords)),
    );
    const findings = records.filter((r) => r.eventName === EVENT_ML_FINDING);
    assert.ok(findings.length > 0);
    // Every incident state change is also an ml.incident log record, pointing at its span's trace.
    const changes = records.filter((r) => r.eventName === EVENT_ML_INCIDENT);
    assert.equal(findings.length + changes.length, records.length);
    const opened = changes.find((r) =>
      r.attributes.some((a) => a.key === ATTR_ML_INCIDENT_CHANGE && a.value.stringValue === 'opened'),
    );
    assert.ok(opened, 'an ml.incident record for the opening');
    assert.equal(opened.traceId, incidents[0]!.traceId);
    assert.equal(opened.spanId, incidents[0]!.spanId, 'the record of the opening names the opening span');
    assert.ok(
      findings.some((r) =>
        r.attributes.some(
          (a) => a.key === ATTR_ML_FINDING_FEATURE && a.value.stringValue === 'monthly_spend',
        ),
      ),
    );
    assert.ok((h.counters.get('mlobs_ml_windows_closed_total') ?? 0) >= 15);
    await procs.traces!.shutdown();
    await procs.logs!.shutdown();
  });

  it('reads summary events without marking them read, so their received bytes are forwarded as they came', async () => {
    const { sinks, procs } = build(config(MEMORY), ['traces']);
    await procs.traces!.start(host());
    const { bodies } = buildRequests(1, 8, true);
    const received = decodeTracesProto(bodies[0]!);
    await procs.traces!.consumeTraces(received);
    const events = sinks.traces.traces[0]!.resourceSpans.flatMap((rs) =>
      rs.scopeSpans.flatMap((ss) => ss.spans.flatMap((s) => s.events)),
    );
    assert.ok(events.length >= 8);
    assert.ok(
      events.every((e) => rawEventAttributes(e) !== undefined),
      'no event was marked read',
    );
    assert.deepEqual(Buffer.from(encodeTracesProto(sinks.traces.traces[0]!)), Buffer.from(bodies[0]!));
    const a = procs.traces!.core.analysis!.analyzer;
    assert.equal(a.stats.spans, 8, 'and the analysis saw every span');
    assert.equal(a.stats.decodeErrors, 0);
    await procs.traces!.shutdown();
  });

  it('joins labels that arrive as log records with earlier predictions', async () => {
    const { sinks, procs } = build(config(MEMORY), ['traces', 'logs']);
    const h = host();
    await procs.traces!.start(h);
    await procs.logs!.start(h);
    const { spans } = await pipelineSpans(3, 99);
    await procs.traces!.consumeTraces(toTracesData(spans));
    const at = BigInt(T0 + 3 * MIN - 1000) * 1_000_000n;
    const labels: LogsData = {
      resourceLogs: [
        {
          resource: {
            attributes: [{ key: 'service.name', value: { stringValue: 'crm' } }],
            droppedAttributesCount: 0,
          },
          scopeLogs: [
            {
              scope: { name: 'labels', version: '', attributes: [], droppedAttributesCount: 0 },
              logRecords: ['req-2-0', 'req-2-1', 'nobody'].map((id) => ({
                timeUnixNano: at,
                observedTimeUnixNano: at,
                severityNumber: 9,
                severityText: 'INFO',
                body: { stringValue: 'label' },
                attributes: [
                  { key: ATTR_ML_PREDICTION_ID, value: { stringValue: id } },
                  { key: ATTR_ML_LABEL_CLASS, value: { stringValue: 'stay' } },
                ],
                droppedAttributesCount: 0,
                flags: 0,
                traceId: '',
                spanId: '',
                eventName: '',
              })),
              schemaUrl: '',
            },
          ],
          schemaUrl: '',
        },
      ],
    };
    await procs.logs!.consumeLogs(labels);
    assert.deepEqual(sinks.logs.logs[0], labels, 'the log records are forwarded unchanged');
    assert.equal(h.counters.get('mlobs_ml_labels_joined_total'), 2);
    assert.equal(h.counters.get('mlobs_ml_labels_unmatched_total'), 1);
    await procs.traces!.shutdown();
    await procs.logs!.shutdown();
  });

  it('exports drift statistics as OTLP metrics into its metrics pipeline', async () => {
    const { sinks, procs } = build(config({ ...MEMORY, metrics: { interval: '1h' } }), ['traces', 'metrics']);
    const h = host();
    await procs.metrics!.start(h);
    await procs.traces!.start(h);
    const { spans } = await pipelineSpans(8, 99);
    await procs.traces!.consumeTraces(toTracesData(spans));
    await procs.traces!.core.flushMetrics();
    const metrics = sinks.metrics.metrics.flatMap((m) =>
      m.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)),
    );
    const stat = metrics.find((m) => m.name === 'mlobs.detector.statistic');
    assert.ok(stat?.gauge, `metrics: ${metrics.map((m) => m.name)}`);
    const ks = stat.gauge.dataPoints.find(
      (p) =>
        p.attributes.some((a) => a.value.stringValue === 'tenure') &&
        p.attributes.some((a) => a.value.stringValue === 'ks'),
    );
    assert.ok(ks && typeof ks.asDouble === 'number' && ks.asDouble >= 0 && ks.asDouble < 0.5);
    // Metrics that come in are passed through.
    await procs.metrics!.consumeMetrics({ resourceMetrics: [] });
    assert.deepEqual(sinks.metrics.metrics.at(-1), { resourceMetrics: [] });
    await procs.traces!.shutdown();
    await procs.metrics!.shutdown();
  });

  it("records its statistics on the collector's one metrics stack, beside the self-telemetry", async () => {
    const { sinks, procs } = build(config({ ...MEMORY, metrics: { interval: '1h' } }), ['traces', 'metrics']);
    const telemetry = new TelemetryRegistry();
    const h: Host = { reportFatalError: (e) => assert.fail(e), telemetry };
    await procs.metrics!.start(h);
    await procs.traces!.start(h);
    const { spans } = await pipelineSpans(8, 99);
    await procs.traces!.consumeTraces(toTracesData(spans));
    const page = await telemetry.render();
    assert.match(
      page,
      /^mlobs_detector_statistic\{.*ml_finding_feature="tenure".*ml_finding_statistic="ks".*\} [0-9.e-]+$/m,
      'statistics at /metrics',
    );
    assert.match(
      page,
      /^mlobs_ml_windows_closed_total\{processor="ml"\} [1-9]/m,
      'self-telemetry beside them',
    );
    await procs.traces!.core.flushMetrics();
    const scopes = sinks.metrics.metrics.flatMap((m) =>
      m.resourceMetrics.flatMap((rm) => rm.scopeMetrics.map((sm) => sm.scope.name)),
    );
    assert.deepEqual([...new Set(scopes)], ['mlobs/processors/ml'], 'the pipeline gets the statistics only');
    await procs.traces!.shutdown();
    await procs.metrics!.shutdown();
  });

  it('keeps its state in SQLite across a shutdown and start', async () => {
    const path = join(dir, 'restart', 'state.db');
    const cfg = config({ window: '1m', lateness: '0s', idle_close: '0', storage: { path } });
    const { spans } = await pipelineSpans(16, 12);
    const half = spans.findIndex((s) => s.endTime[0] * 1000 > T0 + 11 * MIN);
    const first = build(cfg, ['traces']);
    await first.procs.traces!.start(host());
    await first.procs.traces!.consumeTraces(toTracesData(spans.slice(0, half)));
    await first.procs.traces!.shutdown();
    const second = build(cfg, ['traces']);
    await second.procs.traces!.start(host());
    assert.equal(second.procs.traces!.core.analysis?.analyzer.stats.windowsClosed, 2 * 11);
    await second.procs.traces!.consumeTraces(toTracesData(spans.slice(half)));
    assert.ok(
      spanNames(second.sinks.traces.traces).includes(EVENT_ML_INCIDENT),
      'the warm-up reference survived',
    );
    await second.procs.traces!.shutdown();
  });

  it('closes windows by the wall clock when no more spans arrive (idle_close)', async () => {
    const { procs } = build(config({ ...MEMORY, window: '1s', idle_close: '1ms' }), ['traces']);
    const h = host();
    await procs.traces!.start(h);
    const data = toTracesData((await pipelineSpans(1, 99)).spans);
    // All runs end in the current second: no later span will ever close their window.
    const end = BigInt(Date.now()) * 1_000_000n;
    for (const rs of data.resourceSpans)
      for (const ss of rs.scopeSpans)
        for (const s of ss.spans) {
          s.startTimeUnixNano = end - 1_000_000n;
          s.endTimeUnixNano = end;
          for (const e of s.events) e.timeUnixNano = end;
        }
    await procs.traces!.consumeTraces(data);
    assert.equal(h.counters.get('mlobs_ml_windows_closed_total'), undefined);
    for (let i = 0; i < 50 && h.counters.get('mlobs_ml_windows_closed_total') === undefined; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.counters.get('mlobs_ml_windows_closed_total'), 2, 'both streams closed by the idle timer');
    await procs.traces!.shutdown();
  });

  it('counts a batch once when the next stage refused it and the sender retries it', async () => {
    const { sinks, procs } = build(config(MEMORY), ['traces']);
    const h = host();
    await procs.traces!.start(h);
    const { spans } = await pipelineSpans(16, 12);
    let refuse = true;
    const consume = sinks.traces.consumeTraces.bind(sinks.traces);
    sinks.traces.consumeTraces = async (d) => {
      if (refuse && d.resourceSpans.length > 1) {
        refuse = false;
        throw new Error('exporter queue full');
      }
      await consume(d);
    };
    for (let i = 0; i < spans.length; i += 10) {
      const batch = toTracesData(spans.slice(i, i + 10));
      await procs.traces!.consumeTraces(batch).catch(() => procs.traces!.consumeTraces(batch));
    }
    assert.equal(refuse, false, 'a batch carrying an incident span was refused once');
    assert.equal(procs.traces!.core.analysis?.analyzer.stats.spans, spans.length);
    assert.equal(h.counters.get('mlobs_ml_repeated_batches_total'), 1);
    assert.ok(
      spanNames(sinks.traces.traces).includes(EVENT_ML_INCIDENT),
      'the retry carried the incident span',
    );
    await procs.traces!.shutdown();
  });

  it('fails to start, naming the file, when the state file cannot be opened or read', async () => {
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const bad = build(config({ ...MEMORY, storage: { path: join(blocker, 'state.db') } }), ['traces']);
    await assert.rejects(
      bad.procs.traces!.start(host()),
      /MLOBS_ERR_STORE|cannot open the state database .*not-a-dir/,
    );
    await bad.procs.traces!.shutdown();
    const garbled = join(dir, 'garbled', 'state.db');
    const first = build(config({ ...MEMORY, storage: { path: garbled } }), ['traces']);
    await first.procs.traces!.start(host());
    await first.procs.traces!.shutdown();
    const db = new Database(garbled);
    db.prepare("INSERT OR REPLACE INTO state (key, value) VALUES ('global', '{\"v\":7}')").run();
    db.close();
    const second = build(config({ ...MEMORY, storage: { path: garbled } }), ['traces']);
    await assert.rejects(
      second.procs.traces!.start(host()),
      /stored analysis state: global state: has format version 7/,
    );
  });

  it('accepts a config file with every key, and reports each mistake of another with its full path', () => {
    const ok = loadConfig(join(process.cwd(), 'test/collector/processors/ml/testdata/ml.yaml'));
    assert.deepEqual(ok.problems, []);
    const settings = resolveMlConfig(ok.config!.processors.ml!.config as MlProcessorConfig).settings;
    assert.equal(settings.analyzer.window.lengthMs, 300_000);
    assert.equal(settings.analyzer.window.stepMs, 60_000);
    assert.deepEqual(settings.analyzer.incidents, {
      openAfter: 2,
      ofLast: 4,
      resolveAfterWindows: 5,
      maxNewPerHour: 20,
      groupWithinMs: 600_000,
    });
    assert.deepEqual(settings.analyzer.topology, {
      traceWaitMs: 60_000,
      orphanTtlMs: 900_000,
      edgeTtlMs: 72 * 3_600_000,
      maxNodes: 500,
      maxEdges: 5000,
      maxWriters: 2000,
      maxPendingRuns: 10_000,
    });
    assert.equal(
      settings.analyzer.detectors.some((d) => d.id === 'latency'),
      false,
    );
    assert.deepEqual(settings.storage, {
      type: 'sqlite',
      path: join(process.cwd(), '.mlobs/test-state.db'),
      synchronous: 'normal',
    });
    const bad = loadConfig(join(process.cwd(), 'test/collector/processors/ml/testdata/ml-invalid.yaml'));
    assert.equal(bad.config, undefined);
    const paths = bad.problems.map((p) => p.path).sort();
    assert.deepEqual(paths, [
      'processors::ml::detectors::numeric_drift',
      'processors::ml::incidents::resolve_afterr',
      'processors::ml::reference::warmup_windows',
      'processors::ml::step',
      'processors::ml::storage::synchronous',
    ]);
  });

  it('refuses bad settings with the path of each', () => {
    const profile = join(dir, 'bad-profile.json');
    writeFileSync(profile, '{"format":"nope"}');
    const problems = mlProcessorFactory.validate(
      config({
        window: '0s',
        step: '7s',
        reference: { profile, warmup_windows: 0 },
        detectors: { numeric_drif: {} },
        incidents: { open_after: 5, of_last: 3 },
        storage: { type: 'redis' },
        topology: { edge_ttl: '0s', max_nodes: 0 },
      }),
    );
    const paths = problems.map((p) => p.path).sort();
    assert.deepEqual(paths, [
      'detectors',
      'incidents::open_after',
      'reference::profile',
      'reference::warmup_windows',
      'storage::type',
      'topology::edge_ttl',
      'topology::max_nodes',
      'window',
    ]);
    assert.match(problems.find((p) => p.path === 'detectors')!.message, /numeric_drif/);
    assert.match(problems.find((p) => p.path === 'reference::profile')!.message, /profile\.format/);
  });

  it('refuses a misspelt detector setting at its own path, as written (it was silently ignored)', () => {
    const problems = mlProcessorFactory.validate(
      config({
        detectors: { numeric_drift: { ks_flor: 0.2 }, prediction_drift: { numeric: { psi_flor: 1 } } },
      }),
    );
    assert.deepEqual(problems.map((p) => p.path).sort(), [
      'detectors::numeric_drift::ks_flor',
      'detectors::prediction_drift::numeric::psi_flor',
    ]);
    assert.match(problems[0]?.message ?? '', /unknown setting \(known: .*ks_floor/);
  });

  it('takes detector durations as Go durations (30d, 720h, 250ms), not milliseconds', () => {
    const { settings, problems } = resolveMlConfig(
      config({
        detectors: { staleness: { max_model_age: '30d', max_input_age: '6h' }, latency: { max: '250ms' } },
      }),
    );
    assert.deepEqual(problems, []);
    assert.ok(settings.analyzer.detectors.some((d) => d.id === 'staleness'));
    const bad = mlProcessorFactory.validate(
      config({ detectors: { staleness: { max_model_age: 2_592_000_000 } } }),
    );
    assert.deepEqual(
      bad.map((p) => p.path),
      ['detectors::staleness::max_model_age'],
    );
    assert.match(bad[0]?.message ?? '', /duration/);
  });

  it('reads the few-run settings in snake_case and names the detector of a bad one', () => {
    assert.deepEqual(
      mlProcessorFactory.validate(
        config({ detectors: { latency: { consecutive_windows: 3, tail_allowance: 0.01 } } }),
      ),
      [],
    );
    const problems = mlProcessorFactory.validate(
      config({ detectors: { error_rate: { prior_error_rate: 2 } } }),
    );
    assert.deepEqual(
      problems.map((p) => p.path),
      ['detectors::error_rate'],
    );
    assert.match(problems[0]!.message, /priorErrorRate must be in \(0, 1\), got 2/);
  });
});
