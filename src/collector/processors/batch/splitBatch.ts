/**
 * Splitting and merging of OTLP batches by item count, for the batch processor. Items
 * are spans, log records, or metric data points (a metric with many points may be split
 * across batches, as the OpenTelemetry Collector does). Inputs are never mutated: the
 * head and tail get new container objects that share the untouched items.
 */

import type { LogsData, Metric, MetricsData, TracesData } from '../../../model/otlp.js';
import type { Signal } from '../../component.js';

/** A batch of any one signal. */
export type AnyData = TracesData | LogsData | MetricsData;

interface Level {
  items(container: unknown): unknown[];
  withItems(container: unknown, items: unknown[]): unknown;
}

const TRACES: Level[] = [
  { items: (d) => (d as TracesData).resourceSpans, withItems: (_d, i) => ({ resourceSpans: i }) },
  {
    items: (r) => (r as { scopeSpans: unknown[] }).scopeSpans,
    withItems: (r, i) => ({ ...(r as object), scopeSpans: i }),
  },
  { items: (s) => (s as { spans: unknown[] }).spans, withItems: (s, i) => ({ ...(s as object), spans: i }) },
];

const LOGS: Level[] = [
  { items: (d) => (d as LogsData).resourceLogs, withItems: (_d, i) => ({ resourceLogs: i }) },
  {
    items: (r) => (r as { scopeLogs: unknown[] }).scopeLogs,
    withItems: (r, i) => ({ ...(r as object), scopeLogs: i }),
  },
  {
    items: (s) => (s as { logRecords: unknown[] }).logRecords,
    withItems: (s, i) => ({ ...(s as object), logRecords: i }),
  },
];

const METRICS: Level[] = [
  { items: (d) => (d as MetricsData).resourceMetrics, withItems: (_d, i) => ({ resourceMetrics: i }) },
  {
    items: (r) => (r as { scopeMetrics: unknown[] }).scopeMetrics,
    withItems: (r, i) => ({ ...(r as object), scopeMetrics: i }),
  },
  {
    items: (s) => (s as { metrics: unknown[] }).metrics,
    withItems: (s, i) => ({ ...(s as object), metrics: i }),
  },
  {
    items: (m) => metricData(m as Metric)?.dataPoints ?? [],
    withItems: (m, i) => withPoints(m as Metric, i),
  },
];

const LEVELS: Record<Signal, Level[]> = { traces: TRACES, logs: LOGS, metrics: METRICS };

/** An empty batch of the signal. */
export function emptyBatch(signal: Signal): AnyData {
  return LEVELS[signal][0]?.withItems(undefined, []) as AnyData;
}

/** Concatenates batches (resources are appended, not deduplicated, as the Collector does). */
export function mergeBatches(signal: Signal, batches: readonly AnyData[]): AnyData {
  const top = LEVELS[signal][0] as Level;
  if (batches.length === 1) return batches[0] as AnyData;
  return top.withItems(
    undefined,
    batches.flatMap((b) => top.items(b)),
  ) as AnyData;
}

/** Splits off the first `n` items: `[head with n items (or all), tail with the rest]`. */
export function splitBatch(signal: Signal, data: AnyData, n: number): [AnyData, AnyData] {
  const [head, tail] = split(LEVELS[signal], 0, data, n);
  return [head as AnyData, tail as AnyData];
}

/** Counts the items at the leaf level of a container at `depth`. */
function size(levels: Level[], depth: number, container: unknown): number {
  const level = levels[depth] as Level;
  const items = level.items(container);
  if (depth === levels.length - 1) return items.length;
  let n = 0;
  for (const item of items) n += size(levels, depth + 1, item);
  return n;
}

function split(levels: Level[], depth: number, container: unknown, n: number): [unknown, unknown] {
  const level = levels[depth] as Level;
  const items = level.items(container);
  const leaf = depth === levels.length - 1;
  const head: unknown[] = [];
  const tail: unknown[] = [];
  let remaining = n;
  for (const item of items) {
    if (remaining <= 0) {
      tail.push(item);
      continue;
    }
    const itemSize = leaf ? 1 : size(levels, depth + 1, item);
    if (itemSize <= remaining) {
      head.push(item);
      remaining -= itemSize;
    } else {
      const [h, t] = split(levels, depth + 1, item, remaining);
      head.push(h);
      tail.push(t);
      remaining = 0;
    }
  }
  return [level.withItems(container, head), level.withItems(container, tail)];
}

function metricData(m: Metric): { dataPoints: unknown[] } | undefined {
  return m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary;
}

function withPoints(m: Metric, points: unknown[]): Metric {
  const out: Metric = { ...m };
  if (m.gauge) out.gauge = { ...m.gauge, dataPoints: points as never };
  else if (m.sum) out.sum = { ...m.sum, dataPoints: points as never };
  else if (m.histogram) out.histogram = { ...m.histogram, dataPoints: points as never };
  else if (m.exponentialHistogram)
    out.exponentialHistogram = { ...m.exponentialHistogram, dataPoints: points as never };
  else if (m.summary) out.summary = { ...m.summary, dataPoints: points as never };
  return out;
}
