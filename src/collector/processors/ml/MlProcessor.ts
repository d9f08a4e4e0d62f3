/**
 * One pipeline's instance of the `ml` processor. Traces: component runs and label spans go
 * to the shared analysis, the batch is persisted, then forwarded unchanged with the
 * `ml.incident` spans it caused appended (as one more ResourceSpans with
 * `service.name=mlobs`); summary events are read without being marked read, so the exporter
 * forwards their received bytes instead of encoding them again. Logs: label log records join predictions; the batch is forwarded
 * with the `ml.finding` and `ml.incident` log records appended. Output of the other signal goes to the other
 * pipelines the processor is in; a pipeline it is not in never sees it (it is still in the
 * state store). Metrics: passed through; the statistics arrive on their own interval.
 *
 * A batch is analysed and persisted before it is forwarded, so what the sender sees
 * acknowledged is never lost. If a later stage refuses it, the sender retries; a retry of
 * one of the last 512 batches is recognized and forwarded with its earlier output instead
 * of being counted twice (after a restart that memory is gone, so a batch refused just
 * before a crash and retried after it is counted twice).
 */
import { createHash } from 'node:crypto';
import { fromOtlpSpans } from '../../../analysis/adapters/fromOtlp.js';
import { incidentsToTracesData } from '../../../analysis/output/otlpRender.js';
import type { LogsData, MetricsData, TracesData } from '../../../model/otlp.js';
import type { SpanRecord } from '../../../model/spanRecord.js';
import type {
  Component,
  Host,
  LogsConsumer,
  MetricsConsumer,
  Signal,
  TracesConsumer,
} from '../../component.js';
import { peekEventAttributes } from '../../otlp/lazyEvent.js';
import { labelRecordsFromLogs } from './fromOtlpLogs.js';
import { emptyOutput, MLOBS_RESOURCE, type MlCore, outputLogs } from './MlCore.js';

type Next = TracesConsumer & LogsConsumer & MetricsConsumer;

/** Identifies a traces batch by its span ids (unique per span), so a retried batch is recognized. */
function tracesKey(data: TracesData): string {
  const h = createHash('sha1');
  for (const rs of data.resourceSpans)
    for (const ss of rs.scopeSpans) for (const s of ss.spans) h.update(`${s.traceId}${s.spanId}|`);
  return `t${h.digest('hex')}`;
}

/** Identifies label records by their content (log records carry no unique id). */
function recordsKey(records: readonly SpanRecord[]): string {
  return `l${createHash('sha1').update(JSON.stringify(records)).digest('hex')}`;
}

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
    const out = this.core.analyzeOnce(tracesKey(data), () => fromOtlpSpans(data, peekEventAttributes));
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

  /** Joins labels carried by log records, then forwards the logs with the finding, incident and reaction records made. */
  async consumeLogs(data: LogsData): Promise<void> {
    const records = labelRecordsFromLogs(data);
    const out =
      records.length === 0 ? emptyOutput() : this.core.analyzeOnce(recordsKey(records), () => records);
    const mine = outputLogs(out);
    const forward =
      mine === undefined ? data : { resourceLogs: [...data.resourceLogs, ...mine.resourceLogs] };
    await this.next.consumeLogs(forward);
    await this.core.dispatch(out, 'logs');
  }

  /** Passes metrics through unchanged. */
  consumeMetrics(data: MetricsData): Promise<void> {
    return this.next.consumeMetrics(data);
  }
}
