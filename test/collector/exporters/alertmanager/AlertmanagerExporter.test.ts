import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { incidentToLogRecord } from '../../../../src/analysis/output/otlpRender.js';
import { decodeOver } from '../../../../src/collector/config/decode.js';
import type {
  AlertmanagerExporter,
  PostableAlert,
} from '../../../../src/collector/exporters/alertmanager/AlertmanagerExporter.js';
import {
  type AlertmanagerExporterConfig,
  createDefaultAlertmanagerExporterConfig,
} from '../../../../src/collector/exporters/alertmanager/config.js';
import { alertmanagerExporterFactory } from '../../../../src/collector/exporters/alertmanager/factory.js';
import type { Incident } from '../../../../src/model/finding.js';
import { logsOf, testHost } from '../../helpers.js';

const servers: Server[] = [];
const exporters: AlertmanagerExporter[] = [];
after(async () => {
  for (const e of exporters) await e.shutdown();
  for (const s of servers) s.close();
});

/** A stand-in for Alertmanager's POST /api/v2/alerts that keeps every batch and answers `statuses` in turn. */
async function fakeAlertmanager(
  statuses: number[] = [],
): Promise<{ url: string; posts: PostableAlert[][]; paths: string[] }> {
  const posts: PostableAlert[][] = [];
  const paths: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url}`);
      const status = statuses.shift() ?? 200;
      if (status === 200) posts.push(JSON.parse(Buffer.concat(chunks).toString()));
      res.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts, paths };
}

function build(user: Record<string, unknown>): AlertmanagerExporter {
  const { value, problems } = decodeOver<AlertmanagerExporterConfig>(
    createDefaultAlertmanagerExporterConfig(),
    user,
    'exporters::alertmanager',
  );
  assert.deepEqual([...problems, ...alertmanagerExporterFactory.validate(value)], []);
  const e = alertmanagerExporterFactory.createExporter({ id: 'alertmanager', pipeline: '' }, value, [
    'logs',
  ]) as AlertmanagerExporter;
  exporters.push(e);
  return e;
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const T0 = Date.now() - 60_000;
const incident: Incident = {
  id: 'inc-42',
  status: 'open',
  title: 'Drift in income at featurize',
  severity: 'warning',
  service: 'shop',
  pipeline: 'churn',
  openedAtMs: T0,
  lastFindingAtMs: T0,
  components: ['featurize', 'predict'],
  features: ['income'],
  findings: [],
  findingCount: 2,
  causes: [],
};
const withCause: Incident = {
  ...incident,
  severity: 'critical',
  causes: [
    {
      component: 'featurize',
      service: 'shop',
      pipeline: 'churn',
      kind: 'data',
      score: 0.9,
      explanation: 'featurize started emitting 30% nulls in income',
      evidence: {
        findingIds: [],
        features: ['income'],
        exemplarTraceIds: [],
        exemplarSpanIds: [],
        path: ['featurize', 'predict'],
        onsetMs: T0,
        explains: 1,
      },
    },
  ],
};

describe('alertmanager exporter', () => {
  it('posts one alert per incident, ends the old labels when the root cause appears, and resolves with endsAt', async () => {
    const am = await fakeAlertmanager();
    const host = testHost();
    const e = build({
      endpoint: am.url,
      incident_base_url: 'https://mlobs.example/ui/',
      resend_interval: '1m',
    });
    await e.start(host);
    await e.consumeLogs(logsOf([incidentToLogRecord('opened', incident)]));
    await until('the first post', () => am.posts.length === 1);
    assert.deepEqual(am.paths, ['POST /api/v2/alerts']);
    const [opened] = am.posts[0]!;
    assert.deepEqual(opened!.labels, {
      alertname: 'MlobsIncident',
      incident_id: 'inc-42',
      severity: 'warning',
      pipeline: 'churn',
    });
    assert.equal(opened!.annotations.title, 'Drift in income at featurize');
    assert.equal(opened!.annotations.link, 'https://mlobs.example/ui/incidents/inc-42');
    assert.equal(opened!.generatorURL, 'https://mlobs.example/ui/incidents/inc-42');
    assert.ok(Date.parse(opened!.endsAt) > Date.now(), 'an open alert is firing');
    assert.equal(opened!.startsAt, new Date(T0).toISOString());

    await e.consumeLogs(logsOf([incidentToLogRecord('updated', withCause)]));
    await until('the update', () => am.posts.length === 2);
    const [ended, current] = am.posts[1]!;
    assert.equal(ended!.labels.severity, 'warning');
    assert.ok(Date.parse(ended!.endsAt) <= Date.now(), 'the alert under the old labels is ended');
    assert.equal(current!.labels.root_cause_component, 'featurize');
    assert.equal(current!.labels.root_cause_kind, 'data');
    assert.equal(current!.labels.severity, 'critical');
    assert.equal(current!.annotations.explanation, 'featurize started emitting 30% nulls in income');
    assert.equal(current!.annotations.root_cause, 'featurize (data, score 0.90)');
    assert.equal(e.firing.length, 1);

    const resolvedAt = Date.now() - 1000;
    await e.consumeLogs(
      logsOf([
        incidentToLogRecord('resolved', { ...withCause, status: 'resolved', resolvedAtMs: resolvedAt }),
      ]),
    );
    await until('the resolution', () => am.posts.length === 3);
    const [resolved] = am.posts[2]!;
    assert.equal(resolved!.labels.root_cause_component, 'featurize');
    assert.equal(resolved!.endsAt, new Date(resolvedAt).toISOString());
    assert.equal(e.firing.length, 0);
  });

  it('re-sends open alerts every interval and retries a failed post, counting the bad answer', async () => {
    const am = await fakeAlertmanager([500]);
    const host = testHost();
    const e = build({
      endpoint: am.url,
      resend_interval: '200ms',
      retry_on_failure: { initial_interval: '50ms', randomization_factor: 0 },
    });
    await e.start(host);
    await e.consumeLogs(logsOf([incidentToLogRecord('opened', incident)]));
    await until('a retry and two re-sends', () => am.posts.length >= 3);
    assert.ok(am.posts.every((p) => p.length === 1 && p[0]!.labels.incident_id === 'inc-42'));
    const ends = am.posts.map((p) => Date.parse(p[0]!.endsAt));
    assert.ok(ends[2]! > ends[0]!, 'each re-send pushes endsAt forward');
    assert.equal(
      await host.telemetry.get('mlobs_exporter_failed_requests_total', { exporter: 'alertmanager' }),
      1,
    );
  });
});
