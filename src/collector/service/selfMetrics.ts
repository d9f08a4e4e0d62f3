/**
 * Names and helpers for the collector's self-telemetry counters, so every component
 * counts the same way: `mlobs_<kind>_<outcome>_<items>_total` with the component id as
 * a label, mirroring the OpenTelemetry Collector's `otelcol_receiver_accepted_spans`.
 *
 * Receivers count `accepted` / `refused`; processors count `dropped` (and `refused` when
 * they push back); exporters count `sent` / `send_failed`. Labels: `receiver`,
 * `processor` or `exporter` = component id, plus `transport` for receivers and
 * `pipeline` for processors.
 */

import type { LogsData, MetricsData, TracesData } from '../../model/otlp.js';
import { countDataPoints, countLogRecords, countSpans } from '../../model/otlp.js';
import type { Signal, Telemetry } from '../component.js';

/** The instrumentation scope of the collector's self-telemetry on its one MeterProvider. */
export const SELF_TELEMETRY_SCOPE = 'mlobs/collector';

/** Self-telemetry counter: requests (attempts, retries included) an exporter's destination did not take. */
export const FAILED_REQUESTS_COUNTER = 'mlobs_exporter_failed_requests_total';

/** Which part of the collector a counter belongs to. */
export type CounterKind = 'receiver' | 'processor' | 'exporter';

/** What happened to the items. */
export type CounterOutcome = 'accepted' | 'refused' | 'dropped' | 'sent' | 'send_failed';

/** The item each signal is counted in. */
export const ITEM_NAMES: Readonly<Record<Signal, string>> = {
  traces: 'spans',
  logs: 'log_records',
  metrics: 'metric_points',
};

/** The counter name for a kind, outcome and signal: `mlobs_receiver_accepted_spans_total`. */
export function counterName(kind: CounterKind, outcome: CounterOutcome, signal: Signal): string {
  return `mlobs_${kind}_${outcome}_${ITEM_NAMES[signal]}_total`;
}

/** Counts the items (spans, log records, metric points) in a batch of the given signal. */
export function countItems(signal: Signal, data: TracesData | LogsData | MetricsData): number {
  if (signal === 'traces') return countSpans(data as TracesData);
  if (signal === 'logs') return countLogRecords(data as LogsData);
  return countDataPoints(data as MetricsData);
}

/** Adds `count` items to the counter for this kind/outcome/signal, labelled with the component id. */
export function recordItems(
  telemetry: Telemetry,
  kind: CounterKind,
  outcome: CounterOutcome,
  signal: Signal,
  count: number,
  labels: Record<string, string>,
): void {
  if (count > 0) telemetry.add(counterName(kind, outcome, signal), count, labels);
}

/** A telemetry sink that keeps nothing, for components used outside a service (tests, libraries). */
export const noopTelemetry: Telemetry = { add() {} };
