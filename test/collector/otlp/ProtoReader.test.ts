import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OtlpDecodeError } from '../../../src/collector/otlp/OtlpDecodeError.js';
import { ProtoReader } from '../../../src/collector/otlp/ProtoReader.js';
import { ProtoWriter } from '../../../src/collector/otlp/ProtoWriter.js';

describe('ProtoReader / ProtoWriter', () => {
  it('reads back every string exactly even when interned short strings collide', () => {
    const strings: string[] = [];
    for (let i = 0; i < 20_000; i++)
      strings.push(`k${i}`, `ml.summary.${i % 97}`, 'x'.repeat(i % 60), `é${i}`);
    const w = new ProtoWriter();
    for (const s of strings) w.string(s);
    for (const s of strings) w.string(s);
    const r = new ProtoReader(w.finish());
    for (const s of [...strings, ...strings]) assert.equal(r.string(), s);
    assert.equal(r.pos, r.end);
  });

  it('round-trips varints, zigzag and fixed-width numbers at their limits', () => {
    const w = new ProtoWriter();
    const u64 = [0, 1, 127, 128, 2 ** 32, Number.MAX_SAFE_INTEGER, 2n ** 64n - 1n];
    for (const v of u64) w.varint64(v);
    for (const v of [0, -1, 1, -2147483648, 2147483647]) w.sint32(v);
    for (const v of [-1, -2147483648, 5]) w.int32(v);
    w.sfixed64(-5);
    w.sfixed64(-(2n ** 63n));
    w.fixed64(2n ** 64n - 1n);
    w.double(-0.25);
    const r = new ProtoReader(w.finish());
    assert.deepEqual(
      u64.map(() => r.uint64()),
      [0, 1, 127, 128, 2 ** 32, Number.MAX_SAFE_INTEGER, 2n ** 64n - 1n],
    );
    assert.deepEqual(
      [0, 1, 2, 3, 4].map(() => r.sint32()),
      [0, -1, 1, -2147483648, 2147483647],
    );
    assert.deepEqual(
      [0, 1, 2].map(() => r.int32()),
      [-1, -2147483648, 5],
    );
    assert.equal(r.sfixed64(), -5);
    assert.equal(r.sfixed64(), -(2n ** 63n));
    assert.equal(r.fixed64(), 2n ** 64n - 1n);
    assert.equal(r.double(), -0.25);
  });

  it('writes nested lengths that need several varint bytes', () => {
    const w = new ProtoWriter(8);
    w.tag(1, 2);
    const a = w.fork();
    w.tag(2, 2);
    const b = w.fork();
    w.string('y'.repeat(70_000));
    w.join(b);
    w.join(a);
    const r = new ProtoReader(w.finish());
    assert.equal(r.uint32(), 10);
    const end = r.delimited();
    assert.equal(end, r.end);
    assert.equal(r.uint32(), 18);
    r.delimited();
    assert.equal(r.string().length, 70_000);
  });

  it('fails with a decode error on overlong varints, lengths past the end and bad wire types', () => {
    assert.throws(() => new ProtoReader(new Uint8Array(11).fill(0xff)).uint64(), OtlpDecodeError);
    assert.throws(() => new ProtoReader(Uint8Array.of(0x05, 0x61)).string(), /runs past the end/);
    assert.throws(() => new ProtoReader(Uint8Array.of(0x80)).uint32(), /truncated varint/);
    assert.throws(() => new ProtoReader(Uint8Array.of()).skip(7), /invalid wire type 7/);
    assert.throws(() => new ProtoWriter().hex('abc'), /odd number/);
    assert.throws(() => new ProtoWriter().hex('zz'), /not hexadecimal/);
  });
});
