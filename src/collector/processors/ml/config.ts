/**
 * Config of the `ml` processor: how windows are cut, where references come from, which
 * detectors run with which thresholds, the incident policy, the label join, where state
 * is kept and how often statistics are exported as metrics. Written in the Collector's
 * style (snake_case keys, Go durations), checked once with a path in every problem, then
 * resolved into the analysis core's options.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AnalyzerOptions } from '../../../analysis/Analyzer.js';
import {
  createDetectors,
  DETECTOR_SETTINGS,
  type DetectorsConfig,
} from '../../../analysis/detectors/index.js';
import { resolveIncidentOptions } from '../../../analysis/incidents/IncidentOptions.js';
import { type Profile, parseProfile } from '../../../analysis/profile.js';
import { resolveReferenceOptions } from '../../../analysis/reference/StreamReference.js';
import { resolveWindowOptions } from '../../../analysis/windows/StreamWindows.js';
import { parseDuration } from '../../config/values.js';
import type { ConfigProblem } from '../../factory.js';
import {
  defaultReactionsYaml,
  type ReactionsSettings,
  type ReactionsYaml,
  resolveReactionsYaml,
} from './reactionsConfig.js';

/** The `processors::ml` config as written in YAML. */
export interface MlProcessorConfig {
  /** Window length (a duration). */
  window: string;
  /** Step between window starts; null = the window length (tumbling). Must divide `window`. */
  step: string | null;
  /** How late (by span end time) a span may arrive and still count. */
  lateness: string;
  /** Close windows by the wall clock this long after they end, so idle streams report; 0 = only spans move time. */
  idle_close: string;
  /** Where each stream's reference comes from. */
  reference: {
    /** A profile written by `mlobs profile` (path relative to the working directory); null = none. */
    profile: string | null;
    /** Reference = the first N windows of the stream (used when no profile matches). */
    warmup_windows: number;
    /** Reference = the N windows before the current one instead of warm-up; null = warm-up. */
    trailing_windows: number | null;
  };
  /** Per-detector settings by id (`numeric_drift: { ks_floor: 0.15 }`, snake_case or camelCase); `false` turns one off. */
  detectors: Record<string, unknown>;
  /** Benjamini–Hochberg false-discovery rate of a window's findings, across all detectors and features. */
  fdr: number;
  /** Incident policy. */
  incidents: {
    /** Windows with a finding (k) of the last `of_last` (n) needed to open an incident. */
    open_after: number;
    /** The n of k-of-n. */
    of_last: number;
    /** Quiet windows after which an incident resolves. */
    resolve_after: number;
    /** New incidents allowed per hour. */
    max_new_per_hour: number;
    /** Findings within this duration of an open incident of the same pipeline join it; null = two steps. */
    group_within: string | null;
  };
  /** Delayed-label join. */
  labels: {
    /** How long a prediction waits for its label. */
    ttl: string;
    /** Predictions waiting at most (oldest evicted first). */
    max_pending: number;
  };
  /** How the component graph is learned from traces, for the diagnosis of incidents. */
  topology: {
    /** How long after its latest span a trace is held to order its sibling runs. */
    trace_wait: string;
    /** How long a run waits for its parent span, a link target or the writer of its input. */
    orphan_ttl: string;
    /** Edges not seen for this long are forgotten. */
    edge_ttl: string;
    /** Components tracked at most. */
    max_nodes: number;
    /** Edges tracked at most. */
    max_edges: number;
    /** `ml.io` references whose writer is remembered at most. */
    max_writers: number;
    /** Runs held at most while their trace is assembled or they wait. */
    max_pending_runs: number;
  };
  /** Where state is kept. */
  storage: {
    /** `sqlite` (durable, default) or `memory` (lost on restart). */
    type: string;
    /** SQLite file, relative to the working directory. */
    path: string;
    /** `full` (fsync every batch, default) or `normal`. */
    synchronous: string;
  };
  /** Statistics as OTLP metrics, for a metrics pipeline that lists this processor. */
  metrics: {
    /** How often they are exported. */
    interval: string;
  };
  /** Reaction policies and the endpoint pipelines watch for them. */
  reactions: ReactionsYaml;
}

