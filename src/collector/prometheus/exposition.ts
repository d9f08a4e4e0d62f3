/**
 * Writes metric families in the Prometheus text exposition format 0.0.4, or in OpenMetrics
 * 1.0 when the scraper asks for it (`Accept: application/openmetrics-text`). Both the
 * `prometheus` exporter and the service's own `/metrics` render through here, so the
 * collector has one serializer.
 */

/** One sample line: the family name plus `suffix`, its labels and its value. */
export interface Sample {
  /** `''`, `_total`, `_bucket`, `_sum`, `_count`. */
  suffix: string;
  /** Label pairs in output order. */
  labels: readonly (readonly [string, string])[];
  /** The value. */
  value: number;
}

/** One metric family: a name, a type, help, and its samples. */
export interface Family {
  /** Base name (counters without `_total`). */
  name: string;
  /** Exposition type; `info` is `target_info`. */
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'info' | 'unknown';
  /** `# HELP` text. */
  help: string;
  /** Unit word (`seconds`), written as `# UNIT` in OpenMetrics when the name ends with it. */
  unit: string;
  /** Samples in output order. */
  samples: Sample[];
}

/** The content type of the 0.0.4 text format. */
export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** The content type of OpenMetrics 1.0. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** Which format an `Accept` header asks for: OpenMetrics when it names it, else text 0.0.4. */
export function negotiate(accept: string | undefined): 'text' | 'openmetrics' {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept) ? 'openmetrics' : 'text';
}

/** Renders families in the given format; OpenMetrics ends with `# EOF`. */
export function renderFamilies(families: readonly Family[], format: 'text' | 'openmetrics'): string {
  const om = format === 'openmetrics';
  const out: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    // In 0.0.4 a counter family is named with its `_total`; OpenMetrics names it without.
    const family = !om && f.type === 'counter' ? `${f.name}_total` : f.name;
    const type = om ? f.type : f.type === 'info' ? 'gauge' : f.type === 'unknown' ? 'untyped' : f.type;
    if (om) {
      out.push(`# TYPE ${family} ${type}`);
      if (f.unit !== '' && f.name.endsWith(`_${f.unit}`)) out.push(`# UNIT ${family} ${f.unit}`);
      if (f.help !== '') out.push(`# HELP ${family} ${escapeHelp(f.help, true)}`);
    } else {
      out.push(`# HELP ${family} ${escapeHelp(f.help, false)}`, `# TYPE ${family} ${type}`);
    }
    for (const s of f.samples)
      out.push(`${f.name}${s.suffix}${renderLabels(s.labels)} ${formatValue(s.value)}`);
  }
  if (om) out.push('# EOF');
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

/** `{a="x",b="y"}`, or nothing without labels. */
export function renderLabels(labels: readonly (readonly [string, string])[]): string {
  if (labels.length === 0) return '';
  return `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

/** A sample value as both formats spell it (`NaN`, `+Inf`, `-Inf`). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(value: string, om: boolean): string {
  const s = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return om ? s.replace(/"/g, '\\"') : s;
}
