import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { StoredPrediction } from '../../../src/analysis/labels/LabelJoinStore.js';
import { IncidentReader } from '../../../src/collector/store/IncidentReader.js';
import { SqliteAnalysisStore } from '../../../src/collector/store/SqliteAnalysisStore.js';
import { MlobsError } from '../../../src/errors.js';
import type { Reaction } from '../../../src/model/reaction.js';
import { durable, recorder, run, scenario, straightRun } from '../../analysis/store/scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'mlobs-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `s${n++}`, 'state.db');

const pred = (atMs: number): StoredPrediction => ({
  stream: { service: 's', pipeline: 'p', component: 'score', model: '' },
  task: 'classification',
  predictedClass: 'a',
  score: Number.NaN,
  atMs,
});

describe('SqliteAnalysisStore', () => {
  it('gives the same findings, incidents and label joins when the database is closed and reopened every few batches', () => {
    const straight = straightRun();
    const path = freshPath();
    const opened: SqliteAnalysisStore[] = [];
    const restarted = run(() => {
      opened.at(-1)?.close();
      const s = new SqliteAnalysisStore({ path });
      opened.push(s);
      return s;
    }, 5);
    opened.at(-1)?.close();
    assert.ok(opened.length > 10, 'the run restarted many times');
    assert.deepEqual(restarted, straight);
    const reopened = new SqliteAnalysisStore({ path });
    assert.equal(reopened.windows().length, 32);
    assert.ok(reopened.incidents().some((i) => i.features.includes('monthly_spend')));
    reopened.close();
  });

  it('rolls a failed batch back completely, so its retry counts once and no event of it escapes', () => {
    const store = new SqliteAnalysisStore({ path: freshPath() });
    const rec = recorder();
    const d = durable(store, rec.listener);
    let failNext = false;
    const saveGlobal = store.saveGlobal.bind(store);
    store.saveGlobal = (json) => {
      if (failNext) {
        failNext = false;
        throw new Error('disk full');
      }
      saveGlobal(json);
    };
    let failures = 0;
    for (const [i, batch] of scenario().entries()) {
      if (i % 7 === 3) {
        const before = rec.findings.length;
        failNext = true;
        failures++;
        assert.throws(
          () =>
            d.apply((a) => {
              for (const s of batch) a.ingest(s);
            }),
          /disk full/,
        );
        assert.equal(rec.findings.length, before, 'no finding of the failed batch was delivered');
      }
      d.apply((a) => {
        for (const s of batch) a.ingest(s);
      });
    }
    d.apply((a) => a.flush());
    store.close();
    const straight = straightRun();
    assert.ok(failures > 5);
    assert.deepEqual(
      rec.findings.map((f) => JSON.stringify(f)),
      straight.findings,
    );
    assert.equal(d.analyzer.stats.labelsJoined, straight.labelsJoined);
  });

  it('opens in WAL mode with synchronous FULL by default, NORMAL on request', () => {
    const path = freshPath();
    new SqliteAnalysisStore({ path }).close();
    const db = new Database(path);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
    const s = new SqliteAnalysisStore({ path, synchronous: 'normal' });
    // synchronous is per connection: read it through the store's own connection.
    const sync = (s as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true });
    assert.equal(sync, 1);
    s.close();
    const f = new SqliteAnalysisStore({ path });
    assert.equal((f as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true }), 2);
    f.close();
  });

  it('creates the database and its WAL files readable by the owner only', () => {
    const path = freshPath();
    const s = new SqliteAnalysisStore({ path });
    for (const file of [path, `${path}-wal`, `${path}-shm`])
      if (existsSync(file)) assert.equal(statSync(file).mode & 0o077, 0, `${file} is private`);
    assert.equal(statSync(dirname(path)).mode & 0o077, 0);
    s.close();
  });

  it('refuses a path it cannot open, naming the path', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const path = join(file, 'state.db');
    assert.throws(
      () => new SqliteAnalysisStore({ path }),
      (e: unknown) => e instanceof MlobsError && e.code === 'MLOBS_ERR_STORE' && e.message.includes(path),
    );
  });
});

describe('SqliteAnalysisStore window results', () => {
  it('keeps about maxWindows closed windows, dropping the oldest, and reads them oldest first', () => {
    const s = new SqliteAnalysisStore({ path: ':memory:', maxWindows: 100 });
    const stream = { service: 's', pipeline: 'p', component: 'c', model: '' };
    for (let i = 0; i < 250; i++)
      s.addWindow({
        stream,
        startMs: i * 10,
        endMs: i * 10 + 10,
        runs: 1,
        rows: i,
        referenceSource: '',
        findings: [],
      });
    const all = s.windows();
    assert.ok(all.length >= 100 && all.length <= 101, `kept ${all.length}`);
    assert.equal(all.at(-1)?.rows, 249);
    assert.ok(all.every((w, i) => i === 0 || w.endMs > all[i - 1]!.endMs));
    assert.deepEqual(
      s.windows({ sinceMs: 2470, limit: 5 }).map((w) => w.rows),
      [247, 248, 249],
    );
    assert.deepEqual(
      s.windows({ limit: 2 }).map((w) => w.rows),
      [248, 249],
    );
    s.close();
  });

  it('stores the growing finding count of an open incident even when no incident event fired', () => {
    const store = new SqliteAnalysisStore({ path: ':memory:' });
    const d = durable(store, recorder().listener);
    for (const batch of scenario())
      d.apply((a) => {
        for (const s of batch) a.ingest(s);
      });
    const live = d.analyzer.openIncidents();
    assert.ok(live.length > 0);
    for (const i of live)
      assert.equal(store.incidents().find((x) => x.id === i.id)?.findingCount, i.findingCount);
    store.close();
  });
});

