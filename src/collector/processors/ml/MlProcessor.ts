/**
 * One pipeline's instance of the `ml` processor. Traces: component runs and label spans go
 * to the shared analysis, the batch is persisted, then forwarded unchanged with the
 * `ml.incident` spans it caused appended (as one more ResourceSpans with
 * `service.name=mlobs`). Logs: label log records join predictions; the batch is forwarded
 * with the `ml.finding` log records appended. Output of the other signal goes to the other
 * pipelines the processor is in; a pipeline it is not in never sees it (it is still in the
 * state store). Metrics: passed through; the statistics arrive on their own interval.
 */
import { fromOtlpSpans } from '../../../analysis/adapters/fromOtlp.js';
import { findingsToLogsData, incidentsToTracesData } from '../../../analysis/output/otlpRender.js';
import type { LogsData, MetricsData, TracesData } from '../../../model/otlp.js';
import type {
  Component,
  Host,
  LogsConsumer,
  MetricsConsumer,
  Signal,
  TracesConsumer,
} from '../../component.js';
import { labelRecordsFromLogs } from './fromOtlpLogs.js';
import { MLOBS_RESOURCE, type MlCore } from './MlCore.js';

type Next = TracesConsumer & LogsConsumer & MetricsConsumer;

/** The `ml` processor in one pipeline. */
export class MlProcessor implements Component, TracesConsumer, LogsConsumer, MetricsConsumer {
  private attached = false;

  constructor(
    /** The analysis shared by every pipeline that lists this processor id. */
    readonly core: MlCore,
    private readonly signal: Signal,
    private readonly next: Next,
  ) {
    core.register(signal);
  }

  /** Attaches to the shared analysis (the first instance opens the state store). */
  async start(host: Host): Promise<void> {
    if (this.attached) return;
    await this.core.attach(host, this.signal, this.next);
    this.attached = true;
  }

  /** Detaches (the last instance closes the state store); safe without start and twice. */
  async shutdown(): Promise<void> {
    if (!this.attached) return;
    this.attached = false;
    await this.core.detach();
  }

  /** Analyses and persists the spans, then forwards them with the incident spans they caused. */
  async consumeTraces(data: TracesData): Promise<void> {
    const out = this.core.analyze(fromOtlpSpans(data));
    const forward =
      out.incidents.length === 0
        ? data
        : {
            resourceSpans: [
              ...data.resourceSpans,
              ...incidentsToTracesData(out.incidents, MLOBS_RESOURCE).resourceSpans,
            ],
          };
    await this.next.consumeTraces(forward);
    await this.core.dispatch(out, 'traces');
  }

  /** Joins labels carried by log records, then forwards the logs with the findings made. */
  async consumeLogs(data: LogsData): Promise<void> {
    const out = this.core.analyze(labelRecordsFromLogs(data));
    const forward =
      out.findings.length === 0
        ? data
        : {
            resourceLogs: [
              ...data.resourceLogs,
              ...findingsToLogsData(out.findings, MLOBS_RESOURCE).resourceLogs,
            ],
          };
    await this.next.consumeLogs(forward);
    await this.core.dispatch(out, 'logs');
  }

  /** Passes metrics through unchanged. */
  consumeMetrics(data: MetricsData): Promise<void> {
    return this.next.consumeMetrics(data);
  }
}
