/**
 * `npm run demo`: the credit-risk pipeline (examples/credit/pipeline.ts) runs clean, then with a
 * fault, under `mlobs/register` (no mlobs code around the model call), into an mlobs collector
 * with the demo config (collector-config/demo-pipeline.yaml: 2-second windows, 3 warm-up
 * windows, an incident after 2 bad windows of 3). What mlobs finds is printed as it happens:
 * findings, the incident, and its root cause with the evidence once diagnosis gives one.
 *
 *   npm run demo                       # --fault unit-change
 *   npm run demo -- --fault model-swap # or: null-join, category-rename, stale-table,
 *                                      #     label-shift, latency, errors, all (each at once)
 *
 * Options: `--fault NAME|all`, `--batches N` (40), `--fault-at K` (17), `--endpoint host:port`
 * (127.0.0.1:4318), `--out DIR` (./.mlobs, where the started collector writes its files),
 * `--json FILE` (the results, for tests).
 *
 * With a collector already listening at the endpoint (`npm start` in another terminal), the demo
 * uses it: the pipeline's spans go through a TimeWarpProxy that stretches time by `--time-scale`
 * (150: the demo's 2 seconds become the default config's 5-minute window), so that collector's
 * windows close within the demo; the defaults become `--batches 48 --fault-at 25` (its 5
 * reference windows of 4 batches come first), and what it finds is read from its page's JSON
 * API at `--page host:port` (127.0.0.1:55679), whose URL is printed. `--time-scale 1` suits a
 * running collector with the demo's own config.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { loadConfig, type RunningCollector, startCollector } from '../../src/collector/index.js';
import {
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_FINDING_DETECTOR,
  ATTR_ML_FINDING_FEATURE,
  ATTR_ML_FINDING_ID,
  ATTR_ML_FINDING_SEVERITY,
  ATTR_ML_INCIDENT_COMPONENTS,
  ATTR_ML_INCIDENT_FEATURES,
  ATTR_ML_INCIDENT_ID,
  ATTR_ML_INCIDENT_ROOT_CAUSE_COMPONENT,
  ATTR_ML_INCIDENT_ROOT_CAUSE_EXPLANATION,
  ATTR_ML_INCIDENT_ROOT_CAUSE_KIND,
  ATTR_ML_INCIDENT_ROOT_CAUSE_SCORE,
  ATTR_ML_INCIDENT_STATUS,
  ATTR_ML_INCIDENT_TITLE,
  ATTR_ML_PIPELINE_NAME,
} from '../../src/semconv/index.js';
import { FAULTS, type Fault } from './pipeline.js';
import { TimeWarpProxy } from './TimeWarpProxy.js';

const REPO = resolve(__dirname, '../..');
const CONFIG = join(REPO, 'collector-config/demo-pipeline.yaml');
/** The demo config's lateness + idle close, plus the exporters' batching: how long after the last batch windows still close. */
const DRAIN_MS = 14_000;

/** One incident as the demo last saw it. */
export interface DemoIncident {
  id: string;
  status: string;
  title: string;
  pipeline: string;
  components: string[];
  features: string[];
  exemplarTraceIds: string[];
  rootCause?: { component: string; kind: string; score: number; explanation: string };
}

/** What one fault's run produced. */
export interface DemoResult {
  fault: Fault;
  pipeline: string;
  batches: number;
  findings: number;
  incidents: DemoIncident[];
}

interface Options {
  faults: Fault[];
  batches: number;
  faultAt: number;
  endpoint: string;
  out: string;
  json?: string;
  /** Stretch of span times toward a running collector; 1 = none. */
  timeScale: number;
  /** `host:port` of a running collector's page. */
  page: string;
}

/** Real milliseconds of the pipeline's batch grid (`--align` of pipeline.ts): four batches. */
const GRID_MS = 2000;

/** `--endpoint` of the arguments, before the rest is parsed (it decides the defaults). */
function endpointOf(args: readonly string[]): string {
  const at = args.indexOf('--endpoint');
  return (at >= 0 ? args[at + 1] : undefined) ?? '127.0.0.1:4318';
}

