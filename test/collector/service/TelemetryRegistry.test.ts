import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferPool, bufferPools } from '../../../src/collector/otlp/BufferPool.js';
import { counterName, countItems, recordItems } from '../../../src/collector/service/selfMetrics.js';
import { TelemetryRegistry, watchBufferPools } from '../../../src/collector/service/TelemetryRegistry.js';

describe('TelemetryRegistry', () => {
  it('sums per label set and renders Prometheus text with HELP and TYPE', () => {
    const t = new TelemetryRegistry();
    t.add('mlobs_exporter_sent_spans_total', 2, { exporter: 'file' });
    t.add('mlobs_exporter_sent_spans_total', 3, { exporter: 'file' });
    t.add('mlobs_exporter_sent_spans_total', 1, { exporter: 'debug' });
    assert.equal(t.get('mlobs_exporter_sent_spans_total', { exporter: 'file' }), 5);
    assert.equal(
      t.render(),
      [
        '# HELP mlobs_exporter_sent_spans_total Number of spans sent by the exporter.',
        '# TYPE mlobs_exporter_sent_spans_total counter',
        'mlobs_exporter_sent_spans_total{exporter="debug"} 1',
        'mlobs_exporter_sent_spans_total{exporter="file"} 5',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values so a hostile component id cannot break the exposition', () => {
    const t = new TelemetryRegistry();
    t.add('x_total', 1, { id: 'a"b\\c\nd' });
    assert.match(t.render(), /^x_total\{id="a\\"b\\\\c\\nd"\} 1$/m);
  });

  it('ignores bad names, labels and values instead of throwing', () => {
    const t = new TelemetryRegistry();
    t.add('bad name', 1, {});
    t.add('ok_total', -1, {});
    t.add('ok_total', Number.NaN, {});
    t.add('ok_total', 1, { 'bad-label': 'x' });
    assert.equal(t.render(), '');
  });

  it('names counters per kind, outcome and signal and counts items per signal', () => {
    assert.equal(counterName('receiver', 'refused', 'logs'), 'mlobs_receiver_refused_log_records_total');
    assert.equal(
      counterName('exporter', 'send_failed', 'metrics'),
      'mlobs_exporter_send_failed_metric_points_total',
    );
    assert.equal(countItems('logs', { resourceLogs: [] }), 0);
    const t = new TelemetryRegistry();
    recordItems(t, 'processor', 'dropped', 'traces', 4, { processor: 'batch', pipeline: 'traces' });
    recordItems(t, 'processor', 'dropped', 'traces', 0, { processor: 'memory_limiter', pipeline: 'traces' });
    assert.equal(t.get('mlobs_processor_dropped_spans_total', { processor: 'batch', pipeline: 'traces' }), 4);
    assert.doesNotMatch(t.render(), /memory_limiter/, 'zero adds create no series');
  });
});

describe('buffer pool gauge', () => {
  it('shows what each named pool holds idle, one series per pool, read at scrape time', () => {
    const pool = new BufferPool(1 << 20, 64 * 1024, 'test_gauge_pool');
    const t = new TelemetryRegistry();
    watchBufferPools(t);
    const line = () =>
      t
        .render()
        .split('\n')
        .find((l) => l.startsWith('mlobs_buffer_pool_idle_bytes{pool="test_gauge_pool"}'));
    assert.equal(line(), 'mlobs_buffer_pool_idle_bytes{pool="test_gauge_pool"} 0');
    pool.give(pool.take(100 * 1024));
    assert.equal(line(), `mlobs_buffer_pool_idle_bytes{pool="test_gauge_pool"} ${pool.idleSize}`);
    assert.ok(pool.idleSize >= 100 * 1024);
    assert.ok(bufferPools().includes(pool));
  });
});
