/**
 * Config of the `prometheus` exporter, spelled as the OpenTelemetry Collector's: a scrape
 * `endpoint`, an optional `namespace` and `const_labels`, `metric_expiration`,
 * `add_metric_suffixes` and `resource_to_telemetry_conversion`; plus mlobs' cardinality
 * cap (`max_series_per_metric`) and `self_telemetry` (the collector's own counters on the
 * same page, so one scrape job sees throughput and drops next to the analysis series).
 */
import { parseDuration, parseEndpoint, show } from '../../config/values.js';
import type { ConfigProblem } from '../../factory.js';

/** The `exporters::prometheus` config as written in YAML. */
export interface PrometheusExporterConfig {
  /** `host:port` serving `/metrics`; loopback by default, as every mlobs listener. */
  endpoint: string;
  /** Prefix of every metric name (`namespace_name`); empty for none. */
  namespace: string;
  /** Labels added to every series. */
  const_labels: Record<string, string>;
  /** Series not updated for this long disappear from the page (`5m`). */
  metric_expiration: string;
  /** Unit, `_ratio` and `_total` suffixes after the OpenTelemetry-to-Prometheus rules. */
  add_metric_suffixes: boolean;
  /** Every resource attribute as a label on every series (off: they go to `target_info`). */
  resource_to_telemetry_conversion: { enabled: boolean };
  /** Label sets per metric before new ones fold into the `otel_metric_overflow="true"` series. */
  max_series_per_metric: number;
  /** Serve the collector's own counters (throughput, drops) on the same page. */
  self_telemetry: boolean;
}

/** Defaults: 127.0.0.1:8889, 5-minute expiration, 2000 series per metric. */
export function createDefaultPrometheusExporterConfig(): PrometheusExporterConfig {
  return {
    endpoint: '127.0.0.1:8889',
    namespace: '',
    const_labels: {},
    metric_expiration: '5m',
    add_metric_suffixes: true,
    resource_to_telemetry_conversion: { enabled: false },
    max_series_per_metric: 2000,
    self_telemetry: true,
  };
}

const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Every problem with a prometheus exporter config. */
export function validatePrometheusExporterConfig(c: PrometheusExporterConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const ep = parseEndpoint(c.endpoint);
  if (ep.error !== undefined) problems.push({ path: 'endpoint', message: ep.error });
  if (
    typeof c.namespace !== 'string' ||
    (c.namespace !== '' && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(c.namespace))
  )
    problems.push({
      path: 'namespace',
      message: `must be a Prometheus name prefix such as "ml", got ${show(c.namespace)}`,
    });
  for (const [k, v] of Object.entries(c.const_labels)) {
    if (!LABEL.test(k) || k.startsWith('__'))
      problems.push({ path: `const_labels::${k}`, message: 'is not a valid Prometheus label name' });
    if (typeof v !== 'string')
      problems.push({ path: `const_labels::${k}`, message: `must be a string, got ${show(v)}` });
  }
  const exp = parseDuration(c.metric_expiration);
  if (exp.error !== undefined) problems.push({ path: 'metric_expiration', message: exp.error });
  else if (exp.value <= 0) problems.push({ path: 'metric_expiration', message: 'must be more than 0' });
  for (const key of ['add_metric_suffixes', 'self_telemetry'] as const)
    if (typeof c[key] !== 'boolean')
      problems.push({ path: key, message: `must be true or false, got ${show(c[key])}` });
  if (typeof c.resource_to_telemetry_conversion.enabled !== 'boolean')
    problems.push({
      path: 'resource_to_telemetry_conversion::enabled',
      message: `must be true or false, got ${show(c.resource_to_telemetry_conversion.enabled)}`,
    });
  if (!(Number.isInteger(c.max_series_per_metric) && c.max_series_per_metric >= 1))
    problems.push({
      path: 'max_series_per_metric',
      message: `must be a whole number >= 1, got ${show(c.max_series_per_metric)}`,
    });
  return problems;
}
