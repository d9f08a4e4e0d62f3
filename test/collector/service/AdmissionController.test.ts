import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AdmissionController,
  type AdmissionTicket,
  acquireAll,
} from '../../../src/collector/service/AdmissionController.js';

const ticket = (t: AdmissionTicket | string): AdmissionTicket => {
  assert.notEqual(typeof t, 'string', `expected a ticket, got ${String(t)}`);
  return t as AdmissionTicket;
};

describe('AdmissionController', () => {
  it('admits up to the limit, lines up waiters within the waiting limit, and refuses beyond', async () => {
    const a = new AdmissionController(100, 60);
    const first = ticket(await a.acquire(70));
    assert.equal(a.bytesInFlight, 70);
    const order: string[] = [];
    const w1 = a.acquire(40).then((t) => {
      order.push('w1');
      return t;
    });
    const w2 = a.acquire(20).then((t) => {
      order.push('w2');
      return t;
    });
    assert.equal(a.bytesWaiting, 60);
    assert.equal(await a.acquire(1), 'busy', 'the line is full');
    assert.equal(await a.acquire(101), 'too_large', 'can never fit');
    first.release();
    first.release(); // a second release must not give bytes back twice
    const [t1, t2] = [ticket(await w1), ticket(await w2)];
    assert.deepEqual(order, ['w1', 'w2'], 'first in, first admitted');
    assert.equal(a.bytesInFlight, 60);
    assert.equal(a.bytesWaiting, 0);
    t1.release();
    t2.release();
    assert.equal(a.bytesInFlight, 0);
  });

  it('keeps FIFO order: a small request does not overtake a large one waiting', async () => {
    const a = new AdmissionController(100, 100);
    const held = ticket(await a.acquire(50));
    const big = a.acquire(80);
    // 10 bytes would fit now, but the large request waits first.
    let smallDone = false;
    const small = a.acquire(10).then((t) => {
      smallDone = true;
      return t;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(smallDone, false);
    held.release();
    ticket(await big).release();
    ticket(await small).release();
  });

  it('drops an aborted waiter and lets the next one in', async () => {
    const a = new AdmissionController(10, 100);
    const held = ticket(await a.acquire(10));
    const gone = new AbortController();
    const w = a.acquire(5, gone.signal);
    gone.abort();
    assert.equal(await w, 'aborted');
    assert.equal(a.bytesWaiting, 0);
    held.release();
    assert.equal(a.bytesInFlight, 0);
  });

  it('grows a ticket only within the limit and gives grown bytes back on release', async () => {
    const a = new AdmissionController(100, 0);
    const t = ticket(await a.acquire(30));
    assert.equal(t.grow(60), true);
    assert.equal(t.grow(20), false);
    assert.equal(a.bytesInFlight, 90);
    t.release();
    assert.equal(a.bytesInFlight, 0);
  });

  it('acquireAll takes every budget or none', async () => {
    const receiver = new AdmissionController(100, 0);
    const process = new AdmissionController(50, 0);
    const t = ticket(await acquireAll([receiver, process], 40));
    assert.equal(await acquireAll([receiver, process], 20), 'busy');
    assert.equal(receiver.bytesInFlight, 40, 'the receiver share of a refused request is given back');
    assert.equal(t.grow(20), false, 'the process budget has no room for 20 more');
    assert.equal(receiver.bytesInFlight, 40, 'a failed grow is undone everywhere');
    t.release();
    assert.equal(receiver.bytesInFlight + process.bytesInFlight, 0);
  });
});