/** A fresh default config. */
export function createDefaultMlConfig(): MlProcessorConfig {
  return {
    window: '5m',
    step: null,
    lateness: '30s',
    idle_close: '1m',
    reference: { profile: null, warmup_windows: 5, trailing_windows: null },
    detectors: {},
    fdr: 0.01,
    incidents: { open_after: 2, of_last: 3, resolve_after: 3, max_new_per_hour: 10, group_within: null },
    labels: { ttl: '168h', max_pending: 100_000 },
    topology: {
      trace_wait: '30s',
      orphan_ttl: '10m',
      edge_ttl: '168h',
      max_nodes: 1000,
      max_edges: 10_000,
      max_writers: 10_000,
      max_pending_runs: 20_000,
    },
    storage: { type: 'sqlite', path: './.mlobs/state.db', synchronous: 'full' },
    metrics: { interval: '10s' },
    reactions: defaultReactionsYaml(),
  };
}

/** The config resolved into what the processor runs with. */
export interface MlSettings {
  /** Analyzer options without listener and label store (the processor adds them). */
  analyzer: Omit<AnalyzerOptions, 'listener'>;
  /** Wall-clock idle close in ms; 0 = off. */
  idleCloseMs: number;
  /** Label-join capacity. */
  maxPending: number;
  /** Storage. */
  storage: { type: 'sqlite'; path: string; synchronous: 'full' | 'normal' } | { type: 'memory' };
  /** Metrics export interval, ms. */
  metricsIntervalMs: number;
  /** Reaction policies and their endpoint. */
  reactions: ReactionsSettings;
}

function duration(
  v: unknown,
  path: string,
  problems: ConfigProblem[],
  min: { value: number; strict: boolean },
): number {
  const d = parseDuration(v);
  if (d.error !== undefined) {
    problems.push({ path, message: d.error });
    return Number.NaN;
  }
  if (min.strict ? !(d.value > min.value) : !(d.value >= min.value)) {
    problems.push({ path, message: `must be ${min.strict ? '>' : '>='} ${min.value}, got ${String(v)}` });
    return Number.NaN;
  }
  return d.value;
}

function int(v: unknown, path: string, min: number, problems: ConfigProblem[]): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    problems.push({ path, message: `must be a whole number >= ${min}, got ${JSON.stringify(v)}` });
    return Number.NaN;
  }
  return v;
}

function loadProfile(path: string, problems: ConfigProblem[]): Profile | undefined {
  const file = resolve(process.cwd(), path);
  if (!existsSync(file)) {
    problems.push({ path: 'reference::profile', message: `no such file: ${file}` });
    return undefined;
  }
  try {
    return parseProfile(readFileSync(file, 'utf8'));
  } catch (err) {
    problems.push({ path: 'reference::profile', message: `${file}: ${(err as Error).message}` });
    return undefined;
  }
}

/**
 * Detector settings are camelCase in the analysis core (`ksFloor`); YAML here is snake_case
 * like every Collector key (`ks_floor`). Both spellings are accepted; durations are Go durations.
 */
function camelDetectors(d: Record<string, unknown>, problems: ConfigProblem[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, cfg] of Object.entries(d)) {
    const known = (DETECTOR_SETTINGS as Record<string, readonly string[]>)[id];
    if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg) || known === undefined) {
      out[id] = cfg;
      continue;
    }
    out[id] = camelSettings(`detectors::${id}`, cfg as Record<string, unknown>, known, problems);
    if (id === 'prediction_drift') {
      const p = out[id] as Record<string, unknown>;
      for (const [part, of] of [
        ['numeric', 'numeric_drift'],
        ['categorical', 'categorical_drift'],
      ] as const) {
        const sub = p[part];
        if (sub !== null && typeof sub === 'object' && !Array.isArray(sub))
          p[part] = camelSettings(
            `detectors::${id}::${part}`,
            sub as Record<string, unknown>,
            DETECTOR_SETTINGS[of],
            problems,
          );
      }
    }
  }
  return out;
}

