import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { ReactionServer } from '../../src/collector/processors/ml/ReactionServer.js';
import type { Reaction } from '../../src/model/reaction.js';
import { watchReactions } from '../../src/sdk/index.js';
import { freePort } from '../freePort.js';

const fallback: Reaction = {
  id: 'rx-1',
  policy: 'fb',
  action: 'fallback',
  status: 'triggered',
  target: 'churn/score',
  to: 'churn-rules-v1',
  undo: false,
  reason: 'incident opened (critical)',
  dryRun: false,
  incidentId: 'inc-1',
  severity: 'critical',
  service: 'shop',
  pipeline: 'churn',
  atMs: 1,
};

async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let warnings: string[] = [];
let infos: string[] = [];
beforeEach(() => {
  warnings = [];
  infos = [];
  diag.setLogger(
    {
      warn: (m: string) => warnings.push(m),
      info: (m: string) => infos.push(m),
      error: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.INFO,
  );
});
afterEach(() => diag.disable());

describe('watchReactions', () => {
  it('keeps the current model while the collector is unreachable, says so once, and follows it once it is up', async () => {
    const port = await freePort();
    let active: Reaction[] = [fallback];
    const outcomes: Reaction[] = [];
    const watcher = watchReactions({
      endpoint: `http://127.0.0.1:${port}`,
      pipeline: 'churn',
      retryMinMs: 10,
      retryMaxMs: 40,
      waitMs: 200,
    });
    let model = 'churn-gbm';
    watcher.onReaction('fallback', (r) => {
      model = r.undo ? 'churn-gbm' : r.to!;
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(model, 'churn-gbm');
    assert.equal(watcher.connected, false);
    assert.equal(warnings.length, 1, `warnings: ${warnings.join(' | ')}`);
    assert.match(warnings[0]!, /cannot reach the reaction endpoint .* keeps its current model/);

    const server = new ReactionServer({ active: () => active, onOutcome: (r) => outcomes.push(r) });
    await server.start({ host: '127.0.0.1', port }, 'test');
    await until('the fallback', () => model === 'churn-rules-v1');
    await until('the outcome report', () => outcomes.length === 1);
    assert.equal(outcomes[0]!.status, 'succeeded');
    assert.ok(infos.some((m) => /reachable again/.test(m)));
    await until('the fallback to count as applied', () => watcher.active().length === 1);
    assert.deepEqual(
      watcher.active().map((r) => r.id),
      ['rx-1'],
    );

    // The collector goes away again during the incident: the pipeline stays on its fallback.
    await server.close();
    await until('a second outage warning', () => warnings.length === 2);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(model, 'churn-rules-v1');
    assert.equal(warnings.length, 2, 'once per outage');

    // Back, with the incident resolved in the meantime (a restart: new epoch, nothing active).
    active = [];
    const again = new ReactionServer({ active: () => active, onOutcome: (r) => outcomes.push(r) });
    await again.start({ host: '127.0.0.1', port }, 'test');
    await until('the switch back', () => model === 'churn-gbm');
    await until('the undo to count as done', () => watcher.active().length === 0);
    // This collector never knew the reaction, so it records no outcome for the undo.
    assert.equal(outcomes.length, 1);
    await watcher.stop();
    await again.close();
  });

  it('switches back when the collector publishes the undo, and runs one-shot actions once', async () => {
    let active: Reaction[] = [];
    const server = new ReactionServer({ active: () => active, onOutcome: () => {} });
    const ep = await server.start({ host: '127.0.0.1', port: 0 }, 'test');
    const watcher = watchReactions({
      endpoint: `http://127.0.0.1:${ep.port}/`,
      pipeline: 'churn',
      waitMs: 5000,
    });
    const seen: string[] = [];
    watcher.onReaction('*', (r) => {
      seen.push(`${r.action}${r.undo ? ':undo' : ''}`);
    });
    await watcher.synced();
    active = [fallback];
    const retrain = { ...fallback, id: 'rx-2', action: 'retrain' as const, to: undefined };
    server.publish([fallback, retrain, { ...retrain, id: 'rx-3', pipeline: 'fraud' }]);
    await until('fallback and retrain', () => seen.length === 2);
    active = [];
    server.publish([{ ...fallback, undo: true }]);
    await until('the undo', () => seen.length === 3);
    assert.deepEqual(seen.sort(), ['fallback', 'fallback:undo', 'retrain']);
    await watcher.stop();
    await server.close();
  });

  it('sends the bearer token', async () => {
    const server = new ReactionServer({ active: () => [fallback], onOutcome: () => {}, bearerToken: 't0k' });
    const ep = await server.start({ host: '127.0.0.1', port: 0 }, 'test');
    const denied = watchReactions({ endpoint: `http://127.0.0.1:${ep.port}`, retryMinMs: 10 });
    await until('a warning', () => warnings.length === 1);
    assert.match(warnings[0]!, /HTTP 401/);
    await denied.stop();
    const watcher = watchReactions({ endpoint: `http://127.0.0.1:${ep.port}`, token: 't0k' });
    await watcher.synced();
    assert.equal(watcher.active().length, 1);
    await watcher.stop();
    await server.close();
  });
});
