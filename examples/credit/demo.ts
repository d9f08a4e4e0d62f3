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
 * (127.0.0.1:4318; when something already listens there it is used instead of starting a
 * collector, and findings are wherever its config sends them), `--out DIR` (./.mlobs, where the
 * started collector writes its files), `--json FILE` (the results, for tests).
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
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
}

function parse(args: readonly string[]): Options {
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
  const batches = whole('--batches', 40, 20);
  const faultAt = whole('--fault-at', 17, 13);
  if (faultAt > batches - 12)
    throw new Error(`--fault-at ${faultAt} leaves fewer than 12 faulty batches of ${batches}`);
  return {
    faults: fault === 'all' ? [...FAULTS] : [fault as Fault],
    batches,
    faultAt,
    endpoint: opt('--endpoint') ?? '127.0.0.1:4318',
    out: resolve(opt('--out') ?? '.mlobs'),
    json: opt('--json'),
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

/** Findings and incidents read from the collector's file exporters. */
class Observer {
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
    const prefix = this.pipelineOf(next.pipeline);
    if (!before) this.say(`  INCIDENT  ${prefix}${next.status}: ${next.title}`);
    else if (before.status !== next.status) this.say(`  incident  ${prefix}${next.status}: ${next.title}`);
    if (next.rootCause && before?.rootCause?.component !== next.rootCause.component) {
      const r = next.rootCause;
      this.say(
        `  ROOT CAUSE ${prefix}${r.component} (${r.kind}, score ${r.score.toFixed(2)}): ${r.explanation}`,
      );
    }
  }
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

function startPipeline(o: Options): Child {
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
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://${o.endpoint}`,
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_BSP_SCHEDULE_DELAY: '500',
      OTEL_BLRP_SCHEDULE_DELAY: '500',
      // No MLOBS_SAMPLING: the default (recording costs ≤ 2% of the model's time, at least one
      // recorded call a second per pipeline) is what the demo's detection works from.
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
  const o = parse(process.argv.slice(2));
  const started = Date.now();
  const status = new Status();
  let collector: RunningCollector | undefined;
  if (await listening(o.endpoint)) {
    console.log(
      `Using the collector already listening on ${o.endpoint}: its findings go where its config sends them.`,
    );
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
  const child = startPipeline(o);
  console.log(
    `Running the credit-risk pipeline under node --import mlobs/register: batches 1–${o.faultAt - 1} clean, ` +
      `then ${single ? `--fault ${o.faults[0]}` : 'each fault in its own pipeline'} from batch ${o.faultAt}, a batch every 0.5 s.`,
  );
  const observer = collector
    ? new Observer(
        o.out,
        (l) => status.say(l),
        (p) => (single ? '' : `[${p.replace('credit-scoring-', '')}] `),
      )
    : undefined;
  const tick = (): void => {
    observer?.poll();
    const batch = child.batch;
    const phase =
      batch === 0
        ? 'starting'
        : batch < o.faultAt
          ? `clean, batch ${batch}/${o.batches}`
          : `fault, batch ${batch}/${o.batches}`;
    const found = observer
      ? ` · ${observer.findings.size} findings · ${observer.incidents.size} incidents`
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
  await collector?.shutdown();
  observer?.poll();
  if (code !== 0) console.error(`the pipeline failed (exit code ${code}):\n${child.stderr}`);
  const results: DemoResult[] = runs.map((r) => ({
    fault: r.fault,
    pipeline: r.pipeline,
    batches: child.batch,
    findings: observer
      ? [...observer.findings.values()].filter((f) => f[ATTR_ML_PIPELINE_NAME] === r.pipeline).length
      : 0,
    incidents: observer ? [...observer.incidents.values()].filter((i) => i.pipeline === r.pipeline) : [],
  }));
  report(results, o, collector);
  if (o.json) writeFileSync(o.json, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`Done in ${Math.round((Date.now() - started) / 1000)} s.`);
  if (code !== 0) process.exitCode = 1;
}

function report(results: readonly DemoResult[], o: Options, collector: RunningCollector | undefined): void {
  console.log('\nWhat mlobs found:');
  for (const r of results) {
    const head = `  ${r.fault.padEnd(16)}`;
    if (!collector) {
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
