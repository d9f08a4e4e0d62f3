/**
 * Turns the OTLP metrics that reach the collector into Prometheus series, the way the
 * OpenTelemetry Collector's `prometheus` exporter does: cumulative points replace the
 * series' value, delta points are added to it, non-monotonic sums become gauges,
 * resources become `job`/`instance` labels and one `target_info` series, scopes become
 * `otel_scope_name`/`otel_scope_version`. Series not updated within the expiration are
 * forgotten. Cardinality is bounded per metric: past `maxSeriesPerMetric`, new label sets
 * are folded into one `otel_metric_overflow="true"` series (the OpenTelemetry SDK's
 * overflow attribute) and counted, so a runaway attribute cannot grow a scrape without end.
 *
 * Why our own and not `@opentelemetry/exporter-prometheus` or `prom-client`: the
 * collector's metric stream is OTLP-shaped (`src/model/otlp.ts`) and arrives already
 * aggregated, with its own temporality and start times. The OTel JS exporter serializes the
 * SDK's `ResourceMetrics` from a `MeterProvider` it reads itself, and `prom-client` keeps
 * its own registry of instruments that are observed, not fed finished points; either would
 * need the points converted into its model first (another round trip, the thing issue 11
 * wants gone). The conversion rules are short and specified, so they live here, once.
 */
import type {
  HistogramDataPoint,
  KeyValue,
  Metric,
  MetricsData,
  NumberDataPoint,
  SummaryDataPoint,
} from '../../model/otlp.js';
import type { Family, Sample } from './exposition.js';
import { type PromType, promMetricName, sanitizeLabelName } from './naming.js';

/** How OTLP metrics become series. */
export interface SeriesStoreOptions {
  /** Prefix of every metric name (`namespace_name`). */
  namespace?: string;
  /** Unit, `_ratio` and `_total` suffixes (default true). */
  addSuffixes?: boolean;
  /** Labels added to every series. */
  constLabels?: Record<string, string>;
  /** Series per metric before new label sets go to the overflow series (default 2000). */
  maxSeriesPerMetric?: number;
  /** Forget series not updated for this long, ms; 0 never (default 5 minutes). */
  expirationMs?: number;
  /** Every resource attribute as a label too (the Collector's `resource_to_telemetry_conversion`). */
  resourceToLabels?: boolean;
  /** `job`/`instance` labels and `target_info` from resources, scope labels (default true). */
  resourceAndScope?: boolean;
  /** Told each time a point goes to a metric's overflow series. */
  onOverflow?: (metric: string) => void;
  /** Told about points that cannot be shown, by reason. */
  onDropped?: (reason: string, points: number) => void;
  /** Clock (tests). */
  now?: () => number;
}

type Value =
  | { kind: 'number'; v: number }
  | { kind: 'histogram'; bounds: number[]; counts: number[]; sum: number | undefined; count: number }
  | { kind: 'summary'; quantiles: [number, number][]; sum: number; count: number };

interface SeriesState {
  labels: [string, string][];
  value: Value;
  lastMs: number;
}

interface FamilyState {
  name: string;
  type: PromType;
  help: string;
  unit: string;
  series: Map<string, SeriesState>;
  overflowed: Map<string, SeriesState>;
}

/** Overflowed label sets remembered per metric, as a multiple of the cap (beyond it they are dropped). */
const OVERFLOW_MEMORY = 10;
const OVERFLOW_LABEL = 'otel_metric_overflow';

