import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConsumerError,
  type LogsConsumer,
  type MetricsConsumer,
  type TracesConsumer,
} from '../../../../src/collector/component.js';
import { validateConfig } from '../../../../src/collector/config/validateConfig.js';
import { BatchProcessor } from '../../../../src/collector/processors/batch/BatchProcessor.js';
import { batchProcessorFactory } from '../../../../src/collector/processors/batch/factory.js';
import { mergeBatches, splitBatch } from '../../../../src/collector/processors/batch/splitBatch.js';
import { TelemetryRegistry } from '../../../../src/collector/service/TelemetryRegistry.js';
import {
  countDataPoints,
  countSpans,
  type MetricsData,
  type Span,
  type TracesData,
} from '../../../../src/model/otlp.js';
import { testHost, testSpan } from '../../helpers.js';

const scope = { name: 's', version: '', attributes: [], droppedAttributesCount: 0 };
const resource = (service: string) => ({
  attributes: [{ key: 'service.name', value: { stringValue: service } }],
  droppedAttributesCount: 0,
});

function span(i: number): Span {
  return testSpan({ spanId: i.toString(16).padStart(16, '0'), name: `s${i}` });
}

/** A batch of `n` spans numbered from `from`, from one service. */
function traces(n: number, from = 0, service = 'svc'): TracesData {
  const spans = Array.from({ length: n }, (_, i) => span(from + i));
  return {
    resourceSpans: [
      { resource: resource(service), schemaUrl: '', scopeSpans: [{ scope, schemaUrl: '', spans }] },
    ],
  };
}

function names(data: TracesData): string[] {
  return data.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.name)));
}

class Sink implements TracesConsumer, LogsConsumer, MetricsConsumer {
  got: TracesData[] = [];
  failWith: Error | undefined;
  async consumeTraces(data: TracesData): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.got.push(data);
  }
  async consumeLogs(): Promise<void> {}
  async consumeMetrics(): Promise<void> {}
}

