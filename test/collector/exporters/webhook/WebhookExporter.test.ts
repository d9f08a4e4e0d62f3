import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { decodeOver } from '../../../../src/collector/config/decode.js';
import {
  createDefaultWebhookExporterConfig,
  type WebhookExporterConfig,
} from '../../../../src/collector/exporters/webhook/config.js';
import { webhookExporterFactory } from '../../../../src/collector/exporters/webhook/factory.js';
import {
  signWebhook,
  verifyWebhookSignature,
  type WebhookExporter,
} from '../../../../src/collector/exporters/webhook/WebhookExporter.js';
import { logsOf, testHost, testLogRecord } from '../../helpers.js';

const servers: Server[] = [];
const exporters: WebhookExporter[] = [];
after(async () => {
  for (const e of exporters) await e.shutdown();
  for (const s of servers) s.close();
});

interface Received {
  headers: IncomingMessage['headers'];
  body: Buffer;
  verified: boolean;
}

/** A webhook receiver that verifies every delivery and answers with the next status in `statuses` (then 200). */
async function receiver(
  secret: string,
  statuses: number[],
  delayMs = 0,
): Promise<{ url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const verified = verifyWebhookSignature(
        secret,
        body,
        req.headers['x-mlobs-timestamp'] as string | undefined,
        req.headers['x-mlobs-signature'] as string | undefined,
      );
      got.push({ headers: req.headers, body, verified });
      setTimeout(() => res.writeHead(statuses.shift() ?? 200).end(), delayMs);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got };
}

function build(user: Record<string, unknown>): WebhookExporter {
  const { value, problems } = decodeOver<WebhookExporterConfig>(
    createDefaultWebhookExporterConfig(),
    user,
    'exporters::webhook',
  );
  assert.deepEqual([...problems, ...webhookExporterFactory.validate(value)], []);
  const e = webhookExporterFactory.createExporter({ id: 'webhook', pipeline: '' }, value, [
    'logs',
  ]) as WebhookExporter;
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

const incidentRecord = testLogRecord({
  eventName: 'ml.incident',
  body: { stringValue: 'incident opened: drift in income' },
  attributes: [
    { key: 'ml.incident.id', value: { stringValue: 'inc-1' } },
    { key: 'ml.incident.change', value: { stringValue: 'opened' } },
  ],
});

describe('webhook exporter', () => {
  it('signs each delivery, retries after a failed one with the same delivery id, and skips other records', async () => {
    const secret = 's3cret';
    const r = await receiver(secret, [503]);
    const host = testHost();
    const e = build({
      urls: [r.url],
      secret,
      retry_on_failure: { initial_interval: '50ms', randomization_factor: 0 },
    });
    await e.start(host);
    await e.consumeLogs(logsOf([incidentRecord, testLogRecord({ eventName: 'app.log' })]));
    await until('the retry', () => r.got.length >= 2);
    const [first, second] = r.got as [Received, Received];
    assert.ok(first.verified && second.verified, 'both attempts carry a valid signature');
    assert.equal(first.headers['x-mlobs-delivery'], second.headers['x-mlobs-delivery']);
    assert.equal(first.headers['x-mlobs-event'], 'ml.incident');
    const body = JSON.parse(second.body.toString());
    assert.equal(body.type, 'ml.incident');
    assert.equal(body.attributes['ml.incident.id'], 'inc-1');
    assert.equal(body.id, second.headers['x-mlobs-delivery']);
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(r.got.length, 2, 'the app record was not delivered');
    assert.equal(
      await host.telemetry.get('mlobs_exporter_failed_requests_total', {
        exporter: 'webhook',
        url: r.url,
      }),
      1,
    );
    assert.equal(
      await host.telemetry.get('mlobs_exporter_sent_log_records_total', { exporter: `webhook (${r.url})` }),
      1,
    );
  });

  it('a receiver refuses a wrong secret, a tampered body and a stale timestamp', () => {
    const ts = 1_800_000_000;
    const sig = signWebhook('k', ts, '{"a":1}');
    assert.ok(verifyWebhookSignature('k', '{"a":1}', String(ts), sig, { nowS: ts + 10 }));
    assert.ok(!verifyWebhookSignature('other', '{"a":1}', String(ts), sig, { nowS: ts + 10 }));
    assert.ok(!verifyWebhookSignature('k', '{"a":2}', String(ts), sig, { nowS: ts + 10 }));
    assert.ok(!verifyWebhookSignature('k', '{"a":1}', String(ts), sig, { nowS: ts + 3600 }));
  });

  it('drops and counts deliveries that do not fit the bounded queue', async () => {
    const r = await receiver('', [], 300);
    const host = testHost();
    const e = build({ urls: [r.url], sending_queue: { queue_size: 1, num_consumers: 1 } });
    await e.start(host);
    // One in flight, one queued, the other three dropped.
    for (let i = 0; i < 5; i++) await e.consumeLogs(logsOf([incidentRecord]));
    const dropped = await host.telemetry.get('mlobs_exporter_enqueue_failed_log_records_total', {
      exporter: `webhook (${r.url})`,
    });
    assert.equal(dropped, 3);
    await until('the two kept deliveries', () => r.got.length === 2);
    assert.equal(r.got[0]!.headers['x-mlobs-signature'], undefined, 'no secret: unsigned');
  });

  it('refuses a config without URLs or with unknown events, naming the path', () => {
    const { value } = decodeOver<WebhookExporterConfig>(
      createDefaultWebhookExporterConfig(),
      { events: ['ml.incident', 'ml.nope'] },
      'exporters::webhook',
    );
    assert.deepEqual(
      webhookExporterFactory.validate(value).map((p) => p.path),
      ['urls', 'events::1'],
    );
  });
});
