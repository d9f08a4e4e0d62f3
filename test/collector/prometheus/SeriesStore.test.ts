import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderFamilies } from '../../../src/collector/prometheus/exposition.js';
import { promMetricName, sanitizeLabelName } from '../../../src/collector/prometheus/naming.js';
import { SeriesStore } from '../../../src/collector/prometheus/SeriesStore.js';
import type { KeyValue, Metric, MetricsData, NumberDataPoint } from '../../../src/model/otlp.js';

function kv(attrs: Record<string, string>): KeyValue[] {
  return Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } }));
}

function point(value: number, attrs: Record<string, string> = {}): NumberDataPoint {
  return {
    attributes: kv(attrs),
    startTimeUnixNano: 0n,
    timeUnixNano: 1n,
    asDouble: value,
    exemplars: [],
    flags: 0,
  };
}

function batch(
  metrics: Metric[],
  resource: Record<string, string> = { 'service.name': 'shop' },
): MetricsData {
  return {
    resourceMetrics: [
      {
        resource: { attributes: kv(resource), droppedAttributesCount: 0 },
        scopeMetrics: [
          {
            scope: { name: 'mlobs', version: '', attributes: [], droppedAttributesCount: 0 },
            metrics,
            schemaUrl: '',
          },
        ],
        schemaUrl: '',
      },
    ],
  };
}

function counter(name: string, points: NumberDataPoint[], temporality = 2, unit = ''): Metric {
  return {
    name,
    description: 'help',
    unit,
    metadata: [],
    sum: { dataPoints: points, aggregationTemporality: temporality, isMonotonic: true },
  };
}

function gauge(name: string, points: NumberDataPoint[], unit = ''): Metric {
  return { name, description: 'help', unit, metadata: [], gauge: { dataPoints: points } };
}

describe('OpenTelemetry to Prometheus naming', () => {
  it('adds unit words, _ratio for unit 1 gauges and keeps one _total for counters', () => {
    assert.deepEqual(promMetricName('http.server.request.duration', 's', 'histogram'), {
      name: 'http_server_request_duration_seconds',
      unit: 'seconds',
    });
    assert.equal(
      promMetricName('mlobs.feature.missing_rate', '1', 'gauge').name,
      'mlobs_feature_missing_rate_ratio',
    );
    assert.equal(promMetricName('mlobs.findings', '{finding}', 'counter').name, 'mlobs_findings');
    assert.equal(
      promMetricName('mlobs_receiver_accepted_spans_total', '', 'counter').name,
      'mlobs_receiver_accepted_spans',
    );
    assert.equal(promMetricName('net.io', 'By/s', 'gauge').name, 'net_io_bytes_per_second');
    assert.equal(
      promMetricName('queue.size_bytes', 'By', 'gauge').name,
      'queue_size_bytes',
      'no second unit suffix',
    );
    assert.equal(promMetricName('x', 's', 'gauge', { namespace: 'ml', addSuffixes: false }).name, 'ml_x');
  });

  it('sanitizes label names the way the specification says', () => {
    assert.equal(sanitizeLabelName('ml.pipeline.name'), 'ml_pipeline_name');
    assert.equal(sanitizeLabelName('0day'), 'key_0day');
    assert.equal(sanitizeLabelName('_private'), 'key_private');
  });
});

