import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ReactionServer } from '../../../../src/collector/processors/ml/ReactionServer.js';
import type { Reaction } from '../../../../src/model/reaction.js';

/** A triggered fallback of the churn pipeline. */
function fallback(over: Partial<Reaction> = {}): Reaction {
  return {
    id: 'rx-1',
    policy: 'fb',
    action: 'fallback',
    status: 'triggered',
    target: 'churn/score',
    to: 'rules',
    undo: false,
    reason: 'incident opened (critical)',
    dryRun: false,
    incidentId: 'inc-1',
    severity: 'critical',
    service: 'shop',
    pipeline: 'churn',
    atMs: 1,
    ...over,
  };
}

/** What a poll answers. */
interface PollBody {
  epoch: string;
  seq: number;
  active: Reaction[];
  reactions: Reaction[];
}

async function poll(url: string): Promise<PollBody> {
  return (await fetch(url).then((r) => r.json())) as PollBody;
}

async function serve(opts: Partial<ConstructorParameters<typeof ReactionServer>[0]> = {}) {
  let active: Reaction[] = [];
  const outcomes: Reaction[] = [];
  const server = new ReactionServer({ active: () => active, onOutcome: (r) => outcomes.push(r), ...opts });
  const ep = await server.start({ host: '127.0.0.1', port: 0 }, 'test');
  after(() => server.close());
  const url = `http://127.0.0.1:${ep.port}`;
  return {
    server,
    url,
    outcomes,
    setActive: (a: Reaction[]) => {
      active = a;
    },
  };
}

describe('ReactionServer', () => {
  it('answers a first poll at once with the reactions in force for the asked pipeline', async () => {
    const { url, setActive } = await serve();
    setActive([fallback(), fallback({ id: 'rx-2', pipeline: 'fraud' })]);
    const body = await poll(`${url}/v1/reactions?pipeline=churn`);
    assert.deepEqual(
      body.active.map((r: Reaction) => r.id),
      ['rx-1'],
    );
    assert.deepEqual(body.reactions, []);
    assert.equal(typeof body.epoch, 'string');
  });

  it('holds a caught-up poll until a reaction is published, then returns only the news', async () => {
    const { server, url } = await serve();
    const first = await poll(`${url}/v1/reactions`);
    const started = Date.now();
    const pending = poll(`${url}/v1/reactions?epoch=${first.epoch}&after=${first.seq}&wait=10000`);
    setTimeout(() => server.publish([fallback({ status: 'suppressed' }), fallback()]), 50);
    const body = await pending;
    assert.ok(Date.now() - started < 5000, 'woken by the publish, not the timeout');
    assert.deepEqual(
      body.reactions.map((r: Reaction) => `${r.id}:${r.status}`),
      ['rx-1:triggered'],
      'suppressed records are for the logs, not for pipelines',
    );
  });

  it('answers a poll from another epoch (a collector restart) at once, without old history', async () => {
    const { server, url } = await serve();
    server.publish([fallback()]);
    const body = await poll(`${url}/v1/reactions?epoch=old&after=0&wait=10000`);
    assert.notEqual(body.epoch, 'old');
    assert.deepEqual(body.reactions, []);
  });

  it('ends a wait with no news after `wait`', async () => {
    const { url } = await serve();
    const first = await poll(`${url}/v1/reactions`);
    const body = await poll(`${url}/v1/reactions?epoch=${first.epoch}&after=${first.seq}&wait=30`);
    assert.deepEqual(body.reactions, []);
  });

  it('refuses requests without the bearer token', async () => {
    const { url } = await serve({ bearerToken: 's3cret' });
    const denied = await fetch(`${url}/v1/reactions`);
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get('www-authenticate'), 'Bearer');
    await denied.body?.cancel();
    const wrong = await fetch(`${url}/v1/reactions`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
    const ok = await fetch(`${url}/v1/reactions`, { headers: { authorization: 'Bearer s3cret' } });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  });

  it('records a pipeline-reported outcome of a published reaction, and refuses unknown ones', async () => {
    const { server, url, outcomes } = await serve();
    server.publish([fallback(), fallback({ undo: true, reason: 'resolved' })]);
    const post = (body: unknown) =>
      fetch(`${url}/v1/reactions/outcome`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(
      (await post({ id: 'rx-1', undo: true, status: 'failed', reason: 'primary not loaded' })).status,
      202,
    );
    assert.equal((await post({ id: 'rx-9', undo: false, status: 'succeeded' })).status, 404);
    assert.equal((await post({ id: 'rx-1', status: 'done' })).status, 400);
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0]!.status, 'failed');
    assert.equal(outcomes[0]!.undo, true);
    assert.equal(outcomes[0]!.reason, 'primary not loaded');
  });

  it('says which paths exist', async () => {
    const { url } = await serve();
    const res = await fetch(`${url}/nope`);
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { error: string }).error, /\/v1\/reactions/);
  });
});
