import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OldestFirst } from '../../../src/analysis/topology/OldestFirst.js';

describe('OldestFirst', () => {
  it('gives the oldest key still in the map, skipping keys deleted or replaced by other paths', () => {
    const m = new Map<string, object>();
    const order = new OldestFirst<object>();
    for (const k of ['a', 'b', 'c', 'd']) {
      const v = {};
      m.set(k, v);
      order.push(k, v, m);
    }
    m.delete('a');
    m.set('b', {});
    assert.equal(order.shift(m), 'c');
    m.delete('c');
    assert.equal(order.shift(m), 'd');
    m.delete('d');
    assert.equal(order.shift(m), undefined);
  });

  it('keeps its memory near the map size when keys leave the map by other paths, and its answers right', () => {
    const m = new Map<string, number[]>();
    const order = new OldestFirst<number[]>();
    for (let i = 0; i < 100_000; i++) {
      const v = [i];
      m.set(`k${i}`, v);
      order.push(`k${i}`, v, m);
      if (i >= 10) m.delete(`k${i - 10}`);
    }
    const held = (order as unknown as { keys: string[] }).keys.length;
    assert.ok(held < 2 * m.size + 1100, `held ${held} for a map of ${m.size}`);
    assert.equal(order.shift(m), 'k99990');
  });
});
