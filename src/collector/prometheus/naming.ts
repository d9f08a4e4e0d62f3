/**
 * The OpenTelemetry-to-Prometheus naming rules ("Prometheus and OpenMetrics Compatibility"
 * in the OpenTelemetry specification, as the Collector's `prometheus` exporter applies
 * them with `add_metric_suffixes`): invalid characters become `_`, the UCUM unit becomes a
 * word suffix (`s` → `_seconds`, `By/s` → `_bytes_per_second`, annotations such as
 * `{window}` are dropped), gauges of unit `1` get `_ratio`, monotonic sums get `_total`.
 */

/** Prometheus words for UCUM units, as the Collector's translator spells them. */
const UNITS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
};

/** Words for the denominator of `x/y` units. */
const PER_UNITS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

/** The Prometheus metric type a converted OTLP metric gets. */
export type PromType = 'counter' | 'gauge' | 'histogram' | 'summary';

/** Replaces what a metric name may not hold with `_`, collapses runs of `_`, never starts with a digit. */
export function sanitizeMetricName(name: string): string {
  let out = name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/__+/g, '_');
  if (/^[0-9]/.test(out)) out = `_${out}`;
  return out;
}

/**
 * A label name from an attribute key: invalid characters become `_`; a leading digit gets
 * `key_`, a single leading `_` gets `key` (Prometheus reserves `__`).
 */
export function sanitizeLabelName(key: string): string {
  let out = key.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^[0-9]/.test(out)) out = `key_${out}`;
  else if (/^_[^_]/.test(out) || out === '_') out = `key${out}`;
  return out === '' ? 'key_' : out;
}

/** The unit word for a UCUM unit (`''` when it has none, `1` included: see {@link promMetricName}). */
export function unitWord(unit: string): string {
  const bare = unit.replace(/\{[^}]*\}/g, '').trim();
  if (bare === '' || bare === '1') return '';
  const slash = bare.indexOf('/');
  if (slash < 0) return sanitizeMetricName(UNITS[bare] ?? bare).replace(/^_+|_+$/g, '');
  const num = bare.slice(0, slash);
  const den = bare.slice(slash + 1);
  const a = num === '' || num === '1' ? '' : (UNITS[num] ?? num);
  const b = PER_UNITS[den] ?? UNITS[den] ?? den;
  return sanitizeMetricName(a === '' ? `per_${b}` : `${a}_per_${b}`).replace(/^_+|_+$/g, '');
}

/**
 * The base name of a family (without `_total`, which the exposition adds to counter samples)
 * and its unit word, for `# UNIT` in OpenMetrics.
 */
export function promMetricName(
  name: string,
  unit: string,
  type: PromType,
  options: { namespace?: string; addSuffixes?: boolean } = {},
): { name: string; unit: string } {
  let base = sanitizeMetricName(options.namespace ? `${options.namespace}_${name}` : name);
  if (options.addSuffixes === false) return { name: base, unit: '' };
  // A counter named `..._total` by its author keeps one `_total`, added back at exposition.
  if (type === 'counter') base = base.replace(/_total$/, '');
  let word = unitWord(unit);
  if (word === '' && type === 'gauge' && unit.replace(/\{[^}]*\}/g, '').trim() === '1') word = 'ratio';
  if (word !== '' && !base.endsWith(`_${word}`)) base = `${base}_${word}`;
  return { name: base, unit: word };
}
