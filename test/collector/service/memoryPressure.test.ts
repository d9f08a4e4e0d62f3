import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DebugExporter } from '../../../src/collector/exporters/debug/DebugExporter.js';
import { debugExporterFactory } from '../../../src/collector/exporters/debug/factory.js';
import type { ProcessorFactory } from '../../../src/collector/factory.js';
import { createRegistry, startCollector } from '../../../src/collector/index.js';
import type { MemoryLimiterConfig } from '../../../src/collector/processors/memory_limiter/config.js';
import { memoryLimiterProcessorFactory } from '../../../src/collector/processors/memory_limiter/factory.js';
import { MemoryLimiterProcessor } from '../../../src/collector/processors/memory_limiter/MemoryLimiterProcessor.js';
import { otlpReceiverFactory } from '../../../src/collector/receivers/otlp/factory.js';
import { freePort } from '../helpers.js';

/** The real memory_limiter, with memory reading injected so the test controls pressure. */
function limiterWith(
  memory: { used: number },
  built: MemoryLimiterProcessor[],
): ProcessorFactory<MemoryLimiterConfig> {
  return {
    ...memoryLimiterProcessorFactory,
    createProcessor: (settings, _config, signal, next) => {
      const limiter = new MemoryLimiterProcessor(
        { limits: { hardBytes: 100, softBytes: 80 }, checkIntervalMs: 2000, readMemory: () => memory.used },
        signal,
        next,
        { processor: settings.id, pipeline: settings.pipeline },
      );
      built.push(limiter);
      return limiter;
    },
  };
}

const body = JSON.stringify({
  resourceSpans: [
    {
      resource: {},
      scopeSpans: [
        {
          scope: {},
          spans: [
            {
              traceId: '0af7651916cd43dd8448eb211c80319c',
              spanId: 'b7ad6b7169203331',
              name: 'predict',
              kind: 1,
              startTimeUnixNano: '1',
              endTimeUnixNano: '2',
            },
          ],
        },
      ],
    },
  ],
});

describe('OTLP receiver behind memory_limiter', () => {
  it('answers 503 with Retry-After while memory is high, counts refused spans, and accepts once it drops', async () => {
    const memory = { used: 90 };
    const [http, grpc] = [await freePort(), await freePort()];
    const silent = { write: () => true };
    const limiters: MemoryLimiterProcessor[] = [];
    const registry = createRegistry({
      receivers: [otlpReceiverFactory],
      processors: [limiterWith(memory, limiters)],
      exporters: [
        { ...debugExporterFactory, createExporter: (s) => new DebugExporter(s.id, 'basic', silent) },
      ],
    });
    const running = await startCollector(
      {
        receivers: {
          otlp: {
            protocols: { http: { endpoint: `127.0.0.1:${http}` }, grpc: { endpoint: `127.0.0.1:${grpc}` } },
          },
        },
        processors: { memory_limiter: { limit_mib: 1 } },
        exporters: { debug: null },
        service: {
          telemetry: { endpoint: '127.0.0.1:0' },
          pipelines: {
            traces: { receivers: ['otlp'], processors: ['memory_limiter'], exporters: ['debug'] },
          },
        },
      },
      { components: registry, log: () => undefined },
    );
    try {
      const post = () =>
        fetch(`http://127.0.0.1:${http}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
      const refused = await post();
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '2');
      const labels = { processor: 'memory_limiter', pipeline: 'traces' };
      assert.equal(await running.service.telemetry.get('mlobs_processor_refused_spans_total', labels), 1);

      memory.used = 10;
      assert.equal(limiters.length, 1);
      limiters[0]?.check();
      assert.equal((await post()).status, 200);
      assert.equal(
        await running.service.telemetry.get('mlobs_exporter_sent_spans_total', { exporter: 'debug' }),
        1,
      );
    } finally {
      await running.shutdown();
    }
  });
});