/** Accumulated series of one exporter. */
export class SeriesStore {
  private readonly families = new Map<string, FamilyState>();
  private readonly targets = new Map<string, { labels: [string, string][]; lastMs: number }>();
  private readonly max: number;
  private readonly expirationMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: SeriesStoreOptions = {}) {
    this.max = opts.maxSeriesPerMetric ?? 2000;
    this.expirationMs = opts.expirationMs ?? 300_000;
    this.now = opts.now ?? Date.now;
  }

  /** Number of series held (overflow series not counted). */
  get size(): number {
    let n = 0;
    for (const f of this.families.values()) n += f.series.size;
    return n;
  }

  /** Folds a batch of OTLP metrics into the series. */
  consume(data: MetricsData): void {
    const now = this.now();
    const withResource = this.opts.resourceAndScope !== false;
    for (const rm of data.resourceMetrics) {
      const resource = attributeMap(rm.resource.attributes);
      const base: [string, string][] = withResource ? identity(resource) : [];
      if (withResource) this.noteTarget(base, resource, now);
      if (this.opts.resourceToLabels) for (const [k, v] of resource) base.push([k, v]);
      for (const [k, v] of Object.entries(this.opts.constLabels ?? {})) base.push([k, v]);
      for (const sm of rm.scopeMetrics) {
        const scoped: [string, string][] = [...base];
        if (withResource && sm.scope.name !== '') {
          scoped.push(['otel_scope_name', sm.scope.name]);
          if (sm.scope.version !== '') scoped.push(['otel_scope_version', sm.scope.version]);
        }
        for (const m of sm.metrics) this.consumeMetric(m, scoped, now);
      }
    }
  }

  /** The families to expose now, sorted by name, after forgetting expired series. */
  collect(): Family[] {
    const now = this.now();
    const expired = (s: { lastMs: number }) => this.expirationMs > 0 && now - s.lastMs > this.expirationMs;
    const out: Family[] = [];
    for (const f of this.families.values()) {
      for (const [k, s] of f.series) if (expired(s)) f.series.delete(k);
      for (const [k, s] of f.overflowed) if (expired(s)) f.overflowed.delete(k);
      if (f.series.size === 0 && f.overflowed.size === 0) {
        this.families.delete(f.name);
        continue;
      }
      const samples: Sample[] = [];
      for (const key of [...f.series.keys()].sort())
        render(
          f,
          (f.series.get(key) as SeriesState).labels,
          (f.series.get(key) as SeriesState).value,
          samples,
        );
      const overflow = overflowValue(f);
      if (overflow) render(f, overflowLabels(this.opts.constLabels), overflow, samples);
      out.push({ name: f.name, type: f.type, help: f.help, unit: f.unit, samples });
    }
    const targets: Sample[] = [];
    for (const [k, t] of this.targets) {
      if (expired(t)) this.targets.delete(k);
      else targets.push({ suffix: '', labels: t.labels, value: 1 });
    }
    if (targets.length > 0)
      out.push({ name: 'target_info', type: 'info', help: 'Target metadata', unit: '', samples: targets });
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private noteTarget(idLabels: [string, string][], resource: Map<string, string>, now: number): void {
    const rest = [...resource].filter(([k]) => !IDENTIFYING.has(k));
    if (rest.length === 0) return;
    const labels = normalize([...idLabels, ...rest]);
    this.targets.set(JSON.stringify(idLabels), { labels, lastMs: now });
  }

  private consumeMetric(m: Metric, base: [string, string][], now: number): void {
    if (m.exponentialHistogram) {
      // The text formats cannot carry native histograms; the Collector's exporter drops them too.
      this.opts.onDropped?.('exponential_histogram', m.exponentialHistogram.dataPoints.length);
      return;
    }
    const type: PromType | undefined = m.gauge
      ? 'gauge'
      : m.sum
        ? m.sum.isMonotonic
          ? 'counter'
          : 'gauge'
        : m.histogram
          ? 'histogram'
          : m.summary
            ? 'summary'
            : undefined;
    if (type === undefined) return;
    const { name, unit } = promMetricName(m.name, m.unit, type, {
      namespace: this.opts.namespace,
      addSuffixes: this.opts.addSuffixes,
    });
    let f = this.families.get(name);
    if (f === undefined) {
      f = { name, type, help: m.description, unit, series: new Map(), overflowed: new Map() };
      this.families.set(name, f);
    } else if (f.type !== type) {
      this.opts.onDropped?.('type_conflict', pointsOf(m));
      return;
    }
    const delta = (m.sum?.aggregationTemporality ?? m.histogram?.aggregationTemporality) === 1;
    if (m.gauge || m.sum) {
      for (const p of (m.gauge ?? m.sum)?.dataPoints ?? []) {
        if ((p.flags & 1) === 1) continue; // no recorded value
        const v = numberOf(p);
        this.put(f, base, p.attributes, now, (old) =>
          delta && old?.kind === 'number' ? { kind: 'number', v: old.v + v } : { kind: 'number', v },
        );
      }
    } else if (m.histogram) {
      for (const p of m.histogram.dataPoints) {
        if ((p.flags & 1) === 1) continue;
        const h = histogramOf(p);
        this.put(f, base, p.attributes, now, (old) => (delta && old ? addHistograms(old, h) : h));
      }
    } else if (m.summary) {
      for (const p of m.summary.dataPoints) {
        if ((p.flags & 1) === 1) continue;
        this.put(f, base, p.attributes, now, () => summaryOf(p));
      }
    }
  }

  private put(
    f: FamilyState,
    base: [string, string][],
    attributes: KeyValue[],
    now: number,
    next: (old: Value | undefined) => Value,
  ): void {
    const labels = normalize([...attributeMap(attributes), ...base]);
    const key = JSON.stringify(labels);
    let target = f.series;
    if (!f.series.has(key) && f.series.size >= this.max) {
      this.opts.onOverflow?.(f.name);
      target = f.overflowed;
      if (!f.overflowed.has(key) && f.overflowed.size >= this.max * OVERFLOW_MEMORY) {
        this.opts.onDropped?.('overflow_memory', 1);
        return;
      }
    }
    const old = target.get(key);
    target.set(key, { labels, value: next(old?.value), lastMs: now });
  }
}

/** Families of one batch with nothing remembered (self-telemetry read at scrape time). */
export function familiesOf(data: MetricsData, opts: SeriesStoreOptions = {}): Family[] {
  const store = new SeriesStore({ ...opts, expirationMs: 0 });
  store.consume(data);
  return store.collect();
}

const IDENTIFYING = new Set(['service.name', 'service.namespace', 'service.instance.id']);

