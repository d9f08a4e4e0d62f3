import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { fromSdkMetrics } from '../../../src/collector/service/fromSdkMetrics.js';

async function collected(record: (p: MeterProvider) => void) {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop' }),
    readers: [reader],
    views: [{ instrumentName: 'sizes', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  record(provider);
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return resourceMetrics;
}

describe('fromSdkMetrics', () => {
  it('converts sums, gauges and histograms of the SDK to OTLP, with int and double values kept apart', async () => {
    const rm = await collected((p) => {
      const m = p.getMeter('mlobs/processors/ml', '1.0');
      m.createCounter('jobs', { valueType: ValueType.INT }).add(4, { queue: 'a', tries: 2 });
      m.createUpDownCounter('open').add(-1.5);
      m.createGauge('ratio', { unit: '1' }).record(0.5, { flags: ['x', 'y'], ok: true });
      const h = m.createHistogram('latency', { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100] } });
      for (const v of [5, 50, 500]) h.record(v);
      const e = m.createHistogram('sizes');
      for (const v of [0, 2, 4]) e.record(v);
    });
    const data = fromSdkMetrics(rm);
    const [resource] = data.resourceMetrics;
    assert.deepEqual(resource?.resource.attributes.find((a) => a.key === 'service.name')?.value, {
      stringValue: 'shop',
    });
    const scope = resource?.scopeMetrics[0];
    assert.deepEqual([scope?.scope.name, scope?.scope.version], ['mlobs/processors/ml', '1.0']);
    const byName = new Map(scope?.metrics.map((m) => [m.name, m]));
    const jobs = byName.get('jobs')?.sum;
    assert.deepEqual([jobs?.isMonotonic, jobs?.aggregationTemporality], [true, 2]);
    assert.equal(jobs?.dataPoints[0]?.asInt, 4);
    assert.deepEqual(jobs?.dataPoints[0]?.attributes, [
      { key: 'queue', value: { stringValue: 'a' } },
      { key: 'tries', value: { intValue: 2 } },
    ]);
    assert.ok(
      (jobs?.dataPoints[0]?.timeUnixNano ?? 0n) > 1_600_000_000_000_000_000n,
      'nanoseconds since the epoch',
    );
    assert.deepEqual(
      [byName.get('open')?.sum?.isMonotonic, byName.get('open')?.sum?.dataPoints[0]?.asDouble],
      [false, -1.5],
    );
    const ratio = byName.get('ratio');
    assert.equal(ratio?.unit, '1');
    assert.equal(ratio?.gauge?.dataPoints[0]?.asDouble, 0.5);
    assert.deepEqual(ratio?.gauge?.dataPoints[0]?.attributes, [
      { key: 'flags', value: { arrayValue: { values: [{ stringValue: 'x' }, { stringValue: 'y' }] } } },
      { key: 'ok', value: { boolValue: true } },
    ]);
    const latency = byName.get('latency')?.histogram?.dataPoints[0];
    assert.deepEqual(
      [
        latency?.count,
        latency?.sum,
        latency?.bucketCounts,
        latency?.explicitBounds,
        latency?.min,
        latency?.max,
      ],
      [3, 555, [1, 1, 1], [10, 100], 5, 500],
    );
    const sizes = byName.get('sizes')?.exponentialHistogram?.dataPoints[0];
    assert.deepEqual([sizes?.count, sizes?.zeroCount, sizes?.sum], [3, 1, 6]);
    assert.equal(
      sizes?.positive.bucketCounts.reduce((a, b) => Number(a) + Number(b), 0),
      2,
      'the two positive values are in the positive buckets',
    );
  });

  it('keeps only the scopes asked for and gives an empty batch when none is left', async () => {
    const rm = await collected((p) => {
      p.getMeter('a').createCounter('x').add(1);
      p.getMeter('b').createCounter('y').add(1);
    });
    const only = fromSdkMetrics(rm, (s) => s === 'b');
    assert.deepEqual(
      only.resourceMetrics[0]?.scopeMetrics.map((sm) => sm.scope.name),
      ['b'],
    );
    assert.deepEqual(
      fromSdkMetrics(rm, () => false),
      { resourceMetrics: [] },
    );
  });
});
