/**
 * The files in `collector-config/` for the backends people run, checked by the tools those
 * backends ship (`promtool`, `amtool`), by `mlobs validate`, and for real: a `mlobs collector`
 * child process on the shipped `mlobs-backends.yaml` (ports and windows moved so the test
 * takes seconds) is fed a pipeline whose `featurize` component drifts; a real Prometheus on
 * the shipped scrape config and rules scrapes it, and every PromQL expression of the shipped
 * Grafana dashboard and rules is queried; a real Alertmanager on the shipped routing tree gets
 * the incident's alert with its root cause and notifies it resolved after the incident closes;
 * a webhook receiver verifies the signed deliveries and sees a retry after refusing one; the
 * shipped reaction policies (fallback made real, not dry) switch a pipeline watching the
 * reaction endpoint to its fallback during the incident and back after it.
 *
 * Prometheus and Alertmanager are the Debian packages `prometheus` and
 * `prometheus-alertmanager` (installed by `.ci/run`). Under CI=true a missing binary fails the
 * test; elsewhere the test is skipped with a message.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { parse, stringify } from 'yaml';
import { runCli } from '../../../src/cli/runCli.js';
import { verifyWebhookSignature } from '../../../src/collector/exporters/webhook/WebhookExporter.js';
import { watchReactions } from '../../../src/sdk/index.js';
import {
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_PIPELINE_NAME,
  EVENT_ML_FEATURES,
  EVENT_ML_PREDICTIONS,
} from '../../../src/semconv/index.js';
import { encodeSummaryEvents, summarize } from '../../../src/summaries/index.js';
import { normals, rng, withNulls } from '../../analysis/fixtures.js';
import { freePort } from '../helpers.js';

const run = promisify(execFile);
const repo = process.cwd();
const config = (...p: string[]) => join(repo, 'collector-config', ...p);
const tsx = pathToFileURL(createRequire(join(repo, 'package.json')).resolve('tsx')).href;
const CI = process.env.CI === 'true';

/**
 * Component types of the OpenTelemetry Collector contrib distribution 0.135.0
 * (opentelemetry-collector-releases, distributions/otelcol-contrib/manifest.yaml; modules
 * v0.136.0), the ones a gateway in front of mlobs may use. A type not listed here is either a
 * typo or a component the distribution does not have (`load_balancing` is `loadbalancing`).
 */
const CONTRIB_0_135 = {
  receivers: ['otlp', 'prometheus', 'filelog', 'hostmetrics', 'jaeger', 'zipkin', 'kafka', 'nop'],
  processors: [
    'batch',
    'memory_limiter',
    'attributes',
    'filter',
    'groupbytrace',
    'k8sattributes',
    'probabilistic_sampler',
    'resource',
    'resourcedetection',
    'span',
    'tail_sampling',
    'transform',
  ],
  exporters: [
    'debug',
    'nop',
    'otlp',
    'otlphttp',
    'file',
    'kafka',
    'loadbalancing',
    'prometheus',
    'prometheusremotewrite',
    'zipkin',
  ],
  extensions: ['health_check', 'pprof', 'zpages', 'file_storage', 'basicauth', 'bearertokenauth'],
};

/** The path of an executable on PATH, or undefined. */
function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

/** True when every binary is there; otherwise fails under CI and skips elsewhere. */
function have(t: TestContext, ...names: string[]): boolean {
  const missing = names.filter((n) => which(n) === undefined);
  if (missing.length === 0) return true;
  const msg = `${missing.join(', ')} not installed (apt-get install -y prometheus prometheus-alertmanager)`;
  if (CI) assert.fail(`CI=true: ${msg}`);
  t.skip(msg);
  return false;
}

const dirs: string[] = [];
const children: ChildProcess[] = [];
const servers: Server[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of servers) s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mlobs-backends-'));
  dirs.push(d);
  return d;
}