/** The options; `running` says a collector already listens at the endpoint. */
function parse(args: readonly string[], running: boolean): Options {
  const opt = (name: string): string | undefined => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const fault = opt('--fault') ?? 'unit-change';
  if (fault !== 'all' && !(FAULTS as readonly string[]).includes(fault))
    throw new Error(`--fault must be all or one of ${FAULTS.join(', ')}, got ${fault}`);
  const whole = (name: string, fallback: number, min: number): number => {
    const v = Number(opt(name) ?? fallback);
    if (!Number.isInteger(v) || v < min)
      throw new Error(`${name} must be a whole number ≥ ${min}, got ${opt(name)}`);
    return v;
  };
  const scaleText = opt('--time-scale');
  if (scaleText !== undefined && !running)
    throw new Error('--time-scale only applies to a collector already running at --endpoint');
  const timeScale = Number(scaleText ?? (running ? 150 : 1));
  if (!(timeScale >= 1 && timeScale <= 10_000))
    throw new Error(`--time-scale must be a number in [1, 10000], got ${scaleText}`);
  // The default config judges against 5 reference windows, the demo's against 3.
  const stretched = timeScale > 1;
  const batches = whole('--batches', stretched ? 48 : 40, 20);
  const faultAt = whole('--fault-at', stretched ? 25 : 17, 13);
  if (faultAt > batches - 12)
    throw new Error(`--fault-at ${faultAt} leaves fewer than 12 faulty batches of ${batches}`);
  return {
    faults: fault === 'all' ? [...FAULTS] : [fault as Fault],
    batches,
    faultAt,
    endpoint: endpointOf(args),
    out: resolve(opt('--out') ?? '.mlobs'),
    json: opt('--json'),
    timeScale,
    page: opt('--page') ?? '127.0.0.1:55679',
  };
}

/** True when something accepts connections at `host:port`. */
function listening(endpoint: string): Promise<boolean> {
  const [host, port] = splitEndpoint(endpoint);
  return new Promise((r) => {
    const s = connect({ host, port }, () => {
      s.destroy();
      r(true);
    });
    s.on('error', () => r(false));
    s.setTimeout(1000, () => {
      s.destroy();
      r(false);
    });
  });
}

function splitEndpoint(endpoint: string): [string, number] {
  const at = endpoint.lastIndexOf(':');
  return [endpoint.slice(0, at) || '127.0.0.1', Number(endpoint.slice(at + 1))];
}

/** Reads what was appended to a JSON-lines file since the last call. */
class Tail {
  private offset = 0;
  private rest = '';
  constructor(private readonly path: string) {}

  lines(): unknown[] {
    if (!existsSync(this.path)) return [];
    const fd = openSync(this.path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return [];
      const buf = Buffer.alloc(size - this.offset);
      readSync(fd, buf, 0, buf.length, this.offset);
      this.offset = size;
      const text = this.rest + buf.toString('utf8');
      const parts = text.split('\n');
      this.rest = parts.pop() ?? '';
      return parts.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
    } finally {
      closeSync(fd);
    }
  }
}

type Attrs = Record<string, unknown>;
interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}

function value(v: OtlpValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(value);
  return undefined;
}