const labels = { processor: 'batch', pipeline: 'traces' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('batch processor', () => {
  it('merges small batches and sends once send_batch_size is reached, keeping order', async () => {
    const sink = new Sink();
    const p = new BatchProcessor(
      { sendBatchSize: 5, sendBatchMaxSize: 0, timeoutMs: 10_000 },
      'traces',
      sink,
      labels,
    );
    await p.start(testHost());
    await p.consumeTraces(traces(2, 0));
    await p.consumeTraces(traces(2, 2, 'other'));
    assert.equal(sink.got.length, 0, 'nothing is sent below send_batch_size');
    await p.consumeTraces(traces(2, 4));
    assert.equal(sink.got.length, 1);
    assert.deepEqual(names(sink.got[0] as TracesData), ['s0', 's1', 's2', 's3', 's4', 's5']);
    assert.equal(sink.got[0]?.resourceSpans.length, 3, 'resources are appended, not merged');
    await p.shutdown();
  });

  it('splits an oversized batch into send_batch_max_size pieces and keeps the rest for later', async () => {
    const sink = new Sink();
    const p = new BatchProcessor(
      { sendBatchSize: 4, sendBatchMaxSize: 4, timeoutMs: 10_000 },
      'traces',
      sink,
      labels,
    );
    await p.start(testHost());
    await p.consumeTraces(traces(10));
    assert.deepEqual(sink.got.map(countSpans), [4, 4]);
    await p.shutdown();
    assert.deepEqual(sink.got.map(countSpans), [4, 4, 2], 'shutdown flushes the remainder');
    assert.deepEqual(
      sink.got.flatMap(names),
      Array.from({ length: 10 }, (_, i) => `s${i}`),
    );
  });

  it('flushes a partial batch after the timeout', async () => {
    const sink = new Sink();
    const p = new BatchProcessor(
      { sendBatchSize: 100, sendBatchMaxSize: 0, timeoutMs: 30 },
      'traces',
      sink,
      labels,
    );
    await p.start(testHost());
    await p.consumeTraces(traces(3));
    assert.equal(sink.got.length, 0);
    for (let i = 0; i < 100 && sink.got.length === 0; i++) await sleep(10);
    assert.deepEqual(sink.got.map(countSpans), [3]);
    await p.shutdown();
  });

  it('counts a failed send as dropped without failing the caller, and refuses data after shutdown', async () => {
    const sink = new Sink();
    sink.failWith = new ConsumerError('backend down', { permanent: false });
    const telemetry = new TelemetryRegistry();
    const p = new BatchProcessor(
      { sendBatchSize: 2, sendBatchMaxSize: 0, timeoutMs: 10_000 },
      'traces',
      sink,
      labels,
    );
    await p.start(testHost(telemetry));
    await p.consumeTraces(traces(3));
    assert.equal(await telemetry.get('mlobs_processor_dropped_spans_total', labels), 3);
    await p.shutdown();
    await assert.rejects(p.consumeTraces(traces(1)), { name: 'ConsumerError', permanent: false });
  });

  it('does not change the batches it was given', async () => {
    const sink = new Sink();
    const p = new BatchProcessor(
      { sendBatchSize: 3, sendBatchMaxSize: 3, timeoutMs: 10_000 },
      'traces',
      sink,
      labels,
    );
    await p.start(testHost());
    const input = traces(5);
    await p.consumeTraces(input);
    await p.shutdown();
    assert.equal(countSpans(input), 5);
  });
});

describe('splitBatch', () => {
  it('splits metric data points inside one metric across batches', () => {
    const point = (v: number) => ({
      attributes: [],
      startTimeUnixNano: 0n,
      timeUnixNano: 1n,
      asDouble: v,
      exemplars: [],
      flags: 0,
    });
    const data: MetricsData = {
      resourceMetrics: [
        {
          resource: resource('svc'),
          schemaUrl: '',
          scopeMetrics: [
            {
              scope,
              schemaUrl: '',
              metrics: [
                {
                  name: 'g',
                  description: '',
                  unit: '',
                  metadata: [],
                  gauge: { dataPoints: [1, 2, 3, 4, 5].map(point) },
                },
              ],
            },
          ],
        },
      ],
    };
    const [head, tail] = splitBatch('metrics', data, 2) as [MetricsData, MetricsData];
    assert.equal(countDataPoints(head), 2);
    assert.equal(countDataPoints(tail), 3);
    assert.equal(tail.resourceMetrics[0]?.scopeMetrics[0]?.metrics[0]?.name, 'g');
    assert.equal(countDataPoints(mergeBatches('metrics', [head, tail]) as MetricsData), 5);
  });
});

describe('batch processor config', () => {
  it('uses the Collector defaults and reports bad values with their paths', () => {
    assert.deepEqual(batchProcessorFactory.createDefaultConfig(), {
      send_batch_size: 8192,
      send_batch_max_size: 0,
      timeout: '200ms',
    });
    const tree = {
      receivers: {},
      processors: {
        batch: { send_batch_size: 0, send_batch_max_size: -1, timeout: 'soon', metadata_keys: [] },
      },
      service: { pipelines: {} },
    };
    const registry = {
      receivers: new Map(),
      processors: new Map([['batch', batchProcessorFactory]]),
      exporters: new Map(),
      extensions: new Map(),
    };
    const lines = validateConfig(tree, registry).problems.map((p) => `${p.path}: ${p.message}`);
    assert.deepEqual(lines.slice(0, 4), [
      'processors::batch::metadata_keys: unknown key "metadata_keys" (allowed: send_batch_size, send_batch_max_size, timeout)',
      'processors::batch::send_batch_size: must be > 0 (a whole number), got 0',
      'processors::batch::send_batch_max_size: must be 0 (no limit) or a positive whole number, got -1',
      'processors::batch::timeout: must be a duration such as "200ms", "5s" or "1m", got "soon"',
    ]);
  });

  it('refuses a max size below the send size', () => {
    assert.deepEqual(
      batchProcessorFactory.validate({ send_batch_size: 100, send_batch_max_size: 10, timeout: '1s' }),
      [{ path: 'send_batch_max_size', message: 'must be >= send_batch_size (100) or 0, got 10' }],
    );
  });
});