/** Every PromQL expression of the shipped dashboard (with Grafana's variables filled in) and rules. */
function shippedExpressions(): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  const dash = JSON.parse(readFileSync(config('grafana/dashboards/mlobs.json'), 'utf8'));
  for (const p of dash.panels)
    for (const t of p.targets)
      out.push({
        where: `dashboard panel "${p.title}" ${t.refId}`,
        expr: String(t.expr)
          .replaceAll('$__rate_interval', '1m')
          .replaceAll('$__range', '5m')
          .replaceAll('$pipeline', '.*'),
      });
  const variable = /^label_values\((.+), *\w+\)$/.exec(dash.templating.list[0].query.query);
  assert.ok(variable, 'the pipeline variable is a label_values query');
  out.push({ where: 'dashboard variable "pipeline"', expr: variable[1] as string });
  const rules = parse(readFileSync(config('prometheus/mlobs-rules.yml'), 'utf8'));
  for (const g of rules.groups)
    for (const r of g.rules) out.push({ where: `rule ${r.record ?? r.alert}`, expr: String(r.expr).trim() });
  return out;
}

describe('collector-config: static checks', () => {
  it('promtool accepts the Prometheus config and rules', async (t) => {
    if (!have(t, 'promtool')) return;
    const c = await run('promtool', ['check', 'config', config('prometheus/prometheus.yml')]);
    assert.match(c.stdout, /SUCCESS/);
    const r = await run('promtool', ['check', 'rules', config('prometheus/mlobs-rules.yml')]);
    assert.match(r.stdout, /SUCCESS: 7 rules found/);
  });

  it('amtool accepts the Alertmanager config', async (t) => {
    if (!have(t, 'amtool')) return;
    const { stdout } = await run('amtool', ['check-config', config('alertmanager/alertmanager.yml')]);
    assert.match(stdout, /SUCCESS/);
  });

  it('every mlobs config in collector-config/ passes mlobs validate with no environment set', async () => {
    const files = readdirSync(config()).filter((f) => f.endsWith('.yaml') && !f.startsWith('otelcol-'));
    assert.ok(files.includes('mlobs-backends.yaml') && files.includes('mlobs.yaml'), files.join(', '));
    for (const f of files) {
      let out = '';
      const io = {
        stdout: (s: string) => {
          out += s;
        },
        stderr: (s: string) => {
          out += s;
        },
        env: {},
        stopSignal: new Promise<string>(() => undefined),
      };
      assert.equal(await runCli(['validate', '--config', config(f)], io), 0, `${f}: ${out}`);
      assert.match(out, /config is valid/);
    }
  });

  it('the otelcol gateway uses contrib components, routes ML traffic by service, and sends everything on', () => {
    const g = parse(readFileSync(config('otelcol-gateway.yaml'), 'utf8'));
    for (const kind of ['receivers', 'processors', 'exporters', 'extensions'] as const)
      for (const id of Object.keys(g[kind] ?? {})) {
        const type = id.split('/')[0] as string;
        assert.ok(
          CONTRIB_0_135[kind].includes(type),
          `${kind}::${id}: "${type}" is not in otelcol-contrib 0.135.0`,
        );
      }
    for (const [name, p] of Object.entries(g.service.pipelines) as [string, Record<string, string[]>][])
      for (const kind of ['receivers', 'processors', 'exporters'])
        for (const id of p[kind] ?? [])
          assert.ok(g[kind][id] !== undefined, `pipeline ${name} names undefined ${id}`);
    for (const id of g.service.extensions) assert.ok(g.extensions[id] !== undefined);
    const lb = g.exporters['loadbalancing/mlobs'];
    assert.equal(lb.routing_key, 'service');
    assert.ok(lb.resolver.dns || lb.resolver.static);
    assert.equal(lb.protocol.otlp.endpoint, undefined, 'the loadbalancing exporter sets the endpoint itself');
    assert.deepEqual(g.service.pipelines.traces.exporters, ['otlp/tempo', 'otlp/jaeger']);
    assert.ok(g.service.pipelines['traces/mlobs'].exporters.includes('loadbalancing/mlobs'));
  });

  it('Grafana provisioning points the dashboard at the provisioned Prometheus datasource', () => {
    const ds = parse(readFileSync(config('grafana/provisioning/datasources/mlobs.yaml'), 'utf8'));
    const uid = ds.datasources[0].uid;
    assert.equal(ds.datasources[0].type, 'prometheus');
    const dash = JSON.parse(readFileSync(config('grafana/dashboards/mlobs.json'), 'utf8'));
    const titles = dash.panels.map((p: { title: string }) => p.title);
    for (const want of [
      'Drift statistic per feature',
      'Missing rate per feature',
      'Prediction mix',
      'Open incidents',
      'Reactions',
      'Collector throughput',
    ])
      assert.ok(titles.includes(want), `${want} in ${titles}`);
    for (const p of dash.panels) {
      assert.equal(p.datasource.uid, uid, p.title);
      for (const t of p.targets) assert.equal(t.datasource.uid, uid, p.title);
    }
  });
});