/** `job` (`namespace/name`) and `instance` from a resource, as the specification derives them. */
function identity(resource: Map<string, string>): [string, string][] {
  const out: [string, string][] = [];
  const name = resource.get('service.name');
  const ns = resource.get('service.namespace');
  if (name !== undefined) out.push(['job', ns ? `${ns}/${name}` : name]);
  const instance = resource.get('service.instance.id');
  if (instance !== undefined) out.push(['instance', instance]);
  return out;
}

/**
 * Sanitizes names, merges values of keys that sanitize to the same name (joined with `;`
 * in the order of their original keys, as the specification says) and sorts by name.
 */
function normalize(pairs: [string, string][]): [string, string][] {
  const byName = new Map<string, [string, string][]>();
  for (const [k, v] of pairs) {
    const n = sanitizeLabelName(k);
    const list = byName.get(n) ?? [];
    if (!list.some(([ok]) => ok === k)) list.push([k, v]);
    byName.set(n, list);
  }
  return [...byName]
    .map(([n, list]): [string, string] => [
      n,
      list
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .map(([, v]) => v)
        .join(';'),
    ])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function attributeMap(attrs: KeyValue[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of attrs) out.set(a.key, stringOf(a.value));
  return out;
}

function stringOf(v: KeyValue['value']): string {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.arrayValue) return JSON.stringify(v.arrayValue.values.map(stringOf));
  if (v.kvlistValue)
    return JSON.stringify(Object.fromEntries(v.kvlistValue.values.map((kv) => [kv.key, stringOf(kv.value)])));
  if (v.bytesValue) return Buffer.from(v.bytesValue).toString('base64');
  return '';
}

function numberOf(p: NumberDataPoint): number {
  return p.asDouble ?? (p.asInt === undefined ? 0 : Number(p.asInt));
}

function histogramOf(p: HistogramDataPoint): Value {
  const counts = p.bucketCounts.map(Number);
  while (counts.length < p.explicitBounds.length + 1) counts.push(0);
  return { kind: 'histogram', bounds: [...p.explicitBounds], counts, sum: p.sum, count: Number(p.count) };
}

function summaryOf(p: SummaryDataPoint): Value {
  return {
    kind: 'summary',
    quantiles: p.quantileValues.map((q): [number, number] => [q.quantile, q.value]),
    sum: p.sum,
    count: Number(p.count),
  };
}

/** Adds two histograms with the same bounds; different bounds: the newer replaces the older. */
function addHistograms(a: Value, b: Value): Value {
  if (a.kind !== 'histogram' || b.kind !== 'histogram') return b;
  if (a.bounds.length !== b.bounds.length || a.bounds.some((x, i) => x !== b.bounds[i])) return b;
  return {
    kind: 'histogram',
    bounds: a.bounds,
    counts: a.counts.map((c, i) => c + (b.counts[i] ?? 0)),
    sum: a.sum === undefined || b.sum === undefined ? undefined : a.sum + b.sum,
    count: a.count + b.count,
  };
}

function pointsOf(m: Metric): number {
  const d = m.gauge ?? m.sum ?? m.histogram ?? m.summary;
  return d ? d.dataPoints.length : 0;
}

/** What the overflow series shows: a counter's sum, a gauge's latest, histograms merged. */
function overflowValue(f: FamilyState): Value | undefined {
  if (f.overflowed.size === 0) return undefined;
  const all = [...f.overflowed.values()];
  if (f.type === 'counter') {
    let v = 0;
    for (const s of all) if (s.value.kind === 'number') v += s.value.v;
    return { kind: 'number', v };
  }
  if (f.type === 'histogram') {
    let acc: Value | undefined;
    for (const s of all) acc = acc === undefined ? s.value : addHistograms(acc, s.value);
    return acc;
  }
  return all.reduce((a, b) => (b.lastMs >= a.lastMs ? b : a)).value;
}

function overflowLabels(constLabels: Record<string, string> | undefined): [string, string][] {
  return normalize([...Object.entries(constLabels ?? {}), [OVERFLOW_LABEL, 'true']]);
}

function render(f: FamilyState, labels: [string, string][], v: Value, out: Sample[]): void {
  if (v.kind === 'number') {
    out.push({ suffix: f.type === 'counter' ? '_total' : '', labels, value: v.v });
  } else if (v.kind === 'histogram') {
    let cum = 0;
    v.bounds.forEach((b, i) => {
      cum += v.counts[i] ?? 0;
      out.push({ suffix: '_bucket', labels: [...labels, ['le', String(b)]], value: cum });
    });
    out.push({ suffix: '_bucket', labels: [...labels, ['le', '+Inf']], value: v.count });
    if (v.sum !== undefined) out.push({ suffix: '_sum', labels, value: v.sum });
    out.push({ suffix: '_count', labels, value: v.count });
  } else {
    for (const [q, val] of v.quantiles)
      out.push({ suffix: '', labels: [...labels, ['quantile', String(q)]], value: val });
    out.push({ suffix: '_sum', labels, value: v.sum });
    out.push({ suffix: '_count', labels, value: v.count });
  }
}
