import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { ConsumerError } from '../../../src/collector/component.js';
import {
  RetrySender,
  type SendItem,
  type SendResult,
} from '../../../src/collector/exporterhelper/RetrySender.js';

const policy = {
  enabled: true,
  initialMs: 10,
  maxMs: 40,
  maxElapsedMs: 2000,
  multiplier: 2,
  randomization: 0,
};
const item = (count = 3): SendItem => ({ signal: 'traces', body: new Uint8Array([1]), count });

function counters() {
  const map = new Map<string, number>();
  return { map, telemetry: { add: (n: string, v: number) => map.set(n, (map.get(n) ?? 0) + v) } };
}

function captureWarnings(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const logger = { warn: (m: string) => lines.push(m), error() {}, info() {}, debug() {}, verbose() {} };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return { lines, restore: () => diag.disable() };
}

describe('RetrySender', () => {
  it('retries retryable failures with growing waits and honours a longer Retry-After', async () => {
    const times: number[] = [];
    const results: SendResult[] = [
      { ok: false, retryable: true, message: '503' },
      { ok: false, retryable: true, message: '503' },
      { ok: false, retryable: true, message: '429', retryAfterMs: 150 },
      { ok: true },
    ];
    const c = counters();
    const sender = new RetrySender({
      id: 'otlp_http',
      retry: policy,
      send: async () => {
        times.push(Date.now());
        return results.shift()!;
      },
    });
    sender.telemetry = c.telemetry;
    await sender.submit(item());
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    assert.equal(times.length, 4);
    assert.ok(gaps[0] >= 9 && gaps[1] >= 19, `back-off grows: ${gaps}`);
    assert.ok(gaps[2] >= 145, `Retry-After honoured: ${gaps}`);
    assert.equal(c.map.get('mlobs_exporter_sent_spans_total'), 3);
  });

  it('does not retry a permanent failure and reports it as a permanent ConsumerError', async () => {
    let calls = 0;
    const c = counters();
    const sender = new RetrySender({
      id: 'x',
      retry: policy,
      send: async (): Promise<SendResult> => {
        calls++;
        return { ok: false, retryable: false, message: 'HTTP 400: bad' };
      },
    });
    sender.telemetry = c.telemetry;
    const err = await sender.submit(item(5)).catch((e: unknown) => e);
    assert.ok(err instanceof ConsumerError && err.permanent);
    assert.match(err.message, /HTTP 400: bad/);
    assert.equal(calls, 1);
    assert.equal(c.map.get('mlobs_exporter_send_failed_spans_total'), 5);
  });

  it('gives up after max_elapsed_time', async () => {
    let calls = 0;
    const sender = new RetrySender({
      id: 'x',
      retry: { ...policy, maxElapsedMs: 60 },
      send: async (): Promise<SendResult> => {
        calls++;
        return { ok: false, retryable: true, message: 'down' };
      },
    });
    const started = Date.now();
    const err = await sender.submit(item()).catch((e: unknown) => e);
    assert.ok(err instanceof ConsumerError && !err.permanent);
    assert.ok(Date.now() - started < 2000, 'gave up well before retrying for long');
    assert.ok(calls >= 2 && calls <= 5, `calls ${calls}`);
  });

  it('refuses work when the queue is full, counts it and warns once with the total', async () => {
    const warnings = captureWarnings();
    try {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const c = counters();
      const sender = new RetrySender({
        id: 'otlp_grpc',
        retry: policy,
        queue: { size: 2, consumers: 1 },
        send: async (): Promise<SendResult> => {
          await gate;
          return { ok: true };
        },
        warnIntervalMs: 60_000,
      });
      sender.telemetry = c.telemetry;
      await sender.submit(item(1)); // taken by the one consumer
      await sender.submit(item(1));
      await sender.submit(item(1));
      assert.equal(sender.queued, 2);
      for (let i = 0; i < 3; i++) {
        const err = await sender.submit(item(4)).catch((e: unknown) => e);
        assert.ok(err instanceof ConsumerError && !err.permanent && err.retryAfterMs === 10);
      }
      assert.equal(c.map.get('mlobs_exporter_enqueue_failed_spans_total'), 12);
      release();
      await sender.shutdown(1000);
      assert.equal(c.map.get('mlobs_exporter_sent_spans_total'), 3);
      const drops = warnings.lines.filter((l) => /sending queue full/.test(l));
      assert.ok(drops.length <= 2, `at most one warning per interval plus the shutdown flush: ${drops}`);
      assert.match(drops.join('\n'), /4 spans dropped \(sending queue full\)/);
      assert.match(drops.join('\n'), /8 spans dropped \(sending queue full\)/);
    } finally {
      warnings.restore();
    }
  });

  it('drains the queue at shutdown, and drops what is left at the deadline', async () => {
    const c = counters();
    const sent: number[] = [];
    const fast = new RetrySender({
      id: 'x',
      retry: policy,
      queue: { size: 100, consumers: 2 },
      send: async (it): Promise<SendResult> => {
        await new Promise((r) => setTimeout(r, 5));
        sent.push(it.count);
        return { ok: true };
      },
    });
    for (let i = 0; i < 10; i++) await fast.submit(item(1));
    await fast.shutdown(2000);
    assert.equal(sent.length, 10);

    const stuck = new RetrySender({
      id: 'y',
      retry: policy,
      queue: { size: 100, consumers: 1 },
      send: async () => ({ ok: false, retryable: true, message: 'down' }),
    });
    stuck.telemetry = c.telemetry;
    for (let i = 0; i < 4; i++) await stuck.submit(item(2));
    const started = Date.now();
    await stuck.shutdown(100);
    assert.ok(Date.now() - started < 3000, 'shutdown is bounded');
    await assert.rejects(stuck.submit(item()), /shut down/);
    assert.equal(
      c.map.get('mlobs_exporter_send_failed_spans_total'),
      8,
      '3 queued dropped and 1 in flight aborted',
    );
  });

  it('releases every body exactly once: delivered, failed for good, refused by a full queue, dropped at shutdown, after shutdown', async () => {
    const released: string[] = [];
    const tracked = (name: string): SendItem => ({ ...item(1), release: () => released.push(name) });
    let gate: () => void = () => undefined;
    const outcomes: Record<string, SendResult> = {
      ok: { ok: true },
      bad: { ok: false, retryable: false, message: '400' },
    };
    const inline = new RetrySender({
      id: 'x',
      retry: policy,
      send: async (i) => outcomes[(i as SendItem & { name: string }).name],
    });
    await inline.submit({ ...tracked('inline ok'), name: 'ok' } as SendItem);
    await assert.rejects(inline.submit({ ...tracked('inline bad'), name: 'bad' } as SendItem));
    const queued = new RetrySender({
      id: 'x',
      retry: policy,
      queue: { size: 1, consumers: 1 },
      send: (_i, abort) =>
        new Promise<SendResult>((resolve) => {
          gate = () => resolve({ ok: true });
          abort.addEventListener('abort', () => resolve({ ok: false, retryable: true, message: 'aborted' }));
        }),
    });
    await queued.submit(tracked('in flight'));
    await queued.submit(tracked('waiting'));
    await assert.rejects(queued.submit(tracked('queue full')));
    assert.deepEqual(released, ['inline ok', 'inline bad', 'queue full']);
    gate();
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(released.slice(3), ['in flight']);
    const stop = queued.shutdown(20);
    await assert.rejects(queued.submit(tracked('after shutdown')));
    await stop;
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(released.slice(3).sort(), ['after shutdown', 'in flight', 'waiting']);
  });

  it('bounds the queue in bytes as well as in requests', async () => {
    const c = counters();
    const sender = new RetrySender({
      id: 'x',
      retry: policy,
      queue: { size: 100, consumers: 1, maxBytes: 2500 },
      send: () => new Promise<SendResult>(() => undefined),
    });
    sender.telemetry = c.telemetry;
    const big = (): SendItem => ({ signal: 'traces', body: new Uint8Array(1000), count: 1 });
    await sender.submit(big()); // taken by the one consumer at once
    await sender.submit(big());
    await sender.submit(big());
    assert.equal(sender.queuedSize, 2000);
    await assert.rejects(
      sender.submit(big()),
      (e: ConsumerError) => !e.permanent && /queue is full/.test(e.message),
    );
    assert.equal(c.map.get('mlobs_exporter_enqueue_failed_spans_total'), 1);
    await sender.shutdown(10);
  });

  it('counts requests still being sent at shutdown as dropped, with one warning', async () => {
    const c = counters();
    const w = captureWarnings();
    try {
      const sender = new RetrySender({
        id: 'x',
        retry: policy,
        queue: { size: 10, consumers: 2 },
        // A backend that never answers, and a transport that ignores the abort.
        send: () => new Promise<SendResult>(() => undefined),
      });
      sender.telemetry = c.telemetry;
      await sender.submit(item(40));
      await sender.submit(item(60));
      await sender.submit(item(5));
      await sender.shutdown(20);
      assert.equal(
        c.map.get('mlobs_exporter_send_failed_spans_total'),
        105,
        'queued and in-flight spans are all counted',
      );
      assert.ok(
        w.lines.some((l) => /100 spans dropped at shutdown \(being sent\)/.test(l)),
        w.lines.join('\n'),
      );
      assert.ok(
        w.lines.some((l) => /5 spans dropped at shutdown \(queue not drained/.test(l)),
        w.lines.join('\n'),
      );
    } finally {
      w.restore();
    }
  });

  it('with a store, acknowledges only once the request is stored, forgets it once sent, and keeps it when shutdown cuts in', async () => {
    const rows = new Map<number, { signal: 'traces'; count: number; body: Buffer }>();
    let next = 1;
    const store = {
      put: (signal: 'traces', count: number, body: Uint8Array) => {
        rows.set(next, { signal, count, body: Buffer.from(body) });
        return next++;
      },
      remove: (id: number) => void rows.delete(id),
      all: () => [...rows].map(([id, r]) => ({ id, ...r })),
    };
    let answer: ((r: SendResult) => void) | undefined;
    const sender = new RetrySender({
      id: 'x',
      retry: policy,
      queue: { size: 10, consumers: 1 },
      send: () => new Promise<SendResult>((r) => (answer = r)),
    });
    sender.useStore(store as never);
    await sender.submit(item(2));
    assert.equal(rows.size, 1, 'on disk when submit resolves');
    while (!answer) await new Promise((r) => setTimeout(r, 1));
    answer({ ok: true });
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(rows.size, 0, 'forgotten once delivered');
    answer = undefined;
    await sender.submit(item(4));
    await sender.shutdown(10);
    assert.equal(rows.size, 1, 'a request being sent at shutdown stays for the next start');
    const again = new RetrySender({
      id: 'x',
      retry: policy,
      queue: { size: 10, consumers: 1 },
      send: async () => ({ ok: true }),
    });
    assert.equal(again.useStore(store as never), 1);
    await again.shutdown(1000);
    assert.equal(rows.size, 0, 'the next start delivers it');
  });
});