/** One window of the churn pipeline: `featurize` (monthly_spend drifts: +60% and 30% nulls) then `score`. */
function recordWindow(
  provider: BasicTracerProvider,
  w: number,
  startMs: number,
  windowMs: number,
  drift: boolean,
): void {
  const tracer = provider.getTracer('churn-pipeline');
  const r = rng(100 + w);
  const plans = ['basic', 'plus', 'pro'];
  for (let b = 0; b < 4; b++) {
    const end = startMs + w * windowMs + b * (windowMs / 4) + 500;
    const span = tracer.startSpan('featurize', {
      startTime: end - 120,
      attributes: { [ATTR_ML_PIPELINE_NAME]: 'churn', [ATTR_ML_COMPONENT_NAME]: 'featurize' },
    });
    const cols = {
      tenure: normals(200, r, 24, 6),
      monthly_spend: withNulls(normals(200, r, drift ? 80 : 50, 10), drift ? 0.3 : 0),
      plan: Array.from({ length: 200 }, () => plans[Math.floor(r() * 3)] as string),
    };
    for (const e of encodeSummaryEvents(summarize(cols), EVENT_ML_FEATURES))
      span.addEvent(e.name, e.attributes as Attributes, end - 1);
    span.end(end);
    const score = tracer.startSpan('score', {
      startTime: end,
      attributes: { [ATTR_ML_PIPELINE_NAME]: 'churn', [ATTR_ML_COMPONENT_NAME]: 'score' },
    });
    const classes = Array.from({ length: 200 }, () => (r() < 0.7 ? 'stay' : 'churn'));
    for (const e of encodeSummaryEvents(summarize({ class: classes }), EVENT_ML_PREDICTIONS))
      score.addEvent(e.name, e.attributes as Attributes, end + 10);
    score.end(end + 50);
  }
}

interface Hook {
  url: string;
  requests: { path: string; headers: IncomingMessage['headers']; body: Buffer; status: number }[];
}

