/**
 * The collector keeps what it acknowledged across SIGKILL: a real `mlobs collector` child
 * process with the ml processor and a SQLite state file receives pipeline spans over
 * OTLP/HTTP, is killed with SIGKILL and restarted on the same file; closed windows, the
 * incident, and predictions awaiting labels are all still there, the incident keeps
 * growing instead of being opened again, and labels sent after the restart join
 * predictions acknowledged before the kill.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import Database from 'better-sqlite3';
import type { Incident } from '../../../src/model/finding.js';
import { ATTR_ML_LABEL_CLASS, ATTR_ML_PREDICTION_ID } from '../../../src/semconv/index.js';
import { freePort } from '../../freePort.js';
import { spawnCollectorCli } from '../helpers.js';
import { MIN, pipelineSpans, T0 } from '../processors/ml/pipelineFixture.js';

const dir = mkdtempSync(join(tmpdir(), 'mlobs-kill-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function startCollector(
  db: string,
): Promise<{ child: ChildProcess; otlp: number; telemetry: number; log: string[] }> {
  const [otlp, telemetry] = [await freePort(), await freePort()];
  const cfg = join(dir, `collector-${otlp}.yaml`);
  writeFileSync(
    cfg,
    `receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:${otlp}" }
processors:
  ml:
    window: 1m
    lateness: 0s
    idle_close: 0
    storage: { path: ${JSON.stringify(db)} }
exporters:
  file: { path: ${JSON.stringify(join(dir, `out-${otlp}.jsonl`))} }
service:
  telemetry: { endpoint: "127.0.0.1:${telemetry}" }
  pipelines:
    traces: { receivers: [otlp], processors: [ml], exporters: [file] }
    logs: { receivers: [otlp], processors: [ml], exporters: [file] }
`,
  );
  const { child, log } = await spawnCollectorCli(cfg, telemetry, children);
  return { child, otlp, telemetry, log };
}

async function post(port: number, path: string, body: string | Uint8Array): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  assert.equal(res.status, 200, `${path}: ${await res.text()}`);
}

async function sendSpans(port: number, spans: ReadableSpan[]): Promise<void> {
  for (let i = 0; i < spans.length; i += 16)
    await post(port, '/v1/traces', JsonTraceSerializer.serializeRequest(spans.slice(i, i + 16))!);
}

function labels(ids: string[], atMs: number): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'crm' } }] },
        scopeLogs: [
          {
            scope: { name: 'labels' },
            logRecords: ids.map((id) => ({
              timeUnixNano: String(BigInt(atMs) * 1_000_000n),
              attributes: [
                { key: ATTR_ML_PREDICTION_ID, value: { stringValue: id } },
                { key: ATTR_ML_LABEL_CLASS, value: { stringValue: 'stay' } },
              ],
            })),
          },
        ],
      },
    ],
  });
}

function readState(db: string) {
  const d = new Database(db, { readonly: true });
  try {
    return {
      windows: (d.prepare('SELECT count(*) AS n FROM windows').get() as { n: number }).n,
      predictions: (d.prepare('SELECT count(*) AS n FROM predictions').get() as { n: number }).n,
      incidents: (d.prepare('SELECT body FROM incidents').all() as { body: string }[]).map(
        (r) => JSON.parse(r.body) as Incident,
      ),
    };
  } finally {
    d.close();
  }
}

describe('collector state across SIGKILL', () => {
  it('loses no acknowledged window, incident or prediction, and labels after the restart join predictions from before it', async () => {
    const db = join(dir, 'state', 'state.db');
    const { spans } = await pipelineSpans(16, 8);
    const cut = T0 + 12 * MIN;
    const first = await startCollector(db);
    await sendSpans(
      first.otlp,
      spans.filter((s) => s.endTime[0] * 1000 + s.endTime[1] / 1e6 < cut),
    );
    const before = readState(db);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    assert.equal(before.windows, 2 * 11, 'featurize and score, windows 0..10 closed');
    const incident = before.incidents.find((i) => i.features.includes('monthly_spend'));
    assert.ok(incident, `incidents before the kill: ${before.incidents.map((i) => i.title)}`);
    assert.equal(before.predictions, 12 * 4, 'predictions of windows 0..11 wait for labels');

    const second = await startCollector(db);
    assert.deepEqual(readState(db), before, 'the restart reads back exactly what was acknowledged');
    const ids = [8, 9, 10, 11].flatMap((w) => [0, 1, 2, 3].map((b) => `req-${w}-${b}`));
    await post(second.otlp, '/v1/logs', labels(ids, cut + 1000));
    await sendSpans(
      second.otlp,
      spans.filter((s) => s.endTime[0] * 1000 + s.endTime[1] / 1e6 >= cut),
    );
    const metrics = await (await fetch(`http://127.0.0.1:${second.telemetry}/metrics`)).text();
    const joined = /mlobs_ml_labels_joined_total\{[^}]*\} (\d+)/.exec(metrics);
    assert.equal(
      Number(joined?.[1]),
      ids.length,
      metrics
        .split('\n')
        .filter((l) => l.includes('mlobs_ml'))
        .join('\n'),
    );
    const afterState = readState(db);
    assert.equal(afterState.windows, 2 * 15);
    const continued = afterState.incidents.find((i) => i.id === incident.id);
    assert.ok(
      continued && continued.findingCount > incident.findingCount,
      `before: ${JSON.stringify(incident.findingCount)} after: ${JSON.stringify(afterState.incidents.map((i) => [i.id, i.status, i.findingCount, i.title]))}`,
    );
    assert.equal(
      afterState.incidents.filter((i) => i.status === 'open' && i.features.includes('monthly_spend')).length,
      1,
      'no second incident was opened for the same fault',
    );
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  });
});
