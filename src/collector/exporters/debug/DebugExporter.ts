/**
 * The `debug` exporter: prints what reaches the end of a pipeline, to see a collector
 * working without a backend. `basic` prints one line of counts per batch (cheap enough
 * to leave on), `normal` one line per item, `detailed` every field.
 */
import {
  countDataPoints,
  countLogRecords,
  countSpans,
  type LogsData,
  type MetricsData,
  type TracesData,
} from '../../../model/otlp.js';
import type {
  Component,
  Host,
  LogsConsumer,
  MetricsConsumer,
  Telemetry,
  TracesConsumer,
} from '../../component.js';
import { noopTelemetry, recordItems } from '../../service/selfMetrics.js';
import type { Verbosity } from './config.js';
import {
  logsDetailed,
  logsNormal,
  metricsDetailed,
  metricsNormal,
  tracesDetailed,
  tracesNormal,
} from './formatData.js';

/** Where the exporter writes (default: stdout). */
export interface TextSink {
  /** Writes one chunk of text. */
  write(text: string): unknown;
}

/** Prints batches at the configured verbosity. */
export class DebugExporter implements Component, TracesConsumer, LogsConsumer, MetricsConsumer {
  private telemetry: Telemetry = noopTelemetry;

  constructor(
    private readonly id: string,
    private readonly verbosity: Verbosity,
    private readonly out: TextSink = process.stdout,
  ) {}

  /** Keeps the host's telemetry. */
  async start(host: Host): Promise<void> {
    this.telemetry = host.telemetry;
  }

  /** Nothing is buffered, so nothing to drain. */
  async shutdown(): Promise<void> {}

  /** Prints a traces batch. */
  async consumeTraces(data: TracesData): Promise<void> {
    const spans = countSpans(data);
    this.print('traces', { 'resource spans': data.resourceSpans.length, spans }, () =>
      this.verbosity === 'detailed' ? tracesDetailed(data) : tracesNormal(data),
    );
    recordItems(this.telemetry, 'exporter', 'sent', 'traces', spans, { exporter: this.id });
  }

  /** Prints a logs batch. */
  async consumeLogs(data: LogsData): Promise<void> {
    const records = countLogRecords(data);
    this.print('logs', { 'resource logs': data.resourceLogs.length, 'log records': records }, () =>
      this.verbosity === 'detailed' ? logsDetailed(data) : logsNormal(data),
    );
    recordItems(this.telemetry, 'exporter', 'sent', 'logs', records, { exporter: this.id });
  }

  /** Prints a metrics batch. */
  async consumeMetrics(data: MetricsData): Promise<void> {
    const points = countDataPoints(data);
    let metrics = 0;
    for (const rm of data.resourceMetrics) for (const sm of rm.scopeMetrics) metrics += sm.metrics.length;
    this.print(
      'metrics',
      { 'resource metrics': data.resourceMetrics.length, metrics, 'data points': points },
      () => (this.verbosity === 'detailed' ? metricsDetailed(data) : metricsNormal(data)),
    );
    recordItems(this.telemetry, 'exporter', 'sent', 'metrics', points, { exporter: this.id });
  }

  private print(dataType: string, counts: Record<string, number>, body: () => string[]): void {
    const summary = JSON.stringify({ kind: 'exporter', data_type: dataType, name: this.id, ...counts });
    const lines = [`${new Date().toISOString()}\tinfo\t${summary}`];
    if (this.verbosity !== 'basic') lines.push(...body());
    this.out.write(`${lines.join('\n')}\n`);
  }
}