describe('SqliteLabelJoinStore', () => {
  it('returns a prediction once, keeps NaN scores, evicts the oldest beyond capacity and expires by time', () => {
    const s = new SqliteAnalysisStore({ path: ':memory:', maxPredictions: 3 });
    for (let i = 0; i < 4; i++) s.labels.put(`p${i}`, pred(i * 100));
    assert.equal(s.labels.size, 3);
    assert.equal(s.labels.evicted, 1);
    assert.equal(s.labels.take('p0'), undefined);
    const p1 = s.labels.take('p1');
    assert.ok(p1 && Number.isNaN(p1.score) && p1.stream.component === 'score');
    assert.equal(s.labels.take('p1'), undefined);
    s.labels.put('p2', pred(1000));
    assert.equal(s.labels.expire(500), 1, 'p3 expires; p2 was renewed at 1000');
    assert.equal(s.labels.size, 1);
    s.close();
  });

  it('forgets predictions written in a rolled-back transaction and keeps its size right', () => {
    const s = new SqliteAnalysisStore({ path: ':memory:' });
    s.labels.put('kept', pred(1));
    assert.throws(() =>
      s.transaction(() => {
        s.labels.put('lost', pred(2));
        s.labels.take('kept');
        throw new Error('boom');
      }),
    );
    assert.equal(s.labels.size, 1);
    assert.equal(s.labels.take('lost'), undefined);
    assert.ok(s.labels.take('kept'));
    s.close();
  });
});

function reaction(incidentId: string, status: Reaction['status'], atMs: number): Reaction {
  return {
    id: `r-${incidentId}`,
    policy: 'fallback-on-broken-spend',
    action: 'fallback',
    status,
    target: 'churn/score',
    to: 'churn-rules-v1',
    undo: false,
    reason: 'incident opened (warning): missing_rate in churn: monthly_spend (score)',
    dryRun: false,
    incidentId,
    severity: 'warning',
    service: 'shop',
    pipeline: 'churn',
    atMs,
  };
}

describe('SqliteAnalysisStore reactions', () => {
  it('keeps every reaction record across a reopen, per incident in the order taken, the newest on request', () => {
    const path = freshPath();
    const first = new SqliteAnalysisStore({ path });
    first.transaction(() =>
      first.addReactions([reaction('a', 'triggered', 1), reaction('b', 'suppressed', 2)]),
    );
    first.addReactions([reaction('a', 'succeeded', 3), { ...reaction('a', 'triggered', 4), undo: true }]);
    first.close();
    const again = new SqliteAnalysisStore({ path });
    assert.deepEqual(
      again.reactions({ incidentId: 'a' }).map((r) => `${r.status}${r.undo ? ':undo' : ''}@${r.atMs}`),
      ['triggered@1', 'succeeded@3', 'triggered:undo@4'],
    );
    assert.deepEqual(again.reactions({ incidentId: 'a' })[0], reaction('a', 'triggered', 1));
    assert.deepEqual(
      again.reactions({ limit: 2 }).map((r) => r.atMs),
      [3, 4],
    );
    assert.equal(again.reactions().length, 4);
    // mlobs incidents reads the same records, read-only, while the collector holds the file.
    const reader = new IncidentReader(path);
    assert.deepEqual(reader.reactions({ incidentId: 'b' }), [reaction('b', 'suppressed', 2)]);
    reader.close();
    again.close();
  });

  it('opens a state file written before reactions were kept: its incidents stay, reactions start empty', () => {
    const path = freshPath();
    const old = new SqliteAnalysisStore({ path });
    old.close();
    // What a schema-1 file looked like: the same tables without reactions.
    const db = new Database(path);
    db.exec('DROP TABLE reactions');
    db.pragma('user_version = 1');
    db.prepare('INSERT INTO incidents (id, status, opened_at_ms, body) VALUES (?, ?, ?, ?)').run(
      'old',
      'resolved',
      1,
      JSON.stringify({ id: 'old', status: 'resolved', openedAtMs: 1 }),
    );
    db.close();
    const reader = new IncidentReader(path);
    assert.deepEqual(reader.reactions(), [], 'a reader of the old file finds no reactions, and no error');
    reader.close();
    const upgraded = new SqliteAnalysisStore({ path });
    assert.deepEqual(
      upgraded.incidents().map((i) => i.id),
      ['old'],
    );
    upgraded.addReactions([reaction('old', 'triggered', 5)]);
    assert.equal(upgraded.reactions().length, 1);
    upgraded.close();
  });

  it('keeps about maxReactions records, dropping the oldest', () => {
    const s = new SqliteAnalysisStore({ path: ':memory:', maxReactions: 100 });
    for (let k = 0; k < 250; k++) s.addReactions([reaction(`i${k}`, 'triggered', k)]);
    const all = s.reactions();
    assert.ok(all.length >= 100 && all.length <= 102, `kept ${all.length}`);
    assert.equal(all.at(-1)?.atMs, 249);
    s.close();
  });
});
