import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BufferPool } from '../../../src/collector/exporterhelper/BufferPool.js';

describe('BufferPool', () => {
  it('reuses a buffer given back, and keeps no more idle than its cap', () => {
    const pool = new BufferPool(256 * 1024, 64 * 1024);
    const a = pool.take(100 * 1024);
    pool.give(a);
    assert.equal(pool.take(90 * 1024), a);
    for (let i = 0; i < 5; i++) pool.give(Buffer.allocUnsafeSlow(128 * 1024));
    assert.ok(pool.idleSize <= 256 * 1024, `idle ${pool.idleSize}`);
  });

  it('lets its idle buffers go once it has not been used for a while, not while it is in use', async () => {
    const pool = new BufferPool(1 << 20, 64 * 1024, undefined, 120);
    pool.give(pool.take(64 * 1024));
    for (let i = 0; i < 4; i++) {
      await sleep(50);
      pool.give(pool.take(64 * 1024));
    }
    assert.ok(pool.idleSize > 0, 'kept while used every 50 ms');
    await sleep(400);
    assert.equal(pool.idleSize, 0, 'released after 120 ms of quiet');
  });
});