function attrs(list: { key: string; value: OtlpValue }[] | undefined): Attrs {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** What the demo watches: the collector it started (its files) or a running one (its page). */
interface Watcher {
  /** Incidents by id, as last seen. */
  readonly incidents: Map<string, DemoIncident>;
  /** Reads what is new. */
  poll(): void | Promise<void>;
  /** Findings seen, of one pipeline or of all. */
  findingCount(pipeline?: string): number;
}

/** Prints an incident that is new, changed state, or got (another) root cause. */
function announce(
  before: DemoIncident | undefined,
  next: DemoIncident,
  say: (line: string) => void,
  prefix: string,
): void {
  if (!before) say(`  INCIDENT  ${prefix}${next.status}: ${next.title}`);
  else if (before.status !== next.status) say(`  incident  ${prefix}${next.status}: ${next.title}`);
  if (next.rootCause && before?.rootCause?.component !== next.rootCause.component) {
    const r = next.rootCause;
    say(`  ROOT CAUSE ${prefix}${r.component} (${r.kind}, score ${r.score.toFixed(2)}): ${r.explanation}`);
  }
}

/** One incident as the page's JSON API lists it (the fields the demo reads). */
interface ApiIncident {
  id: string;
  status: string;
  title: string;
  pipeline: string;
  components: string[];
  features: string[];
  findingCount: number;
  rootCause: { component: string; kind: string; explanation: string; score: number } | null;
}

/** Incidents of the demo's pipelines, read from a running collector's page (`/api/v1/incidents`). */
class PageWatcher implements Watcher {
  readonly incidents = new Map<string, DemoIncident>();
  private readonly findings = new Map<string, number>();
  private busy = false;

  constructor(
    private readonly page: string,
    private readonly pipelines: ReadonlySet<string>,
    private readonly say: (line: string) => void,
    private readonly pipelineOf: (pipeline: string) => string,
  ) {}

  /** True when the page's API answers. */
  async reachable(): Promise<boolean> {
    try {
      return (await fetch(`http://${this.page}/api/v1/status`, { signal: AbortSignal.timeout(2000) })).ok;
    } catch {
      return false;
    }
  }

  async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const r = await fetch(`http://${this.page}/api/v1/incidents`, { signal: AbortSignal.timeout(2000) });
      if (!r.ok) return;
      for (const i of (await r.json()) as ApiIncident[]) {
        if (!this.pipelines.has(i.pipeline)) continue;
        const next: DemoIncident = {
          id: i.id,
          status: i.status,
          title: i.title,
          pipeline: i.pipeline,
          components: i.components,
          features: i.features,
          exemplarTraceIds: [],
          ...(i.rootCause ? { rootCause: i.rootCause } : {}),
        };
        const before = this.incidents.get(i.id);
        this.incidents.set(i.id, next);
        this.findings.set(i.id, i.findingCount);
        announce(before, next, this.say, this.pipelineOf(next.pipeline));
      }
    } catch {
      // The page went away or is slow: the next poll tries again.
    } finally {
      this.busy = false;
    }
  }

  findingCount(pipeline?: string): number {
    let n = 0;
    for (const [id, count] of this.findings)
      if (pipeline === undefined || this.incidents.get(id)?.pipeline === pipeline) n += count;
    return n;
  }
}

/** Findings and incidents read from the collector's file exporters. */
class Observer implements Watcher {
  readonly findings = new Map<string, Attrs>();
  readonly incidents = new Map<string, DemoIncident>();
  private readonly seenKinds = new Set<string>();
  private readonly spans: Tail;
  private readonly logs: Tail;

  constructor(
    dir: string,
    private readonly say: (line: string) => void,
    private readonly pipelineOf: (pipeline: string) => string,
  ) {
    this.spans = new Tail(join(dir, 'demo-pipeline-spans.jsonl'));
    this.logs = new Tail(join(dir, 'demo-pipeline-findings.jsonl'));
  }

  poll(): void {
    for (const doc of this.logs.lines() as {
      resourceLogs?: { scopeLogs?: { logRecords?: { attributes?: [] }[] }[] }[];
    }[]) {
      for (const rl of doc.resourceLogs ?? [])
        for (const sl of rl.scopeLogs ?? [])
          for (const r of sl.logRecords ?? []) this.finding(attrs(r.attributes));
    }
    for (const doc of this.spans.lines() as {
      resourceSpans?: { scopeSpans?: { spans?: { attributes?: []; links?: { traceId?: string }[] }[] }[] }[];
    }[]) {
      for (const rs of doc.resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? []) {
            const a = attrs(s.attributes);
            if (a[ATTR_ML_INCIDENT_ID] !== undefined)
              this.incident(
                a,
                (s.links ?? []).map((l) => l.traceId ?? ''),
              );
          }
    }
  }

