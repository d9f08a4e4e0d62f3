/**
 * In-memory counters behind `Host.telemetry`, rendered as Prometheus text at `/metrics`.
 * `add` is on the hot path of every batch, so it never throws: a bad name or value is
 * dropped and reported once with `diag.warn`.
 */
import { diag } from '@opentelemetry/api';
import type { Telemetry } from '../component.js';

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
  private readonly gauges = new Map<string, { help: string; read: () => number }>();
  private warned = false;

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

  /** Registers a gauge read at scrape time (uptime, memory). */
  gauge(name: string, help: string, read: () => number): void {
    this.gauges.set(name, { help, read });
  }

  /** Renders every counter and gauge in the Prometheus text exposition format 0.0.4. */
  render(): string {
    const lines: string[] = [];
    for (const name of [...this.counters.keys()].sort()) {
      lines.push(`# HELP ${name} ${escapeHelp(this.help.get(name) ?? defaultHelp(name))}`);
      lines.push(`# TYPE ${name} counter`);
      const family = this.counters.get(name) as Map<string, Series>;
      for (const key of [...family.keys()].sort()) {
        const series = family.get(key) as Series;
        lines.push(`${name}${renderLabels(series.labels)} ${series.value}`);
      }
    }
    for (const name of [...this.gauges.keys()].sort()) {
      const gauge = this.gauges.get(name) as { help: string; read: () => number };
      lines.push(
        `# HELP ${name} ${escapeHelp(gauge.help)}`,
        `# TYPE ${name} gauge`,
        `${name} ${gauge.read()}`,
      );
    }
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
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

function renderLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(String(labels[k]))}"`).join(',')}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function defaultHelp(name: string): string {
  const m = /^mlobs_(receiver|processor|exporter)_(.+)_(spans|log_records|metric_points)_total$/.exec(name);
  if (!m) return name;
  return `Number of ${m[3]?.replace('_', ' ')} ${m[2]?.replace('_', ' ')} by the ${m[1]}.`;
}
