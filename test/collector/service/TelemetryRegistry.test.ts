import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferPool, bufferPools } from '../../../src/collector/exporterhelper/BufferPool.js';
import { counterName, countItems, recordItems } from '../../../src/collector/service/selfMetrics.js';
import { TelemetryRegistry, watchBufferPools } from '../../../src/collector/service/TelemetryRegistry.js';

describe('TelemetryRegistry', () => {
  it('sums per label set and renders Prometheus text with HELP and TYPE', async () => {
    const t = new TelemetryRegistry();
    t.add('mlobs_exporter_sent_spans_total', 2, { exporter: 'file' });
    t.add('mlobs_exporter_sent_spans_total', 3, { exporter: 'file' });
    t.add('mlobs_exporter_sent_spans_total', 1, { exporter: 'debug' });
    assert.equal(await t.get('mlobs_exporter_sent_spans_total', { exporter: 'file' }), 5);
    assert.equal(
      await t.render(),
      [
        '# HELP mlobs_exporter_sent_spans_total Number of spans sent by the exporter.',
        '# TYPE mlobs_exporter_sent_spans_total counter',
        'mlobs_exporter_sent_spans_total{exporter="debug"} 1',
        'mlobs_exporter_sent_spans_total{exporter="file"} 5',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values so a hostile component id cannot break the exposition', async () => {
    const t = new TelemetryRegistry();
    t.add('x_total', 1, { id: 'a"b\\c\nd' });
    assert.match(await t.render(), /^x_total\{id="a\\"b\\\\c\\nd"\} 1$/m);
  });

  it('ignores bad names, labels and values instead of throwing', async () => {
    const t = new TelemetryRegistry();
    t.add('bad name', 1, {});
    t.add('ok_total', -1, {});
    t.add('ok_total', Number.NaN, {});
    t.add('ok_total', 1, { 'bad-label': 'x' });
    assert.equal(await t.render(), '');
  });

  it('names counters per kind, outcome and signal and counts items per signal', async () => {
    assert.equal(counterName('receiver', 'refused', 'logs'), 'mlobs_receiver_refused_log_records_total');
    assert.equal(
      counterName('exporter', 'send_failed', 'metrics'),
      'mlobs_exporter_send_failed_metric_points_total',
    );
    assert.equal(countItems('logs', { resourceLogs: [] }), 0);
    const t = new TelemetryRegistry();
    recordItems(t, 'processor', 'dropped', 'traces', 4, { processor: 'batch', pipeline: 'traces' });
    recordItems(t, 'processor', 'dropped', 'traces', 0, { processor: 'memory_limiter', pipeline: 'traces' });
    assert.equal(
      await t.get('mlobs_processor_dropped_spans_total', { processor: 'batch', pipeline: 'traces' }),
      4,
    );
    assert.doesNotMatch(await t.render(), /memory_limiter/, 'zero adds create no series');
  });
});

describe('TelemetryRegistry as the one metrics stack', () => {
  it('serves statistics recorded through a meter beside the self-telemetry, and reads one scope alone', async () => {
    const t = new TelemetryRegistry();
    t.add('mlobs_receiver_accepted_spans_total', 7, { receiver: 'otlp', transport: 'http' });
    const meter = t.meter('mlobs/processors/ml');
    meter.createGauge('mlobs_detector_statistic', { description: 'drift' }).record(0.25, { feature: 'age' });
    meter.createCounter('mlobs_findings_total').add(3, { detector: 'psi' });
    const page = await t.render();
    assert.match(page, /^mlobs_receiver_accepted_spans_total\{receiver="otlp",transport="http"\} 7$/m);
    assert.match(page, /^mlobs_detector_statistic\{feature="age"\} 0\.25$/m);
    assert.match(page, /^mlobs_findings_total\{detector="psi"\} 3$/m);
    const ml = await t.collect(['mlobs/processors/ml']);
    const names = ml.resourceMetrics.flatMap((rm) =>
      rm.scopeMetrics.flatMap((sm) => sm.metrics.map((m) => m.name)),
    );
    assert.deepEqual(names.sort(), ['mlobs_detector_statistic', 'mlobs_findings_total']);
    assert.deepEqual(ml.resourceMetrics[0]?.resource.attributes, [
      { key: 'service.name', value: { stringValue: 'mlobs' } },
    ]);
    assert.deepEqual(await t.collect(['nobody']), { resourceMetrics: [] });
  });

  it('reads gauges per label set at each collection, and a failing read hides only itself', async () => {
    const t = new TelemetryRegistry();
    let depth = 3;
    t.gauge('mlobs_exporter_queue_size', 'Batches waiting.', () => depth, { exporter: 'a' });
    t.gauge('mlobs_exporter_queue_size', 'Batches waiting.', () => 9, { exporter: 'b' });
    t.gauge('mlobs_broken', 'Throws.', () => {
      throw new Error('gone');
    });
    assert.equal(await t.get('mlobs_exporter_queue_size', { exporter: 'a' }), 3);
    depth = 5;
    const page = await t.render();
    assert.match(page, /^# TYPE mlobs_exporter_queue_size gauge$/m);
    assert.match(page, /^mlobs_exporter_queue_size\{exporter="a"\} 5$/m);
    assert.match(page, /^mlobs_exporter_queue_size\{exporter="b"\} 9$/m);
    assert.doesNotMatch(page, /^mlobs_broken /m);
  });
});

describe('buffer pool gauge', () => {
  it('shows what each named pool holds idle, one series per pool, read at scrape time', async () => {
    const pool = new BufferPool(1 << 20, 64 * 1024, 'test_gauge_pool');
    const t = new TelemetryRegistry();
    watchBufferPools(t);
    const line = async () =>
      (await t.render())
        .split('\n')
        .find((l) => l.startsWith('mlobs_buffer_pool_idle_bytes{pool="test_gauge_pool"}'));
    assert.equal(await line(), 'mlobs_buffer_pool_idle_bytes{pool="test_gauge_pool"} 0');
    pool.give(pool.take(100 * 1024));
    assert.equal(await line(), `mlobs_buffer_pool_idle_bytes{pool="test_gauge_pool"} ${pool.idleSize}`);
    assert.ok(pool.idleSize >= 100 * 1024);
    assert.ok(bufferPools().includes(pool));
  });
});
