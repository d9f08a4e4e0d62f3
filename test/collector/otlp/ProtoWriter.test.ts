import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferPool } from '../../../src/collector/exporterhelper/BufferPool.js';
import { ProtoReader } from '../../../src/collector/otlp/ProtoReader.js';
import { ProtoWriter, varintSize } from '../../../src/collector/otlp/ProtoWriter.js';

/** A nested message of `n` body bytes written with `reserved` length bytes. */
function nested(n: number, reserved: number, w = new ProtoWriter(16)): Buffer {
  w.tag(1, 2);
  const start = w.fork(reserved);
  for (let i = 0; i < n; i++) w.raw(Uint8Array.of(i & 0x7f));
  w.join(start, reserved);
  w.tag(2, 0);
  w.varint32(7);
  return Buffer.from(w.finish());
}

describe('ProtoWriter', () => {
  it('writes canonical lengths whatever the bytes reserved (fewer, as many, or more than needed)', () => {
    for (const n of [0, 1, 127, 128, 300, 16_383, 16_384, 70_000, 2_097_152]) {
      const canonical = nested(n, 1);
      const r = new ProtoReader(canonical);
      assert.equal(r.uint32(), 10);
      assert.equal(r.uint32(), n, `length of ${n}`);
      assert.equal(canonical.length, 1 + varintSize(n) + n + 2);
      for (const reserved of [1, 2, 3, 4, 5])
        assert.deepEqual(nested(n, reserved), canonical, `${n} bytes, ${reserved} reserved`);
    }
  });

  it('sizes varints', () => {
    assert.deepEqual(
      [0, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456].map(varintSize),
      [1, 1, 2, 2, 3, 3, 4, 4, 5],
    );
  });

  it('grows within a pool: trades its buffer for a bigger one and hands the old one back', () => {
    const pool = new BufferPool(1024 * 1024, 1024);
    const w = new ProtoWriter(1024, pool, 40_960);
    for (let i = 0; i < 3000; i++) w.fixed32(i);
    assert.equal(w.length, 12_000);
    assert.ok(w.buffer.length >= 12_000);
    assert.ok(pool.idleSize >= 1024, 'outgrown buffers are idle in the pool');
    for (let i = 0; i < 6000; i++) w.fixed32(i);
    assert.equal(w.buffer.length, 40_960, 'doubling stops at the grow limit');
    const r = new ProtoReader(w.finish());
    for (let i = 0; i < 3000; i++) assert.equal(r.fixed32(), i);
  });

  it('truncates back to an earlier size', () => {
    const w = new ProtoWriter(16);
    w.varint32(1);
    const mark = w.size;
    w.string('dropped');
    w.truncateSize(mark);
    w.varint32(2);
    assert.deepEqual([...w.finish()], [1, 2]);
  });

  it('refers to large verbatim blocks instead of copying them, with the same output bytes', () => {
    const block = (n: number, v: number) => new Uint8Array(n).fill(v);
    const write = (w: ProtoWriter) => {
      w.tag(1, 2);
      const outer = w.fork();
      w.tag(2, 2);
      const inner = w.fork(2);
      w.varint32(5);
      w.external(block(3000, 7));
      w.external(block(10, 8));
      w.join(inner, 2);
      w.external(block(200_000, 9));
      w.varint32(6);
      w.join(outer);
    };
    const plain = new ProtoWriter(16);
    write(plain);
    const referencing = new ProtoWriter(16, undefined, 0, 1024);
    write(referencing);
    assert.equal(referencing.size, plain.length);
    assert.ok(referencing.length < 1000, `own bytes ${referencing.length}`);
    const segments = referencing.segments();
    assert.equal(segments.length, 5);
    assert.deepEqual(Buffer.concat(segments), Buffer.from(plain.finish()));
    assert.deepEqual(Buffer.from(referencing.finish()), Buffer.from(plain.finish()));
    // Rolling back and moving a tail keep blocks as blocks.
    const mark = referencing.size;
    referencing.external(block(4000, 1));
    referencing.varint32(300);
    const moved = new ProtoWriter(16, undefined, 0, 1024);
    referencing.copyTail(mark, moved);
    assert.equal(moved.segments().length, 2);
    assert.equal(moved.size, 4002);
    referencing.truncateSize(mark);
    assert.deepEqual(Buffer.from(referencing.finish()), Buffer.from(plain.finish()));
  });
});

describe('BufferPool', () => {
  it('hands out the largest idle buffer that is big enough, else a fresh one', () => {
    const pool = new BufferPool(1 << 20, 1024);
    const a = Buffer.allocUnsafeSlow(4096);
    const b = Buffer.allocUnsafeSlow(8192);
    pool.give(a);
    pool.give(b);
    assert.equal(pool.idleSize, 12_288);
    assert.equal(pool.take(2000), b);
    assert.equal(
      pool.take(5000).length,
      5120,
      'a (4096) is too small: fresh, rounded up to an eighth of 4096',
    );
    assert.equal(pool.take(1), a);
    assert.equal(pool.idleSize, 0);
    assert.equal(pool.take(1).length, 1024, 'fresh buffers are at least minSize');
  });

  it('keeps at most maxBytes idle, preferring big buffers, and ignores views and small buffers', () => {
    const pool = new BufferPool(10_000, 1024);
    pool.give(Buffer.allocUnsafeSlow(4000));
    pool.give(Buffer.allocUnsafeSlow(4000));
    pool.give(Buffer.allocUnsafeSlow(3000));
    assert.equal(pool.idleSize, 8000, 'the third does not fit');
    pool.give(Buffer.allocUnsafeSlow(6000));
    assert.equal(pool.idleSize, 10_000, 'a 4000 made room for the 6000');
    pool.give(Buffer.allocUnsafeSlow(512));
    pool.give(Buffer.allocUnsafeSlow(8000).subarray(10));
    assert.equal(pool.idleSize, 10_000);
  });
});
