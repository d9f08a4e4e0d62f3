/**
 * A metric exporter for the OpenTelemetry SDK's MeterProvider that hands the ml
 * processor's statistics (drift statistics, thresholds, missing rates, findings, open
 * incidents; recorded through the `@opentelemetry/api` metrics API by `OtelOutput`) to the
 * consumers of the metrics pipeline the processor sits in. The SDK's data is converted with
 * the official OTLP/JSON serializer and read back with our codec, so the bridge adds no
 * conversion of its own to get wrong.
 */
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { MetricsData } from '../../../model/otlp.js';
import { decodeMetricsJson } from '../../otlp/index.js';

/** Converts SDK metrics to the OTLP model and passes them to `deliver`. */
export class MetricsBridgeExporter implements PushMetricExporter {
  private inFlight = new Set<Promise<void>>();

  /** @param deliver receives each export; a rejection fails that export (the SDK logs it). */
  constructor(private readonly deliver: (data: MetricsData) => Promise<void>) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    let data: MetricsData;
    try {
      const bytes = JsonMetricsSerializer.serializeRequest(metrics);
      if (bytes === undefined) throw new Error('the OTLP/JSON serializer returned nothing');
      data = decodeMetricsJson(new TextDecoder().decode(bytes));
    } catch (err) {
      resultCallback({ code: ExportResultCode.FAILED, error: err as Error });
      return;
    }
    if (data.resourceMetrics.every((rm) => rm.scopeMetrics.every((sm) => sm.metrics.length === 0))) {
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    const p = this.deliver(data).then(
      () => resultCallback({ code: ExportResultCode.SUCCESS }),
      (err: unknown) => resultCallback({ code: ExportResultCode.FAILED, error: err as Error }),
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
  }
}
