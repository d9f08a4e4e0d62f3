/**
 * The collector's one metrics stack: an OpenTelemetry SDK `MeterProvider` with a pull
 * reader, holding the collector's self-telemetry (counters and gauges behind
 * `Host.telemetry`, scope {@link SELF_TELEMETRY_SCOPE}) and the statistics every `ml`
 * processor records through the metrics API (one scope per processor id). A read converts
 * the SDK's collection straight to the OTLP model ({@link fromSdkMetrics}); the telemetry
 * `/metrics` endpoint renders all of it, and the `prometheus` exporter serves the
 * self-telemetry scope, both through the one serializer in `../prometheus/`.
 * `add` is on the hot path of every batch, so it never throws: a bad name or value is
 * dropped and reported once with `diag.warn`.
 */
import { type Counter, diag, type Meter, type ObservableResult } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { KeyValue, MetricsData } from '../../model/otlp.js';
import type { Telemetry } from '../component.js';
import { bufferPools } from '../exporterhelper/BufferPool.js';
import { renderFamilies } from '../prometheus/exposition.js';
import { familiesOf } from '../prometheus/SeriesStore.js';
import { fromSdkMetrics } from './fromSdkMetrics.js';
import { SELF_TELEMETRY_SCOPE } from './selfMetrics.js';

export { SELF_TELEMETRY_SCOPE } from './selfMetrics.js';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The resource of the collector's own metrics. */
const RESOURCE = { 'service.name': 'mlobs' } as const;

/** A reader that exports nothing by itself: every read is a scrape or a pipeline tick asking for it. */
class PullReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

interface GaugeSeries {
  labels: Record<string, string>;
  read: () => number;
}

/** Counters and gauges keyed by name and label set, on the collector's one MeterProvider. */
export class TelemetryRegistry implements Telemetry {
  private readonly reader = new PullReader();
  private readonly provider = new MeterProvider({
    resource: resourceFromAttributes(RESOURCE),
    readers: [this.reader],
  });
  private readonly self: Meter = this.provider.getMeter(SELF_TELEMETRY_SCOPE);
  private readonly counters = new Map<string, Counter>();
  private readonly gauges = new Map<string, Map<string, GaugeSeries>>();
  private warned = false;

  /** Adds `value` to counter `name` for these labels; ignores (and warns once about) bad input. */
  add(name: string, value: number, labels: Record<string, string>): void {
    let counter = this.counters.get(name);
    if (!(Number.isFinite(value) && value >= 0) || (counter === undefined && !METRIC_NAME.test(name))) {
      this.warnOnce(`telemetry: ignored add(${JSON.stringify(name)}, ${value}): bad counter name or value`);
      return;
    }
    for (const key in labels) {
      if (!LABEL_NAME.test(key)) {
        this.warnOnce(`telemetry: ignored counter ${name}: bad label name ${JSON.stringify(key)}`);
        return;
      }
    }
    if (counter === undefined) {
      counter = this.self.createCounter(name, { description: defaultHelp(name) });
      this.counters.set(name, counter);
    }
    counter.add(value, labels);
  }

  /** Registers a gauge read at each collection (uptime, memory); a later one with the same labels replaces it. */
  gauge(name: string, help: string, read: () => number, labels: Record<string, string> = {}): void {
    let family = this.gauges.get(name);
    if (family === undefined) {
      const series = new Map<string, GaugeSeries>();
      family = series;
      this.gauges.set(name, series);
      this.self.createObservableGauge(name, { description: help }).addCallback((result: ObservableResult) => {
        for (const s of series.values()) {
          // One failing read must not hide the other gauges of the scrape.
          let v: number;
          try {
            v = s.read();
          } catch (err) {
            this.warnOnce(`telemetry: gauge ${name} could not be read: ${(err as Error).message}`);
            continue;
          }
          if (Number.isFinite(v)) result.observe(v, s.labels);
        }
      });
    }
    family.set(labelKey(labels), { labels: { ...labels }, read });
  }

  /** A meter of this provider, for components that record through the metrics API (the `ml` statistics). */
  meter(scope: string): Meter {
    return this.provider.getMeter(scope);
  }

  /** Every metric (or those of the given instrumentation scopes) as one OTLP metrics batch, read now. */
  async collect(scopes?: readonly string[]): Promise<MetricsData> {
    const { resourceMetrics, errors } = await this.reader.collect();
    if (errors.length > 0) this.warnOnce(`telemetry: a collection failed: ${String(errors[0])}`);
    return fromSdkMetrics(resourceMetrics, scopes === undefined ? undefined : (s) => scopes.includes(s));
  }

  /** The current value of one self-telemetry counter or gauge series (0 when never added). */
  async get(name: string, labels: Record<string, string>): Promise<number> {
    const want = labelKey(labels);
    const data = await this.collect([SELF_TELEMETRY_SCOPE]);
    for (const rm of data.resourceMetrics)
      for (const sm of rm.scopeMetrics)
        for (const m of sm.metrics) {
          if (m.name !== name) continue;
          for (const p of m.sum?.dataPoints ?? m.gauge?.dataPoints ?? [])
            if (labelKey(stringLabels(p.attributes)) === want) return Number(p.asDouble ?? p.asInt ?? 0);
        }
    return 0;
  }

  /** Renders every metric of the stack in the Prometheus text format 0.0.4, or OpenMetrics. */
  async render(format: 'text' | 'openmetrics' = 'text'): Promise<string> {
    return renderFamilies(familiesOf(await this.collect(), { resourceAndScope: false }), format);
  }

  private warnOnce(message: string): void {
    if (this.warned) return;
    this.warned = true;
    diag.warn(message);
  }
}

function stringLabels(attrs: readonly KeyValue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of attrs) out[a.key] = a.value.stringValue ?? String(a.value.intValue ?? a.value.doubleValue);
  return out;
}

function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

function defaultHelp(name: string): string {
  const m = /^mlobs_(receiver|processor|exporter)_(.+)_(spans|log_records|metric_points)_total$/.exec(name);
  if (!m) return name;
  return `Number of ${m[3]?.replace('_', ' ')} ${m[2]?.replace('_', ' ')} by the ${m[1]}.`;
}

/** Registers `mlobs_buffer_pool_idle_bytes{pool}`: what each named process-wide buffer pool holds idle. */
export function watchBufferPools(registry: TelemetryRegistry): void {
  for (const p of bufferPools())
    registry.gauge(
      'mlobs_buffer_pool_idle_bytes',
      'Bytes that the buffer pools hold idle for reuse (each pool is capped and let go after 10 s of quiet).',
      () => p.idleSize,
      { pool: p.name ?? '' },
    );
}
