/**
 * Closing the loop through a real collector: a Node pipeline sends its spans over OTLP to
 * a collector running the ml processor with a fallback policy, and follows the collector's
 * reaction endpoint with `watchReactions`. It switches to its fallback model during the
 * incident and back after it, and both switches, with the outcomes the pipeline reported,
 * reach the logs pipeline as `ml.reaction` records.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { stableId128 } from '../../../src/analysis/ids.js';
import { getIncident, listIncidents } from '../../../src/collector/api/stateApi.js';
import { startCollector } from '../../../src/collector/index.js';
import { decodeLogsJson } from '../../../src/collector/otlp/index.js';
import { IncidentReader } from '../../../src/collector/store/IncidentReader.js';
import type { LogRecord } from '../../../src/model/otlp.js';
import { watchReactions } from '../../../src/sdk/index.js';
import {
  ATTR_ML_INCIDENT_ID,
  ATTR_ML_REACTION_ID,
  ATTR_ML_REACTION_STATUS,
  ATTR_ML_REACTION_TO,
  ATTR_ML_REACTION_UNDO,
  EVENT_ML_REACTION,
} from '../../../src/semconv/index.js';
import { rng } from '../../analysis/fixtures.js';
import { freePort } from '../../freePort.js';
import {
  checkSwitches,
  FALLBACK,
  FALLBACK_POLICY,
  FAULT,
  PRIMARY,
  runWindow,
} from '../../stream/fallbackPipeline.js';

const dir = mkdtempSync(join(tmpdir(), 'mlobs-reactions-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function attr(r: LogRecord, key: string): string | boolean | undefined {
  const v = r.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? v?.boolValue;
}

/** A collector with the fallback policy, its reaction endpoint behind a bearer token. */
function config(otlp: number, telemetry: number, reactions: number, out: string, storage: object) {
  return {
    receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlp}` } } } },
    processors: {
      ml: {
        window: '1m',
        lateness: '0s',
        idle_close: '0',
        storage,
        reactions: {
          policies: [
            {
              name: FALLBACK_POLICY.name,
              when: { feature: 'monthly_spend', severity: 'warning' },
              actions: [{ type: 'fallback', to: FALLBACK }],
              cooldown: '30m',
            },
          ],
          endpoint: `127.0.0.1:${reactions}`,
          auth: { bearer_token: 's3cret' },
        },
      },
    },
    exporters: { file: { path: out } },
    service: {
      telemetry: { endpoint: `127.0.0.1:${telemetry}` },
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['ml'], exporters: ['file'] },
        logs: { receivers: ['otlp'], processors: ['ml'], exporters: ['file'] },
      },
    },
  };
}

async function inForce(endpoint: string): Promise<{ id: string }[]> {
  const res = await fetch(`${endpoint}/v1/reactions?pipeline=churn`, {
    headers: { authorization: 'Bearer s3cret' },
  });
  return ((await res.json()) as { active: { id: string }[] }).active;
}

describe('reactions through a collector', () => {
  it('switch a watching pipeline to its fallback during an incident and back after it, with ml.reaction records', async () => {
    const [otlp, telemetry, reactions] = [await freePort(), await freePort(), await freePort()];
    const out = join(dir, 'out.jsonl');
    const collector = await startCollector(config(otlp, telemetry, reactions, out, { type: 'memory' }), {
      log: () => {},
    });
    const endpoint = `http://127.0.0.1:${reactions}`;
    const watcher = watchReactions({ endpoint, pipeline: 'churn', token: 's3cret', waitMs: 5000 });
    let model = PRIMARY;
    watcher.onReaction('fallback', (r) => {
      model = r.undo ? PRIMARY : r.to!;
    });
    const spans = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop' }),
      spanProcessors: [new SimpleSpanProcessor(spans)],
    });
    const tracer = provider.getTracer('pipeline');
    const exporter = new OTLPTraceExporter({
      url: `http://127.0.0.1:${otlp}/v1/traces`,
      timeoutMillis: 60_000,
    });
    const r = rng(11);
    const used: string[] = [];
    try {
      await watcher.synced();
      for (let w = 0; w < 20; w++) {
        used.push(runWindow(tracer, w, () => model, r));
        const batch = spans.getFinishedSpans();
        spans.reset();
        const result = await new Promise<ExportResult>((resolve) => exporter.export(batch, resolve));
        assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
        // The collector analysed the batch before acknowledging it; wait for the pipeline to
        // converge on what the collector now has in force, as a live pipeline would between batches.
        const want = (await inForce(endpoint)).map((x) => x.id).join();
        await until(`window ${w}: the watcher to follow [${want}]`, () =>
          Promise.resolve(
            watcher
              .active()
              .map((x) => x.id)
              .join() === want,
          ),
        );
      }
    } finally {
      await watcher.stop();
      await exporter.shutdown();
      await provider.shutdown();
      await collector.shutdown();
    }
    assert.equal(checkSwitches(used), undefined);

    const records: LogRecord[] = [];
    for (const line of readFileSync(out, 'utf8').split('\n')) {
      if (!line.includes('resourceLogs')) continue;
      for (const rl of decodeLogsJson(line).resourceLogs)
        for (const sl of rl.scopeLogs)
          for (const x of sl.logRecords) if (x.eventName === EVENT_ML_REACTION) records.push(x);
    }
    assert.deepEqual(
      records.map(
        (x) => `${attr(x, ATTR_ML_REACTION_STATUS)}${attr(x, ATTR_ML_REACTION_UNDO) ? ':undo' : ''}`,
      ),
      ['triggered', 'succeeded', 'triggered:undo', 'succeeded:undo'],
    );
    assert.equal(new Set(records.map((x) => attr(x, ATTR_ML_REACTION_ID))).size, 1);
    assert.equal(attr(records[0]!, ATTR_ML_REACTION_TO), FALLBACK);
    // Each record sits in the trace of the incident span it answers.
    const incident = attr(records[0]!, ATTR_ML_INCIDENT_ID) as string;
    assert.ok(records.every((x) => x.traceId === stableId128('incident', incident)));
  });

  it('keep a fallback in force across a restart with durable state, so watchers are not switched back, and keep its records for the page and the CLI', async () => {
    const [otlp, telemetry, reactions] = [await freePort(), await freePort(), await freePort()];
    const storage = { type: 'sqlite', path: join(dir, 'state.db'), synchronous: 'normal' };
    const out = join(dir, 'restart.jsonl');
    const spans = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop' }),
      spanProcessors: [new SimpleSpanProcessor(spans)],
    });
    const tracer = provider.getTracer('pipeline');
    const r = rng(11);
    const send = async (from: number, to: number) => {
      const exporter = new OTLPTraceExporter({
        url: `http://127.0.0.1:${otlp}/v1/traces`,
        timeoutMillis: 60_000,
      });
      for (let w = from; w < to; w++) runWindow(tracer, w, () => PRIMARY, r);
      const result = await new Promise<ExportResult>((resolve) =>
        exporter.export(spans.getFinishedSpans(), resolve),
      );
      spans.reset();
      await exporter.shutdown();
      assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
    };
    const endpoint = `http://127.0.0.1:${reactions}`;
    const first = await startCollector(config(otlp, telemetry, reactions, out, storage), { log: () => {} });
    let before: { id: string }[];
    try {
      await send(0, FAULT.from + 3);
      before = await inForce(endpoint);
      assert.equal(before.length, 1, 'the fallback is in force during the incident');
    } finally {
      await first.shutdown();
    }
    // What the page and `mlobs incidents` read from the state file while no collector runs.
    const stored = (path: string) => {
      const reader = new IncidentReader(path);
      try {
        const [incident] = listIncidents(reader, { pipeline: 'churn' });
        assert.ok(incident, 'the incident is stored');
        return getIncident(reader, incident.id)!.reactions.map(
          (x) => `${x.policy} ${x.action} ${x.to} ${x.status}${x.undo ? ':undo' : ''}`,
        );
      } finally {
        reader.close();
      }
    };
    assert.deepEqual(stored(storage.path), [`${FALLBACK_POLICY.name} fallback ${FALLBACK} triggered`]);
    const second = await startCollector(config(otlp, telemetry, reactions, out, storage), { log: () => {} });
    try {
      assert.deepEqual(
        (await inForce(endpoint)).map((x) => x.id),
        before.map((x) => x.id),
      );
      await send(FAULT.from + 3, 20);
      assert.deepEqual(await inForce(endpoint), [], 'ended when the incident resolved after the restart');
    } finally {
      await second.shutdown();
      await provider.shutdown();
    }
    // The restart decided the fallback again without recording it twice; the undo followed.
    assert.deepEqual(stored(storage.path), [
      `${FALLBACK_POLICY.name} fallback ${FALLBACK} triggered`,
      `${FALLBACK_POLICY.name} fallback ${FALLBACK} triggered:undo`,
    ]);
  });
});
