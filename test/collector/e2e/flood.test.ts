/**
 * The flood goal of issue 12, small enough to run in seconds: concurrent valid requests of the
 * worst shapes against a collector child process with a capped V8 heap and a memory_limiter,
 * retried on refusal as an OTLP client does. Nothing may crash, every request must end up
 * acknowledged, every acknowledged span must reach the exporter, and peak RSS must stay under
 * the memory_limiter's limit + 256 MiB. (`npm run bench:flood` runs the full-size version.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runFlood } from '../../../bench/flood/flood.js';
import { floodBodies } from '../../../bench/flood/shapes.js';
import { freePort } from '../helpers.js';

const MIB = 1024 * 1024;

describe('collector under a flood of large requests', () => {
  it('stays up, acknowledges everything eventually, delivers every acknowledged span, and keeps peak RSS under limit + 256 MiB', async () => {
    const port = await freePort();
    const limitMib = 160;
    const config = {
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}` } } } },
      processors: { memory_limiter: { limit_mib: limitMib, check_interval: '100ms' }, batch: {} },
      exporters: { count: {} },
      service: {
        telemetry: { endpoint: '127.0.0.1:0' },
        admission: { request_limit_mib: 16, waiting_limit_mib: 16 },
        pipelines: {
          traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['count'] },
        },
      },
    };
    const r = await runFlood({
      config,
      port,
      requests: 24,
      bodies: floodBodies(2),
      deadlineMs: 30_000,
      execArgv: ['--max-old-space-size=256'],
    });
    const summary = JSON.stringify({ ...r, peakMiB: Math.round(r.peakRssBytes / MIB) });
    assert.equal(r.crashed, false, `the collector died: ${summary}`);
    assert.equal(r.errors, 0, summary);
    assert.equal(r.acknowledged, 24, `every request is acknowledged after retries: ${summary}`);
    assert.equal(r.spansArrived, r.spansAcknowledged, `every acknowledged span arrived: ${summary}`);
    assert.ok(r.peakRssBytes > 0, 'peak RSS was read');
    assert.ok(r.peakRssBytes <= (limitMib + 256) * MIB, `peak RSS within limit + 256 MiB: ${summary}`);
  });
});