  private finding(a: Attrs): void {
    const id = str(a[ATTR_ML_FINDING_ID]);
    if (id === '' || this.findings.has(id)) return;
    this.findings.set(id, a);
    const what = `${this.pipelineOf(str(a[ATTR_ML_PIPELINE_NAME]))}${str(a[ATTR_ML_COMPONENT_NAME])} · ${str(a[ATTR_ML_FINDING_DETECTOR])} · ${str(a[ATTR_ML_FINDING_FEATURE]) || '(component)'}`;
    // A finding repeats every window while the fault lasts: say it once.
    if (this.seenKinds.has(what)) return;
    this.seenKinds.add(what);
    this.say(`  finding   ${what} (${str(a[ATTR_ML_FINDING_SEVERITY])})`);
  }

  private incident(a: Attrs, links: string[]): void {
    const id = str(a[ATTR_ML_INCIDENT_ID]);
    const root = str(a[ATTR_ML_INCIDENT_ROOT_CAUSE_COMPONENT]);
    const next: DemoIncident = {
      id,
      status: str(a[ATTR_ML_INCIDENT_STATUS]),
      title: str(a[ATTR_ML_INCIDENT_TITLE]),
      pipeline: str(a[ATTR_ML_PIPELINE_NAME]),
      components: strs(a[ATTR_ML_INCIDENT_COMPONENTS]),
      features: strs(a[ATTR_ML_INCIDENT_FEATURES]),
      exemplarTraceIds: links.filter((t) => t !== ''),
      ...(root !== ''
        ? {
            rootCause: {
              component: root,
              kind: str(a[ATTR_ML_INCIDENT_ROOT_CAUSE_KIND]),
              score: Number(a[ATTR_ML_INCIDENT_ROOT_CAUSE_SCORE]),
              explanation: str(a[ATTR_ML_INCIDENT_ROOT_CAUSE_EXPLANATION]),
            },
          }
        : {}),
    };
    const before = this.incidents.get(id);
    this.incidents.set(id, next);
    announce(before, next, this.say, this.pipelineOf(next.pipeline));
  }

  findingCount(pipeline?: string): number {
    if (pipeline === undefined) return this.findings.size;
    return [...this.findings.values()].filter((f) => f[ATTR_ML_PIPELINE_NAME] === pipeline).length;
  }
}

/** Where the demo remembers how far ahead it stretched span times, for its next run. */
function clockFile(out: string): string {
  return join(out, 'demo-clock.json');
}

/**
 * The hop toward a running collector: the demo's 2-second grid maps onto that collector's
 * window grid, starting after the clock and after whatever an earlier demo run sent (its spans
 * moved the collector's watermark ahead; starting before it would make every span late).
 */
function stretchingProxy(o: Options): TimeWarpProxy {
  const now = Date.now();
  const windowMs = GRID_MS * o.timeScale;
  let earlier = 0;
  try {
    earlier =
      Number(
        (JSON.parse(readFileSync(clockFile(o.out), 'utf8')) as { stretchedUntilMs?: unknown })
          .stretchedUntilMs,
      ) || 0;
  } catch {
    // No earlier run.
  }
  const start = Math.ceil(Math.max(now, earlier + windowMs) / windowMs) * windowMs;
  return new TimeWarpProxy(`http://${o.endpoint}`, Math.floor(now / GRID_MS) * GRID_MS, start, o.timeScale);
}

function rememberClock(out: string, stretchedUntilMs: number): void {
  if (stretchedUntilMs <= 0) return;
  mkdirSync(out, { recursive: true });
  writeFileSync(clockFile(out), `${JSON.stringify({ stretchedUntilMs })}\n`);
}

/** A live status line on a terminal; a line every few seconds otherwise. */
class Status {
  private last = '';
  private lastPrinted = 0;
  private readonly tty = process.stdout.isTTY === true;

  show(text: string): void {
    if (this.tty) {
      process.stdout.write(`\r\x1b[2K${text}`);
    } else if (text !== this.last && Date.now() - this.lastPrinted >= 5000) {
      process.stdout.write(`${text}\n`);
      this.lastPrinted = Date.now();
    }
    this.last = text;
  }

  /** Prints `line` above the status line. */
  say(line: string): void {
    process.stdout.write(this.tty ? `\r\x1b[2K${line}\n${this.last}` : `${line}\n`);
  }

  done(): void {
    if (this.tty) process.stdout.write('\r\x1b[2K');
  }
}

interface Child {
  batch: number;
  exited: Promise<number>;
  stderr: string;
}