describe('SeriesStore', () => {
  it('replaces cumulative points, adds delta points, and renders counters with _total in both formats', () => {
    const s = new SeriesStore();
    s.consume(batch([counter('jobs.done', [point(5, { queue: 'a' })], 2, '{job}')]));
    s.consume(batch([counter('jobs.done', [point(7, { queue: 'a' })], 2, '{job}')]));
    s.consume(batch([counter('jobs.failed', [point(2)], 1)]));
    s.consume(batch([counter('jobs.failed', [point(3)], 1)]));
    const text = renderFamilies(s.collect(), 'text');
    assert.match(text, /^# TYPE jobs_done_total counter$/m);
    assert.match(text, /^jobs_done_total\{job="shop",otel_scope_name="mlobs",queue="a"\} 7$/m);
    assert.match(text, /^jobs_failed_total\{job="shop",otel_scope_name="mlobs"\} 5$/m);
    const om = renderFamilies(s.collect(), 'openmetrics');
    assert.match(om, /^# TYPE jobs_done counter$/m);
    assert.match(om, /^jobs_done_total\{.*\} 7$/m);
    assert.ok(om.endsWith('# EOF\n'));
  });

  it('merges attributes that sanitize to one label name and puts other resource attributes in target_info', () => {
    const s = new SeriesStore();
    s.consume(
      batch([gauge('temp', [point(1, { 'a.b': 'x', a_b: 'y' })], 'Cel')], {
        'service.name': 'shop',
        'service.namespace': 'eu',
        'service.instance.id': 'pod-1',
        'host.name': 'node-7',
      }),
    );
    const text = renderFamilies(s.collect(), 'text');
    assert.match(
      text,
      /^temp_celsius\{a_b="x;y",instance="pod-1",job="eu\/shop",otel_scope_name="mlobs"\} 1$/m,
    );
    assert.match(text, /^# TYPE target_info gauge$/m);
    assert.match(text, /^target_info\{host_name="node-7",instance="pod-1",job="eu\/shop"\} 1$/m);
    assert.match(renderFamilies(s.collect(), 'openmetrics'), /^# TYPE target_info info$/m);
    assert.match(renderFamilies(s.collect(), 'openmetrics'), /^# UNIT temp_celsius celsius$/m);
  });

  it('folds label sets past the cap into one overflow series and says so each time', () => {
    const overflowed: string[] = [];
    const s = new SeriesStore({ maxSeriesPerMetric: 2, onOverflow: (m) => overflowed.push(m) });
    const points = ['a', 'b', 'c', 'd'].map((u, i) => point(i + 1, { user: u }));
    s.consume(batch([counter('logins', points)]));
    s.consume(batch([counter('logins', [point(10, { user: 'c' })])]));
    const text = renderFamilies(s.collect(), 'text');
    const lines = text.split('\n').filter((l) => l.startsWith('logins_total'));
    assert.equal(lines.length, 3, text);
    // c (now 10, cumulative) and d (4) live in the overflow series: 14, not 3 + 10 + 4.
    assert.ok(lines.includes('logins_total{otel_metric_overflow="true"} 14'), text);
    assert.deepEqual(overflowed, ['logins', 'logins', 'logins']);
  });

  it('forgets series that were not updated within the expiration', () => {
    let now = 0;
    const s = new SeriesStore({ expirationMs: 1000, now: () => now });
    s.consume(batch([gauge('g', [point(1, { k: 'old' })])]));
    now = 900;
    s.consume(batch([gauge('g', [point(2, { k: 'new' })])]));
    now = 1500;
    const text = renderFamilies(s.collect(), 'text');
    assert.doesNotMatch(text, /k="old"/);
    assert.match(text, /k="new"/);
  });

  it('renders histograms with cumulative buckets and drops exponential histograms with a reason', () => {
    const dropped: string[] = [];
    const s = new SeriesStore({ onDropped: (r, n) => dropped.push(`${r}:${n}`) });
    s.consume(
      batch([
        {
          name: 'latency',
          description: '',
          unit: 'ms',
          metadata: [],
          histogram: {
            aggregationTemporality: 2,
            dataPoints: [
              {
                attributes: [],
                startTimeUnixNano: 0n,
                timeUnixNano: 1n,
                count: 6,
                sum: 42,
                bucketCounts: [1, 2, 3],
                explicitBounds: [5, 10],
                exemplars: [],
                flags: 0,
              },
            ],
          },
        },
        {
          name: 'eh',
          description: '',
          unit: '',
          metadata: [],
          exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{} as never] },
        },
      ]),
    );
    const text = renderFamilies(s.collect(), 'text');
    assert.match(text, /^latency_milliseconds_bucket\{job="shop",otel_scope_name="mlobs",le="5"\} 1$/m);
    assert.match(text, /^latency_milliseconds_bucket\{job="shop",otel_scope_name="mlobs",le="10"\} 3$/m);
    assert.match(text, /^latency_milliseconds_bucket\{job="shop",otel_scope_name="mlobs",le="\+Inf"\} 6$/m);
    assert.match(text, /^latency_milliseconds_sum\{job="shop",otel_scope_name="mlobs"\} 42$/m);
    assert.deepEqual(dropped, ['exponential_histogram:1']);
  });
});