/** An HTTP server keeping every request; `answer` picks the status. */
async function hookServer(answer: (path: string, n: number) => number = () => 200): Promise<Hook> {
  const requests: Hook['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const status = answer(path, requests.filter((q) => q.path === path).length + 1);
      requests.push({ path, headers: req.headers, body: Buffer.concat(chunks), status });
      res.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function start(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { child: ChildProcess; log: () => string } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  children.push(child);
  let log = '';
  child.stdout?.on('data', (c: Buffer) => {
    log += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    log += c.toString();
  });
  return { child, log: () => log };
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms: number,
  log?: () => string,
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(
    `timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}${log ? `\n${log().slice(-3000)}` : ''}`,
  );
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

interface PromResult {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(prom: string, expr: string): Promise<PromResult[]> {
  const body = (await getJson(`${prom}/api/v1/query?query=${encodeURIComponent(expr)}`)) as {
    status: string;
    data: { result: PromResult[] };
  };
  assert.equal(body.status, 'success');
  return body.data.result;
}

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
}

describe('collector-config: against real Prometheus and Alertmanager', () => {
  let skip = false;
  before(() => {
    skip = ['prometheus', 'prometheus-alertmanager'].some((n) => which(n) === undefined);
  });

  it('Prometheus scrapes the drift, every dashboard and rule query has data, Alertmanager fires and resolves with the root cause, a watching pipeline falls back and returns', async (t) => {
    if (skip && !have(t, 'prometheus', 'prometheus-alertmanager')) return;
    const dir = tempDir();
    const [otlpHttp, otlpGrpc, promExporter, telemetry, promPort, amPort, reactionsPort] = await Promise.all(
      Array.from({ length: 7 }, () => freePort()),
    );

    // Alertmanager on the shipped routing tree, its receivers pointed at this test, short timings.
    const amHook = await hookServer();
    const am = parse(readFileSync(config('alertmanager/alertmanager.yml'), 'utf8'));
    for (const r of am.receivers) for (const w of r.webhook_configs) w.url = `${amHook.url}/am/${r.name}`;
    Object.assign(am.route, { group_wait: '100ms', group_interval: '500ms', repeat_interval: '1h' });
    writeFileSync(join(dir, 'alertmanager.yml'), stringify(am));
    const amProc = start('prometheus-alertmanager', [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
    ]);
    const amUrl = `http://127.0.0.1:${amPort}`;

    // The webhook receiver flaps: it refuses everything for its first 1.5 s, so deliveries are
    // retried and the failure counter rises while Prometheus watches it.
    const secret = 'e2e-secret';
    let firstHookAt = 0;
    const webhook = await hookServer(() => {
      firstHookAt ||= Date.now();
      return Date.now() - firstHookAt < 1500 ? 503 : 200;
    });
    const gateway = await hookServer();

    // mlobs on the shipped backends config: windows of 1 minute on recorded time, closed by the
    // data alone (no lateness, no idle close), statistics every second, alerts re-sent every second.
    const mlobs = parse(readFileSync(config('mlobs-backends.yaml'), 'utf8'));
    Object.assign(mlobs.processors.ml, {
      window: '1m',
      lateness: '0s',
      idle_close: '0s',
      metrics: { interval: '1s' },
      storage: { type: 'memory' },
    });
    mlobs.processors.batch.timeout = '50ms';
    writeFileSync(join(dir, 'mlobs.yaml'), stringify(mlobs));
    const collector = start(
      process.execPath,
      ['--import', tsx, join(repo, 'src/cli/main.ts'), 'collector', '--config', join(dir, 'mlobs.yaml')],
      {
        ...process.env,
        MLOBS_OTLP_HTTP_ENDPOINT: `127.0.0.1:${otlpHttp}`,
        MLOBS_OTLP_GRPC_ENDPOINT: `127.0.0.1:${otlpGrpc}`,
        MLOBS_GATEWAY_ENDPOINT: gateway.url,
        MLOBS_PROMETHEUS_ENDPOINT: `127.0.0.1:${promExporter}`,
        MLOBS_ALERTMANAGER_URL: amUrl,
        MLOBS_ALERT_RESEND: '1s',
        MLOBS_INCIDENT_BASE_URL: 'http://mlobs.test/ui',
        MLOBS_WEBHOOK_URL: `${webhook.url}/hook`,
        MLOBS_WEBHOOK_SECRET: secret,
        MLOBS_TELEMETRY_ENDPOINT: `127.0.0.1:${telemetry}`,
        MLOBS_REACTIONS_ENDPOINT: `127.0.0.1:${reactionsPort}`,
        MLOBS_REACTIONS_TOKEN: 'e2e-reactions',
        MLOBS_FALLBACK_MODEL: 'churn-rules-v1',
        MLOBS_FALLBACK_DRY_RUN: 'false',
      },
    );

    // Prometheus on the shipped scrape config and rules: targets and timings moved.
    const prom = parse(readFileSync(config('prometheus/prometheus.yml'), 'utf8'));
    prom.global = { scrape_interval: '1s', evaluation_interval: '1s' };
    prom.rule_files = [config('prometheus/mlobs-rules.yml')];
    prom.alerting.alertmanagers[0].static_configs[0].targets = [`127.0.0.1:${amPort}`];
    prom.scrape_configs[0].static_configs[0].targets = [`127.0.0.1:${promExporter}`];
    writeFileSync(join(dir, 'prometheus.yml'), stringify(prom));
    const promProc = start('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prom-data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    const promUrl = `http://127.0.0.1:${promPort}`;

    await until(
      'mlobs ready',
      async () => (collector.log().includes('collector ready') ? true : undefined),
      20_000,
      collector.log,
    );
    await until(
      'Alertmanager ready',
      async () => ((await fetch(`${amUrl}/-/ready`)).ok ? true : undefined),
      20_000,
      amProc.log,
    );
    await until(
      'Prometheus ready',
      async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined),
      20_000,
      promProc.log,
    );

    // Prometheus has scraped mlobs once before the pipeline runs, as in a running deployment.
    await until(
      'a first scrape of mlobs',
      async () => ((await query(promUrl, 'up{job="mlobs"} == 1')).length > 0 ? true : undefined),
      20_000,
      promProc.log,
    );

    // The pipeline follows the reaction endpoint and switches its model as a live one would.
    const watcher = watchReactions({
      endpoint: `http://127.0.0.1:${reactionsPort}`,
      pipeline: 'churn',
      token: 'e2e-reactions',
      waitMs: 2000,
      retryMinMs: 200,
    });
    t.after(() => watcher.stop());
    let model = 'churn-gbm';
    const switches: string[] = [];
    watcher.onReaction('fallback', (r) => {
      model = r.undo ? 'churn-gbm' : (r.to as string);
      switches.push(model);
    });

    // Recorded in memory, then sent in one OTLP request per phase, in time order.
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop', 'service.instance.id': 'pod-1' }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    const otlp = new OTLPTraceExporter({ url: `http://127.0.0.1:${otlpHttp}/v1/traces` });
    const send = async () => {
      const spans = memory.getFinishedSpans();
      memory.reset();
      const result = await new Promise<{ code: number; error?: Error }>((r) => otlp.export(spans, r));
      assert.equal(result.code, 0, String(result.error));
    };
    // Recorded time: 5 reference windows, drift in windows 5–9, window 10 clean (and still open).
    const WINDOW = 60_000;
    const T0 = Math.floor((Date.now() - 20 * WINDOW) / WINDOW) * WINDOW;
    for (let w = 0; w <= 10; w++) recordWindow(provider, w, T0, WINDOW, w >= 5 && w <= 9);
    await send();

    // 1. Alertmanager gets the incident's alert, with the root cause the diagnosis found.
    let seen: AmAlert[] = [];
    const firing = await until(
      'an active alert of the churn pipeline in Alertmanager',
      async () => {
        const alerts = (await getJson(`${amUrl}/api/v2/alerts`)) as AmAlert[];
        seen = alerts;
        return alerts.find((a) => a.status.state === 'active' && a.labels.pipeline === 'churn');
      },
      20_000,
      () =>
        `${collector.log()}\nAlertmanager has: ${JSON.stringify(seen)}\nwebhook got: ${webhook.requests.map((r) => r.body.toString()).join('\n')}`,
    );
    assert.equal(firing.labels.alertname, 'MlobsIncident');
    // Once the diagnosis names a cause the alert is re-labelled; wait for that version.
    const caused = await until(
      'the alert with its root cause',
      async () =>
        ((await getJson(`${amUrl}/api/v2/alerts`)) as AmAlert[]).find(
          (a) => a.status.state === 'active' && a.labels.root_cause_component !== undefined,
        ),
      10_000,
      () => `Alertmanager has: ${JSON.stringify(seen)}`,
    );
    assert.equal(caused.labels.pipeline, 'churn');
    assert.equal(caused.labels.root_cause_component, 'featurize');
    assert.ok(caused.labels.root_cause_kind, 'the root cause has a kind');
    assert.match(caused.annotations.root_cause as string, /^featurize \(/);
    assert.ok((caused.annotations.explanation ?? '').length > 0);
    assert.equal(caused.annotations.link, `http://mlobs.test/ui/incidents/${caused.labels.incident_id}`);
    const incidentId = caused.labels.incident_id as string;

    // 2. Prometheus has the faulty feature's drift series, past its threshold.
    const drift = await until(
      'the drift series of monthly_spend in Prometheus',
      async () => {
        const r = await query(
          promUrl,
          'mlobs_detector_statistic{ml_component_name="featurize", ml_finding_feature="monthly_spend", ml_finding_detector="numeric_drift"}',
        );
        return r.length > 0 ? r : undefined;
      },
      20_000,
    );
    assert.ok(drift.every((s) => s.metric.ml_pipeline_name === 'churn' && s.metric.job === 'mlobs'));
    // The recording rule of the shipped rules: past its threshold for the drifted feature only.
    const ratio = async (feature: string) =>
      until(
        `the recorded drift ratio of ${feature}`,
        async () => {
          const r = await query(
            promUrl,
            `mlobs:detector_statistic_over_threshold:max{ml_finding_detector="numeric_drift", ml_finding_feature="${feature}"}`,
          );
          return r.length > 0 ? Math.max(...r.map((x) => Number(x.value[1]))) : undefined;
        },
        10_000,
      );
    assert.ok((await ratio('monthly_spend')) > 1);
    assert.ok((await ratio('tenure')) <= 1, 'the unchanged feature stays under its threshold');

    // 3. The critical incident switched the watching pipeline to its fallback; the pipeline's
    // report came back as a succeeded reaction, counted where Grafana's Reactions panel reads.
    await until(
      'the pipeline on its fallback',
      async () => (model === 'churn-rules-v1' ? true : undefined),
      20_000,
    );
    await until(
      'the succeeded fallback in mlobs_reactions_total',
      async () =>
        (
          await query(
            promUrl,
            'mlobs_reactions_total{ml_reaction_action="fallback", ml_reaction_status="succeeded"} > 0',
          )
        ).length > 0
          ? true
          : undefined,
      20_000,
    );
    assert.ok(
      (
        await query(
          promUrl,
          'mlobs_reactions_total{ml_reaction_action="alert", ml_reaction_status="triggered"}',
        )
      ).length > 0,
      'the alert policy fired too',
    );

    // 4. Every query of the shipped dashboard and rules returns data.
    for (const { where, expr } of shippedExpressions()) {
      await until(
        `data for ${where}: ${expr}`,
        async () => ((await query(promUrl, expr)).length > 0 ? true : undefined),
        15_000,
      );
    }

    // 5. The webhook saw signed deliveries of incidents, findings and reactions, and retries after its 503s.
    await until(
      'webhook deliveries of ml.incident, ml.finding and ml.reaction',
      async () => {
        const ok = webhook.requests.filter((h) => h.status === 200).map((h) => h.headers['x-mlobs-event']);
        return ok.includes('ml.incident') && ok.includes('ml.finding') && ok.includes('ml.reaction')
          ? true
          : undefined;
      },
      20_000,
      () => webhook.requests.map((h) => `${h.status} ${h.headers['x-mlobs-event']}`).join('\n'),
    );
    const refused = webhook.requests.find((h) => h.status === 503);
    assert.ok(refused, 'the receiver refused a delivery');
    // The retry comes after a back-off, possibly after the deliveries awaited above: wait for it.
    await until(
      'the refused delivery came again and got through',
      async () =>
        webhook.requests.some(
          (h) => h.status === 200 && h.headers['x-mlobs-delivery'] === refused.headers['x-mlobs-delivery'],
        )
          ? true
          : undefined,
      20_000,
      () => webhook.requests.map((h) => `${h.status} ${h.headers['x-mlobs-delivery']}`).join('\n'),
    );
    for (const h of webhook.requests)
      assert.ok(
        verifyWebhookSignature(
          secret,
          h.body,
          h.headers['x-mlobs-timestamp'] as string,
          h.headers['x-mlobs-signature'] as string,
        ),
        'signature verifies',
      );

    // 6. Clean windows: the incident resolves, Alertmanager notifies it resolved and lists it
    // no longer, and the pipeline is back on its own model.
    for (let w = 11; w <= 15; w++) recordWindow(provider, w, T0, WINDOW, false);
    await send();
    await otlp.shutdown();
    const resolved = await until(
      'a resolved notification from Alertmanager',
      async () => {
        for (const r of amHook.requests) {
          const n = JSON.parse(r.body.toString()) as {
            status: string;
            alerts: (AmAlert & { status: string })[];
          };
          const a = n.alerts.find(
            (x) =>
              x.labels.incident_id === incidentId && x.status === 'resolved' && x.labels.root_cause_component,
          );
          if (a) return a;
        }
        return undefined;
      },
      20_000,
      collector.log,
    );
    assert.equal(resolved.annotations.root_cause, caused.annotations.root_cause);
    const firingNotice = amHook.requests.some((r) => {
      const n = JSON.parse(r.body.toString()) as { alerts: (AmAlert & { status: string })[] };
      return n.alerts.some((x) => x.labels.incident_id === incidentId && x.status === 'firing');
    });
    assert.ok(firingNotice, 'Alertmanager notified the alert firing first');
    const still = (await getJson(`${amUrl}/api/v2/alerts?active=true`)) as AmAlert[];
    assert.ok(!still.some((a) => a.labels.incident_id === incidentId), 'no longer active');
    // The incident spans went on to the gateway (Jaeger/Tempo), over OTLP.
    assert.ok(gateway.requests.some((r) => r.path === '/v1/traces'));
    await until(
      'the pipeline back on its model',
      async () => (model === 'churn-gbm' ? true : undefined),
      20_000,
    );
    assert.deepEqual(switches, ['churn-rules-v1', 'churn-gbm']);

    collector.child.kill('SIGTERM');
    promProc.child.kill('SIGTERM');
    amProc.child.kill('SIGTERM');
  });
});
