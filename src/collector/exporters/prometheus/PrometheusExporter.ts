/**
 * The `prometheus` exporter: a pull endpoint. Metrics pipelines push OTLP points into a
 * {@link SeriesStore}; a scrape of `/metrics` renders the series (text 0.0.4, or OpenMetrics
 * when `Accept` asks for it) and, with `self_telemetry`, the collector's own counters (read
 * from the collector's one MeterProvider), all through the one serializer in `src/collector/prometheus/`. The `ml` processor's analysis
 * statistics reach it as ordinary OTLP metrics in the pipeline.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ErrorCodes } from '../../../errors.js';
import { countDataPoints, type MetricsData } from '../../../model/otlp.js';
import type { Component, Host, MetricsConsumer, Telemetry } from '../../component.js';
import type { Endpoint } from '../../config/values.js';
import { closeHttp, listenHttp } from '../../listenHttp.js';
import { type Family, renderFamilies } from '../../prometheus/exposition.js';
import { familiesOf, SeriesStore, type SeriesStoreOptions } from '../../prometheus/SeriesStore.js';
import { serveMetrics } from '../../prometheus/serveMetrics.js';
import { noopTelemetry, recordItems, SELF_TELEMETRY_SCOPE } from '../../service/selfMetrics.js';

/** Resolved settings of one prometheus exporter. */
export interface PrometheusExporterSettings {
  /** Component id, for telemetry and messages. */
  id: string;
  /** Where to listen. */
  endpoint: Endpoint;
  /** How points become series. */
  store: Omit<SeriesStoreOptions, 'onOverflow' | 'onDropped' | 'now'>;
  /** Also serve the collector's own counters. */
  selfTelemetry: boolean;
}

/** Self-telemetry counter: points folded into a metric's overflow series. */
export const OVERFLOW_COUNTER = 'mlobs_exporter_prometheus_overflow_points_total';
/** Self-telemetry counter: points that cannot be exposed, by reason. */
export const DROPPED_COUNTER = 'mlobs_exporter_prometheus_dropped_points_total';

/** Serves what the metrics pipelines bring, for Prometheus to scrape. */
export class PrometheusExporter implements Component, MetricsConsumer {
  private server: Server | undefined;
  private telemetry: Telemetry = noopTelemetry;
  private readonly store: SeriesStore;
  private bound: Endpoint | undefined;

  constructor(private readonly settings: PrometheusExporterSettings) {
    const labels = { exporter: settings.id };
    this.store = new SeriesStore({
      ...settings.store,
      onOverflow: (metric) => this.telemetry.add(OVERFLOW_COUNTER, 1, { ...labels, metric }),
      onDropped: (reason, n) => this.telemetry.add(DROPPED_COUNTER, n, { ...labels, reason }),
    });
  }

  /** The address actually bound (the real port when 0 was configured); undefined before start. */
  get address(): Endpoint | undefined {
    return this.bound;
  }

  /** Listens on the endpoint. */
  async start(host: Host): Promise<void> {
    this.telemetry = host.telemetry;
    const server = createServer((req, res) => this.handle(req, res));
    this.bound = await listenHttp(
      server,
      this.settings.endpoint,
      ErrorCodes.MLOBS_ERR_COMPONENT_START,
      `exporters::${this.settings.id}::endpoint`,
    );
    this.server = server;
  }

  /** Stops listening; safe without start and twice. */
  async shutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeHttp(server);
  }

  /** Folds the points into the series; never refuses (a scrape endpoint has nothing to retry). */
  async consumeMetrics(data: MetricsData): Promise<void> {
    this.store.consume(data);
    recordItems(this.telemetry, 'exporter', 'sent', 'metrics', countDataPoints(data), {
      exporter: this.settings.id,
    });
  }

  /** The page a scrape gets now, in the given format. */
  async render(format: 'text' | 'openmetrics'): Promise<string> {
    const families: Family[] = this.store.collect();
    // Only the self-telemetry scope: the analysis statistics reach this exporter through its
    // metrics pipeline, and serving them twice would double every sum over them.
    const self = this.settings.selfTelemetry
      ? await this.telemetry.collect?.([SELF_TELEMETRY_SCOPE])
      : undefined;
    if (self)
      families.push(
        ...familiesOf(self, { resourceAndScope: false, constLabels: this.settings.store.constLabels }),
      );
    families.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return renderFamilies(families, format);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; try /metrics\n');
      return;
    }
    serveMetrics(req, res, (format) => this.render(format));
  }
}
