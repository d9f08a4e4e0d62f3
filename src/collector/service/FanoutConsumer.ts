/**
 * Hands one batch to several consumers (the exporters of a pipeline, or the pipelines a
 * shared receiver feeds). Every consumer gets the batch even if another fails; consumers
 * must treat the batch as read-only since they share it. The combined error is
 * permanent only when every failure was permanent, so a retry is asked for whenever
 * one consumer could still succeed.
 */
import type { LogsData, MetricsData, TracesData } from '../../model/otlp.js';
import { ConsumerError, type LogsConsumer, type MetricsConsumer, type TracesConsumer } from '../component.js';

/** A consumer of all three signals that forwards each batch to every target. */
export class FanoutConsumer implements TracesConsumer, LogsConsumer, MetricsConsumer {
  constructor(
    private readonly traces: readonly TracesConsumer[],
    private readonly logs: readonly LogsConsumer[],
    private readonly metrics: readonly MetricsConsumer[],
  ) {}

  /** Forwards traces to every traces target. */
  consumeTraces(data: TracesData): Promise<void> {
    return fan(this.traces, (c) => c.consumeTraces(data), 'traces');
  }

  /** Forwards logs to every logs target. */
  consumeLogs(data: LogsData): Promise<void> {
    return fan(this.logs, (c) => c.consumeLogs(data), 'logs');
  }

  /** Forwards metrics to every metrics target. */
  consumeMetrics(data: MetricsData): Promise<void> {
    return fan(this.metrics, (c) => c.consumeMetrics(data), 'metrics');
  }
}

async function fan<C>(targets: readonly C[], call: (c: C) => Promise<void>, signal: string): Promise<void> {
  if (targets.length === 1) return call(targets[0] as C);
  if (targets.length === 0) {
    throw new ConsumerError(`no consumer for ${signal} in this pipeline`, { permanent: true });
  }
  const results = await Promise.allSettled(targets.map((t) => invoke(call, t)));
  const failures = results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => r.reason);
  if (failures.length === 0) return;
  if (failures.length === 1 && failures[0] instanceof ConsumerError) throw failures[0];
  const consumerErrors = failures.map((f) =>
    f instanceof ConsumerError
      ? f
      : new ConsumerError(String((f as Error)?.message ?? f), { permanent: false }),
  );
  const retryAfter = Math.max(0, ...consumerErrors.map((e) => e.retryAfterMs ?? 0));
  throw new ConsumerError(
    `${failures.length} of ${targets.length} consumers failed: ${consumerErrors.map((e) => e.message).join('; ')}`,
    {
      permanent: consumerErrors.every((e) => e.permanent),
      retryAfterMs: retryAfter > 0 ? retryAfter : undefined,
      cause: failures[0],
    },
  );
}

/** Turns a synchronous throw from a consumer into a rejection, so one bad consumer cannot skip the rest. */
function invoke<C>(call: (c: C) => Promise<void>, target: C): Promise<void> {
  try {
    return call(target);
  } catch (err) {
    return Promise.reject(err);
  }
}