const snake = (k: string) => k.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`);

/**
 * One detector's settings in the core's spelling. Duration settings (`maxModelAgeMs` in the
 * core) are written as Go durations without the unit suffix (`max_model_age: 720h`, and `30d`
 * for days); an unknown key is a problem at its own path, named as the user wrote it.
 */
function camelSettings(
  path: string,
  cfg: Record<string, unknown>,
  known: readonly string[],
  problems: ConfigProblem[],
): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cfg)) {
    const camel = k.replace(/_([a-z0-9])/g, (_, x: string) => x.toUpperCase());
    if (known.includes(`${camel}Ms`) && !camel.endsWith('Ms')) {
      const text =
        typeof v === 'string' ? v.replace(/(\d+(?:\.\d+)?)d/g, (_, x: string) => `${Number(x) * 24}h`) : v;
      c[`${camel}Ms`] =
        v === null ? null : duration(text, `${path}::${k}`, problems, { value: 0, strict: true });
      continue;
    }
    if (!known.includes(camel)) {
      const names = known.map((x) => (x.endsWith('Ms') ? snake(x.slice(0, -2)) : snake(x)));
      problems.push({ path: `${path}::${k}`, message: `unknown setting (known: ${names.join(', ')})` });
      continue;
    }
    c[camel] = v;
  }
  return c;
}

/** Checks and resolves a config; `problems` is empty exactly when `settings` is usable. */
export function resolveMlConfig(c: MlProcessorConfig): { settings: MlSettings; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const lengthMs = duration(c.window, 'window', problems, { value: 0, strict: true });
  const stepMs = c.step === null ? lengthMs : duration(c.step, 'step', problems, { value: 0, strict: true });
  if (Number.isFinite(lengthMs) && Number.isFinite(stepMs) && lengthMs % stepMs !== 0)
    problems.push({ path: 'step', message: `must divide window (${c.window}), got ${c.step}` });
  const latenessMs = duration(c.lateness, 'lateness', problems, { value: 0, strict: false });
  const idleCloseMs = duration(c.idle_close, 'idle_close', problems, { value: 0, strict: false });
  const warmup = int(c.reference.warmup_windows, 'reference::warmup_windows', 1, problems);
  const trailing =
    c.reference.trailing_windows === null
      ? null
      : int(c.reference.trailing_windows, 'reference::trailing_windows', 1, problems);
  let profile: Profile | undefined;
  if (c.reference.profile !== null) {
    if (typeof c.reference.profile !== 'string' || c.reference.profile === '')
      problems.push({ path: 'reference::profile', message: 'must be the path of a profile JSON file' });
    else profile = loadProfile(c.reference.profile, problems);
  }
  let detectors: AnalyzerOptions['detectors'] = [];
  try {
    const before = problems.length;
    const camel = camelDetectors(c.detectors, problems);
    // A detector whose settings already have problems is not built (its error would repeat them).
    if (problems.length === before) detectors = createDetectors(camel as DetectorsConfig);
  } catch (err) {
    const m = /^detectors(?:::([^:]+))?:+\s*(.*)$/s.exec((err as Error).message);
    problems.push({
      path: m?.[1] ? `detectors::${m[1]}` : 'detectors',
      message: m ? (m[2] ?? '') : (err as Error).message,
    });
  }
  if (typeof c.fdr !== 'number' || !(c.fdr > 0 && c.fdr < 1))
    problems.push({ path: 'fdr', message: `must be a number between 0 and 1, got ${JSON.stringify(c.fdr)}` });
  const i = c.incidents;
  const openAfter = int(i.open_after, 'incidents::open_after', 1, problems);
  const ofLast = int(i.of_last, 'incidents::of_last', 1, problems);
  if (openAfter > ofLast)
    problems.push({
      path: 'incidents::open_after',
      message: `must be <= of_last (${ofLast}), got ${openAfter}`,
    });
  const resolveAfter = int(i.resolve_after, 'incidents::resolve_after', 1, problems);
  const maxNewPerHour = int(i.max_new_per_hour, 'incidents::max_new_per_hour', 0, problems);
  const groupWithinMs =
    i.group_within === null
      ? undefined
      : duration(i.group_within, 'incidents::group_within', problems, { value: 0, strict: false });
  const ttlMs = duration(c.labels.ttl, 'labels::ttl', problems, { value: 0, strict: true });
  const maxPending = int(c.labels.max_pending, 'labels::max_pending', 1, problems);
  const t = c.topology;
  const topology = {
    traceWaitMs: duration(t.trace_wait, 'topology::trace_wait', problems, { value: 0, strict: false }),
    orphanTtlMs: duration(t.orphan_ttl, 'topology::orphan_ttl', problems, { value: 0, strict: false }),
    edgeTtlMs: duration(t.edge_ttl, 'topology::edge_ttl', problems, { value: 0, strict: true }),
    maxNodes: int(t.max_nodes, 'topology::max_nodes', 1, problems),
    maxEdges: int(t.max_edges, 'topology::max_edges', 1, problems),
    maxWriters: int(t.max_writers, 'topology::max_writers', 1, problems),
    maxPendingRuns: int(t.max_pending_runs, 'topology::max_pending_runs', 1, problems),
  };
  const s = c.storage;
  if (s.type !== 'sqlite' && s.type !== 'memory')
    problems.push({
      path: 'storage::type',
      message: `must be sqlite or memory, got ${JSON.stringify(s.type)}`,
    });
  if (s.type === 'sqlite' && (typeof s.path !== 'string' || s.path === ''))
    problems.push({ path: 'storage::path', message: 'must be the path of the SQLite state file' });
  if (s.synchronous !== 'full' && s.synchronous !== 'normal')
    problems.push({
      path: 'storage::synchronous',
      message: `must be full or normal, got ${JSON.stringify(s.synchronous)}`,
    });
  const metricsIntervalMs = duration(c.metrics.interval, 'metrics::interval', problems, {
    value: 0,
    strict: true,
  });
  const reactions = resolveReactionsYaml(c.reactions);
  problems.push(...reactions.problems);
  const analyzer: MlSettings['analyzer'] = {
    window: { lengthMs, stepMs, allowedLatenessMs: latenessMs },
    detectors,
    reference: {
      mode: trailing === null ? 'warmup' : 'trailing',
      windows: trailing ?? warmup,
      profiles: profile ? [profile] : [],
    },
    fdr: c.fdr,
    incidents: {
      openAfter,
      ofLast,
      resolveAfterWindows: resolveAfter,
      maxNewPerHour,
      ...(groupWithinMs === undefined ? {} : { groupWithinMs }),
    },
    labels: { ttlMs },
    topology,
  };
  if (problems.length === 0) {
    // The core's own checks are the authority; anything they still refuse is reported here.
    try {
      const w = resolveWindowOptions(analyzer.window);
      resolveReferenceOptions(analyzer.reference);
      resolveIncidentOptions(analyzer.incidents, w.stepMs);
    } catch (err) {
      problems.push({ path: '', message: (err as Error).message });
    }
  }
  const storage: MlSettings['storage'] =
    s.type === 'memory'
      ? { type: 'memory' }
      : {
          type: 'sqlite',
          path: resolve(process.cwd(), s.path),
          synchronous: s.synchronous === 'normal' ? 'normal' : 'full',
        };
  return {
    settings: {
      analyzer,
      idleCloseMs,
      maxPending,
      storage,
      metricsIntervalMs,
      reactions: reactions.settings,
    },
    problems,
  };
}

/** Every problem of a config; paths are relative to the component. */
export function validateMlConfig(c: MlProcessorConfig): ConfigProblem[] {
  return resolveMlConfig(c).problems;
}
