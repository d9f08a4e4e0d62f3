/**
 * In-memory counters behind `Host.telemetry`, read as OTLP metrics ({@link TelemetryRegistry.collect})
 * and rendered at `/metrics` through the same Prometheus serializer as the `prometheus`
 * exporter (`../prometheus/`), which also serves them next to the analysis series.
 * `add` is on the hot path of every batch, so it never throws: a bad name or value is
 * dropped and reported once with `diag.warn`.
 */
import { diag } from '@opentelemetry/api';
import type { Metric, MetricsData } from '../../model/otlp.js';
import type { Telemetry } from '../component.js';
import { bufferPools } from '../otlp/BufferPool.js';
import { renderFamilies } from '../prometheus/exposition.js';
import { familiesOf } from '../prometheus/SeriesStore.js';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface Series {
  labels: Record<string, string>;
  value: number;
}

/** Counters keyed by name and label set. */
export class TelemetryRegistry implements Telemetry {
  private readonly counters = new Map<string, Map<string, Series>>();
  private readonly help = new Map<string, string>();
  private readonly gauges = new Map<
    string,
    { help: string; series: Map<string, { labels: Record<string, string>; read: () => number }> }
  >();
  private warned = false;
  private readonly startedAt = BigInt(Date.now()) * 1_000_000n;

  /** Adds `value` to counter `name` for these labels; ignores (and warns once about) bad input. */
  add(name: string, value: number, labels: Record<string, string>): void {
    if (!METRIC_NAME.test(name) || !Number.isFinite(value) || value < 0) {
      this.warnOnce(`telemetry: ignored add(${JSON.stringify(name)}, ${value}): bad counter name or value`);
      return;
    }
    for (const key of Object.keys(labels)) {
      if (!LABEL_NAME.test(key)) {
        this.warnOnce(`telemetry: ignored counter ${name}: bad label name ${JSON.stringify(key)}`);
        return;
      }
    }
    let family = this.counters.get(name);
    if (!family) {
      family = new Map();
      this.counters.set(name, family);
    }
    const key = labelKey(labels);
    const series = family.get(key);
    if (series) series.value += value;
    else family.set(key, { labels: { ...labels }, value });
  }

  /** The current value of one counter series (0 when never added). */
  get(name: string, labels: Record<string, string>): number {
    return this.counters.get(name)?.get(labelKey(labels))?.value ?? 0;
  }

  /** Sets the `# HELP` text for a counter. */
  describe(name: string, help: string): void {
    this.help.set(name, help);
  }

  /** Registers a gauge read at scrape time (uptime, memory, queue sizes); a later one with the same labels replaces it. */
  gauge(name: string, help: string, read: () => number, labels: Record<string, string> = {}): void {
    let family = this.gauges.get(name);
    if (!family) {
      family = { help, series: new Map() };
      this.gauges.set(name, family);
    }
    family.series.set(labelKey(labels), { labels: { ...labels }, read });
  }

  /** Every counter (a cumulative monotonic sum) and gauge as one OTLP metrics batch, read now. */
  collect(): MetricsData {
    const now = BigInt(Date.now()) * 1_000_000n;
    const metrics: Metric[] = [];
    for (const [name, family] of this.counters) {
      metrics.push({
        name,
        description: this.help.get(name) ?? defaultHelp(name),
        unit: '',
        metadata: [],
        sum: {
          aggregationTemporality: 2,
          isMonotonic: true,
          dataPoints: [...family.values()].map((s) => ({
            attributes: Object.entries(s.labels).map(([key, v]) => ({ key, value: { stringValue: v } })),
            startTimeUnixNano: this.startedAt,
            timeUnixNano: now,
            asDouble: s.value,
            exemplars: [],
            flags: 0,
          })),
        },
      });
    }
    for (const [name, family] of this.gauges) {
      metrics.push({
        name,
        description: family.help,
        unit: '',
        metadata: [],
        gauge: {
          dataPoints: [...family.series.values()].map((g) => ({
            attributes: Object.entries(g.labels).map(([key, v]) => ({ key, value: { stringValue: v } })),
            startTimeUnixNano: 0n,
            timeUnixNano: now,
            asDouble: g.read(),
            exemplars: [],
            flags: 0,
          })),
        },
      });
    }
    const scope = { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
    return {
      resourceMetrics: [
        {
          resource: { attributes: [], droppedAttributesCount: 0 },
          scopeMetrics: [{ scope, metrics, schemaUrl: '' }],
          schemaUrl: '',
        },
      ],
    };
  }

  /** Renders every counter and gauge in the Prometheus text format 0.0.4, or OpenMetrics. */
  render(format: 'text' | 'openmetrics' = 'text'): string {
    return renderFamilies(familiesOf(this.collect(), { resourceAndScope: false }), format);
  }

  private warnOnce(message: string): void {
    if (this.warned) return;
    this.warned = true;
    diag.warn(message);
  }
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
