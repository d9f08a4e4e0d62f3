import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveMemoryLimits } from '../../../../src/collector/processors/memory_limiter/config.js';
import { memoryLimiterProcessorFactory } from '../../../../src/collector/processors/memory_limiter/factory.js';
import {
  forceGc,
  heapInUse,
  MemoryLimiterProcessor,
} from '../../../../src/collector/processors/memory_limiter/MemoryLimiterProcessor.js';
import { TelemetryRegistry } from '../../../../src/collector/service/TelemetryRegistry.js';
import { oneSpanTraces, RecordingConsumer, testHost } from '../../helpers.js';

const MIB = 1024 * 1024;
const batch = oneSpanTraces();

const labels = { processor: 'memory_limiter', pipeline: 'traces' };

function limiter(memory: { used: number }, checkIntervalMs = 60_000, gc?: () => void) {
  const sink = new RecordingConsumer();
  const telemetry = new TelemetryRegistry();
  const p = new MemoryLimiterProcessor(
    {
      limits: { hardBytes: 100 * MIB, softBytes: 80 * MIB },
      checkIntervalMs,
      readMemory: () => memory.used,
      gc,
    },
    'traces',
    sink,
    labels,
  );
  return { p, sink, telemetry, host: testHost(telemetry) };
}

describe('memory_limiter processor', () => {
  it('passes data on below the soft limit', async () => {
    const { p, sink, host } = limiter({ used: 50 * MIB });
    await p.start(host);
    await p.consumeTraces(batch);
    assert.equal(sink.traces.length, 1);
    await p.shutdown();
  });

  it('refuses with a retryable error and a Retry-After hint above the soft limit, and counts it', async () => {
    const memory = { used: 90 * MIB };
    const { p, sink, telemetry, host } = limiter(memory, 5000);
    await p.start(host);
    await assert.rejects(
      p.consumeTraces(batch),
      (err: Error & { permanent?: boolean; retryAfterMs?: number }) => {
        assert.equal(err.name, 'ConsumerError');
        assert.equal(err.permanent, false);
        assert.equal(err.retryAfterMs, 5000);
        return true;
      },
    );
    assert.equal(sink.traces.length, 0);
    assert.equal(await telemetry.get('mlobs_processor_refused_spans_total', labels), 1);
    memory.used = 10 * MIB;
    p.check();
    await p.consumeTraces(batch);
    assert.equal(sink.traces.length, 1, 'accepts again once memory is back under the soft limit');
    await p.shutdown();
  });

  it('measures on its interval, not per batch', async () => {
    const memory = { used: 10 * MIB };
    const { p, sink, host } = limiter(memory, 25);
    await p.start(host);
    memory.used = 95 * MIB;
    await p.consumeTraces(batch);
    assert.equal(sink.traces.length, 1, 'a batch right after the spike still passes: no check has run yet');
    for (let i = 0; i < 100 && !p.isRefusing; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(p.isRefusing, true);
    await assert.rejects(p.consumeTraces(batch));
    await p.shutdown();
    await p.consumeTraces(batch);
    assert.equal(sink.traces.length, 2, 'after shutdown data drains through');
  });

  it('forces a garbage collection above the hard limit and accepts if that frees enough', async () => {
    const memory = { used: 120 * MIB };
    let collections = 0;
    const { p, sink, host } = limiter(memory, 60_000, () => {
      collections++;
      memory.used = 40 * MIB;
    });
    await p.start(host);
    assert.equal(collections, 1);
    await p.consumeTraces(batch);
    assert.equal(sink.traces.length, 1);
    await p.shutdown();
  });
});

describe('memory_limiter measuring the real heap', () => {
  it('measures the heap in use rather than RSS, and accepts again within seconds once a spike is garbage', async () => {
    forceGc()?.();
    const baseline = heapInUse();
    const sink = new RecordingConsumer();
    const p = new MemoryLimiterProcessor(
      { limits: { hardBytes: baseline + 96 * MIB, softBytes: baseline + 64 * MIB }, checkIntervalMs: 100 },
      'traces',
      sink,
      labels,
    );
    // A spike: 80 MiB of buffers (external memory) and ~40 MiB of small objects (heap).
    let spike: unknown[] | undefined = [
      Buffer.alloc(80 * MIB, 1),
      Array.from({ length: 400_000 }, (_, i) => ({ i, s: `row-${i}` })),
    ];
    await p.start(testHost(new TelemetryRegistry()));
    assert.equal(
      p.isRefusing,
      true,
      `refuses during the spike (spike of ${(spike as unknown[]).length} parts held)`,
    );
    await assert.rejects(p.consumeTraces(batch));
    spike = undefined;
    const t0 = Date.now();
    while (p.isRefusing && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
    const waited = Date.now() - t0;
    assert.equal(p.isRefusing, false, 'still refusing 5 s after the spike became garbage');
    assert.ok(waited < 3000, `recovered in ${waited} ms`);
    await p.consumeTraces(batch);
    assert.equal(sink.traces.length, 1);
    await p.shutdown();
  });
});

describe('memory_limiter config', () => {
  it('needs exactly one kind of limit and a spike below it', () => {
    const v = memoryLimiterProcessorFactory.validate;
    const d = memoryLimiterProcessorFactory.createDefaultConfig();
    assert.deepEqual(d, {
      check_interval: '1s',
      limit_mib: 0,
      spike_limit_mib: 0,
      limit_percentage: 0,
      spike_limit_percentage: 0,
      min_gc_interval_when_soft_limited: '1s',
      min_gc_interval_when_hard_limited: '0s',
    });
    assert.deepEqual(v(d), [
      { path: 'limit_mib', message: 'set limit_mib or limit_percentage to a value > 0' },
    ]);
    assert.deepEqual(v({ ...d, limit_mib: 100, limit_percentage: 50 }), [
      { path: 'limit_percentage', message: 'set limit_mib or limit_percentage, not both' },
    ]);
    assert.deepEqual(v({ ...d, limit_mib: 100, spike_limit_mib: 100 }), [
      { path: 'spike_limit_mib', message: 'must be < limit_mib (100), got 100' },
    ]);
    assert.deepEqual(v({ ...d, limit_percentage: 120 }), [
      { path: 'limit_percentage', message: 'must be at most 100, got 120' },
    ]);
    assert.deepEqual(v({ ...d, limit_mib: 10, check_interval: '0s' }), [
      { path: 'check_interval', message: 'must be > 0' },
    ]);
    assert.deepEqual(v({ ...d, limit_mib: 512, spike_limit_mib: 128 }), []);
  });

  it('resolves limits in bytes, with a 20% spike by default', () => {
    const d = memoryLimiterProcessorFactory.createDefaultConfig();
    assert.deepEqual(resolveMemoryLimits({ ...d, limit_mib: 100 }, 0), {
      hardBytes: 100 * MIB,
      softBytes: 80 * MIB,
    });
    assert.deepEqual(resolveMemoryLimits({ ...d, limit_mib: 100, spike_limit_mib: 10 }, 0), {
      hardBytes: 100 * MIB,
      softBytes: 90 * MIB,
    });
    assert.deepEqual(
      resolveMemoryLimits({ ...d, limit_percentage: 50, spike_limit_percentage: 10 }, 1000 * MIB),
      {
        hardBytes: 500 * MIB,
        softBytes: 400 * MIB,
      },
    );
  });
});