function startPipeline(o: Options, endpoint: string, json: boolean): Child {
  const args = [
    '--import',
    'tsx',
    '--import',
    join(REPO, 'src/register.ts'),
    join(REPO, 'examples/credit/pipeline.ts'),
    '--fault',
    o.faults.join(','),
    '--fault-at',
    String(o.faultAt),
    '--batches',
    String(o.batches),
    // Eight pipelines side by side share one process: smaller batches keep each tick on time.
    ...(o.faults.length > 1 ? ['--rows', '250'] : []),
  ];
  const proc = spawn(process.execPath, args, {
    cwd: REPO,
    env: {
      ...process.env,
      OTEL_SERVICE_NAME: 'credit-scoring',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      // The time-stretching hop reads OTLP/JSON.
      ...(json ? { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } : {}),
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_BSP_SCHEDULE_DELAY: '500',
      OTEL_BLRP_SCHEDULE_DELAY: '500',
      // The default sampling (recording costs ≤ 2% of the model's time) with its floor scaled to
      // the demo's time: at least one recorded call a second is ≥ 300 per 5-minute window, but
      // only 2 in the demo's 2-second windows (or in a stretched 5-minute one), too few to tell
      // the model's own drift from its consumer's; 100 ms keeps the proportion.
      MLOBS_SAMPLING: '2%,100ms',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child: Child = { batch: 0, stderr: '', exited: Promise.resolve(0) };
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (d: string) => {
    for (const m of d.matchAll(/batch (\d+)/g)) child.batch = Math.max(child.batch, Number(m[1]));
  });
  proc.stderr.on('data', (d) => (child.stderr += d));
  child.exited = new Promise((r) => proc.on('close', (code) => r(code ?? 1)));
  return child;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const running = await listening(endpointOf(args));
  const o = parse(args, running);
  const started = Date.now();
  const status = new Status();
  let collector: RunningCollector | undefined;
  let proxy: TimeWarpProxy | undefined;
  let sendTo = `http://${o.endpoint}`;
  if (running) {
    console.log(`Using the collector already listening on ${o.endpoint}.`);
    if (o.timeScale > 1) {
      proxy = stretchingProxy(o);
      sendTo = await proxy.start();
      const window = (GRID_MS * o.timeScale) / 60_000;
      console.log(
        `Span times are stretched ${o.timeScale}× (every 2 s of the demo becomes a ${window}-minute window of 4 batches) ` +
          `and run ahead of the clock, so that collector's windows close within the demo.`,
      );
    }
  } else {
    mkdirSync(o.out, { recursive: true });
    for (const f of ['demo-pipeline-spans.jsonl', 'demo-pipeline-findings.jsonl'])
      rmSync(join(o.out, f), { force: true });
    const loaded = loadConfig(CONFIG, {
      env: { ...process.env, MLOBS_DEMO_ENDPOINT: o.endpoint, MLOBS_DEMO_DIR: o.out },
    });
    if (!loaded.config)
      throw new Error(`${CONFIG}: ${loaded.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    collector = await startCollector(loaded.config);
    console.log(
      `Started an mlobs collector on ${o.endpoint} with ${CONFIG.slice(REPO.length + 1)} (2-second windows).`,
    );
  }
  const single = o.faults.length === 1;
  const runs = o.faults.map((fault) => ({
    fault,
    pipeline: single ? 'credit-scoring' : `credit-scoring-${fault}`,
  }));
  const child = startPipeline(o, sendTo, proxy !== undefined);
  console.log(
    `Running the credit-risk pipeline under node --import mlobs/register: batches 1–${o.faultAt - 1} clean, ` +
      `then ${single ? `--fault ${o.faults[0]}` : 'each fault in its own pipeline'} from batch ${o.faultAt}, a batch every 0.5 s.`,
  );
  const pipelineOf = (p: string): string => (single ? '' : `[${p.replace('credit-scoring-', '')}] `);
  const observer: Watcher | undefined = collector
    ? new Observer(o.out, (l) => status.say(l), pipelineOf)
    : running
      ? new PageWatcher(o.page, new Set(runs.map((r) => r.pipeline)), (l) => status.say(l), pipelineOf)
      : undefined;
  if (observer instanceof PageWatcher && !(await observer.reachable()))
    console.log(
      `No mlobs page answers at http://${o.page}/ (--page): the demo cannot show what the collector finds.`,
    );
  const tick = (): void => {
    void observer?.poll();
    const batch = child.batch;
    const phase =
      batch === 0
        ? 'starting'
        : batch < o.faultAt
          ? `clean, batch ${batch}/${o.batches}`
          : `fault, batch ${batch}/${o.batches}`;
    const found = observer
      ? ` · ${observer.findingCount()} findings · ${observer.incidents.size} incidents`
      : '';
    status.show(`[${phase}]${found} · ${Math.round((Date.now() - started) / 1000)}s`);
  };
  const timer = setInterval(tick, 250);
  const code = await child.exited;
  if (observer) {
    // Windows close a few seconds after their last span; wait until each fault has its incident (with a root cause once diagnosis gives one).
    const until = Date.now() + DRAIN_MS;
    while (Date.now() < until) {
      tick();
      const incidents = [...observer.incidents.values()];
      const settled = runs.every((r) => incidents.some((i) => i.pipeline === r.pipeline && i.rootCause));
      if (settled) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  clearInterval(timer);
  tick();
  status.done();
  await proxy?.stop();
  if (proxy) rememberClock(o.out, proxy.end());
  await collector?.shutdown();
  await observer?.poll();
  if (code !== 0) console.error(`the pipeline failed (exit code ${code}):\n${child.stderr}`);
  const results: DemoResult[] = runs.map((r) => ({
    fault: r.fault,
    pipeline: r.pipeline,
    batches: child.batch,
    findings: observer ? observer.findingCount(r.pipeline) : 0,
    incidents: observer ? [...observer.incidents.values()].filter((i) => i.pipeline === r.pipeline) : [],
  }));
  report(results, o, collector, observer !== undefined);
  if (o.json) writeFileSync(o.json, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`Done in ${Math.round((Date.now() - started) / 1000)} s.`);
  if (code !== 0) process.exitCode = 1;
}

function report(
  results: readonly DemoResult[],
  o: Options,
  collector: RunningCollector | undefined,
  watched: boolean,
): void {
  console.log('\nWhat mlobs found:');
  for (const r of results) {
    const head = `  ${r.fault.padEnd(16)}`;
    if (!watched) {
      console.log(`${head}${r.batches} batches sent`);
      continue;
    }
    const incident = r.incidents[0];
    if (!incident) {
      console.log(`${head}no incident (${r.findings} findings)`);
      continue;
    }
    const rc = incident.rootCause;
    console.log(`${head}incident: ${incident.title}`);
    if (rc) {
      console.log(
        `${' '.repeat(18)}root cause: ${rc.component} (${rc.kind}, score ${rc.score.toFixed(2)}): ${rc.explanation}`,
      );
    } else {
      console.log(
        `${' '.repeat(18)}root cause: not given (components involved: ${incident.components.join(', ')})`,
      );
    }
    console.log(
      `${' '.repeat(18)}evidence: features ${incident.features.slice(0, 6).join(', ')}; exemplar traces ${incident.exemplarTraceIds.slice(0, 2).join(', ') || 'none'}`,
    );
  }
  if (!collector) {
    console.log(
      `\nWhere to look: http://${o.page}/ — the running collector's page (incidents, the pipeline graph with the root cause marked).`,
    );
  }
  if (collector) {
    const t = collector.telemetryEndpoint;
    console.log('\nWhere to look:');
    console.log(
      `  ${join(o.out, 'demo-pipeline-spans.jsonl')}     every span, and an ml.incident span per incident state (OTLP/JSON lines)`,
    );
    console.log(
      `  ${join(o.out, 'demo-pipeline-findings.jsonl')}  the ml.finding log records, with the summaries each compared`,
    );
    console.log(
      `  http://${t.host || '127.0.0.1'}:${t.port}/metrics  the collector's own metrics (stopped with the demo)`,
    );
    console.log(
      '  Jaeger or Tempo: add an otlp_http exporter to collector-config/demo-pipeline.yaml (see README).',
    );
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
