import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader } from '../../src/summaries/ByteReader.js';
import { ByteWriter } from '../../src/summaries/ByteWriter.js';
import { crc32 } from '../../src/summaries/crc32.js';
import {
  deserializeFeature,
  deserializeFeatureBase64,
  mergeBatch,
  mergeFeature,
  serializeFeature,
  serializeFeatureBase64,
} from '../../src/summaries/featureCodec.js';
import { HyperLogLog } from '../../src/summaries/HyperLogLog.js';
import { hashNumber } from '../../src/summaries/hash.js';
import { NumericSummary } from '../../src/summaries/NumericSummary.js';
import { SummaryDecodeError } from '../../src/summaries/SummaryDecodeError.js';
import { SummaryMergeError } from '../../src/summaries/SummaryMergeError.js';
import { summarize } from '../../src/summaries/summarize.js';

function sample() {
  return summarize({
    n: [1, 2, 3, null, Number.POSITIVE_INFINITY, 'bad'],
    c: ['a', 'b', 'a', null, 'c', 'a'],
    t: ['x'.repeat(70), 'y'.repeat(90), null, 'z'.repeat(65), 'w'.repeat(100), 3],
    v: [[1, 2], [3, 4], [5], null, [0, 0], [1, 1]],
  });
}

function decodeError(bytes: Uint8Array): string {
  try {
    deserializeFeature(bytes);
  } catch (err) {
    assert.ok(err instanceof SummaryDecodeError, String(err));
    return err.message;
  }
  assert.fail('corrupt bytes were accepted');
}

describe('feature serialization', () => {
  it('round-trips every kind to identical bytes and statistics', () => {
    for (const [name, s] of sample().features) {
      const bytes = serializeFeature(s);
      const back = deserializeFeature(bytes);
      assert.equal(back.kind, s.kind, name);
      assert.deepEqual(serializeFeature(back), bytes, name);
      assert.deepEqual(
        [back.count, back.nullCount, back.invalidCount],
        [s.count, s.nullCount, s.invalidCount],
      );
    }
  });

  it('keeps a small categorical feature small on the wire (sparse HyperLogLog)', () => {
    const s = summarize({ c: ['yes', 'no', 'yes'] }).features.get('c')!;
    assert.ok(serializeFeature(s).length < 64, `${serializeFeature(s).length} bytes`);
  });

  it('round-trips a high-cardinality categorical feature (dense HyperLogLog registers)', () => {
    const s = summarize({ id: Array.from({ length: 20000 }, (_, i) => `id-${i}`) }).features.get('id')!;
    const back = deserializeFeature(serializeFeature(s));
    assert.equal(back.kind === 'categorical' && back.distinct(), s.kind === 'categorical' && s.distinct());
    const bytes = serializeFeature(s).length;
    // 4 096 registers, 5 bits each: 2 560 bytes, not the 4 096 of a byte each.
    assert.ok(bytes > 2560 && bytes < 3500, `dense registers are written whole, packed: ${bytes} bytes`);
  });

  it('still reads HyperLogLog registers written a byte each (mode 1, older builds)', () => {
    const h = new HyperLogLog(8);
    for (let i = 0; i < 2000; i++) h.addHash(hashNumber(i * 1.5));
    const w = new ByteWriter();
    w.u8(8);
    w.u8(1);
    w.bytes(h.registers);
    const back = HyperLogLog.decode(new ByteReader(w.finish()));
    assert.deepEqual(back.registers, h.registers);
    const packed = new ByteWriter();
    h.encode(packed);
    assert.deepEqual(HyperLogLog.decode(new ByteReader(packed.finish())).registers, h.registers);
  });

  it('names an unknown kind tag', () => {
    const bytes = serializeFeature(sample().features.get('n')!);
    bytes[4] = 7;
    assert.match(decodeError(bytes), /unknown summary kind tag 7/);
  });

  it('says "bad magic" for bytes that are not a summary', () => {
    assert.match(decodeError(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])), /bad magic/);
  });

  it('names an unsupported version', () => {
    const bytes = serializeFeature(sample().features.get('n')!);
    bytes[3] = 9;
    assert.match(decodeError(bytes), /unsupported summary format version 9/);
  });

  /** The summary's bytes as an older format wrote them: the last `drop` payload bytes cut. */
  function olderFormat(s: NumericSummary, version: number, drop: number): Uint8Array {
    const copy = s.merge(new NumericSummary());
    copy.distinctCounter = undefined; // its flag is then the payload's one last byte
    const cur = serializeFeature(copy);
    let payloadLength = 0;
    let at = 5;
    for (let shift = 0; ; shift += 7) {
      const b = cur[at++] as number;
      payloadLength += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    const payload = cur.subarray(at, at + payloadLength - drop);
    const len =
      payload.length < 0x80 ? [payload.length] : [(payload.length & 0x7f) | 0x80, payload.length >>> 7];
    const head = new Uint8Array([...cur.subarray(0, 3), version, cur[4] as number, ...len, ...payload]);
    const crc = crc32(head);
    return new Uint8Array([...head, crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24]);
  }

  it('counts whole numbers (format 2), merges them, and still reads format 1 with the count unknown', () => {
    const s = summarize({
      x: [1, 2.5, 3, -4, 0.1, null, Number.NaN, Number.POSITIVE_INFINITY, 1e300],
    }).features.get('x') as NumericSummary;
    assert.equal(s.count, 6);
    assert.equal(s.integerCount, 4); // 1, 3, -4, 1e300
    const back = deserializeFeature(serializeFeature(s)) as NumericSummary;
    assert.equal(back.integerCount, 4);
    assert.equal(s.merge(back).integerCount, 8);
    // Format 1: no whole-number count and no distinct flag after the sketch.
    const old = deserializeFeature(olderFormat(s, 1, 2)) as NumericSummary;
    assert.equal(old.count, 6);
    assert.equal(old.integerCount, undefined);
    assert.equal(old.merge(s).integerCount, undefined);
    // Unknown survives a round trip through the current format.
    assert.equal((deserializeFeature(serializeFeature(old)) as NumericSummary).integerCount, undefined);
  });

  it('counts distinct numbers (format 3), merges them, and still reads format 2 with the count unknown', () => {
    const values = Array.from({ length: 300 }, (_, i) => (i % 100) + 0.5); // 100 distinct, each 3 times
    const s = summarize({ x: [...values, null] }).features.get('x') as NumericSummary;
    const d = s.distinct() as number;
    assert.ok(Math.abs(d - 100) <= 20, `distinct ${d} of 100 (6.5% standard error)`);
    const back = deserializeFeature(serializeFeature(s)) as NumericSummary;
    assert.equal(back.distinct(), d);
    const few = summarize({ x: [0, -0, 1.5, 1.5, 2] }).features.get('x') as NumericSummary;
    assert.equal(few.distinct(), 3); // ±0 is one value; small counts are exact
    assert.equal(s.merge(s).distinct(), d);
    assert.ok((s.merge(few).distinct() as number) > d);
    const v2 = deserializeFeature(olderFormat(s, 2, 1)) as NumericSummary;
    assert.equal(v2.count, s.count);
    assert.equal(v2.integerCount, s.integerCount);
    assert.equal(v2.distinct(), undefined);
    assert.equal(v2.merge(s).distinct(), undefined);
    assert.equal((deserializeFeature(serializeFeature(v2)) as NumericSummary).distinct(), undefined);
  });

  it('says where truncated input ends', () => {
    const bytes = serializeFeature(sample().features.get('n')!);
    assert.match(decodeError(bytes.subarray(0, 20)), /truncated at byte 20/);
    assert.match(decodeError(bytes.subarray(0, 2)), /truncated at byte 2/);
  });

  it('detects a flipped payload byte by checksum', () => {
    const bytes = serializeFeature(sample().features.get('c')!);
    bytes[bytes.length - 10] ^= 0x40;
    assert.match(decodeError(bytes), /checksum mismatch/);
  });

  it('rejects trailing bytes', () => {
    const bytes = serializeFeature(sample().features.get('c')!);
    const longer = new Uint8Array(bytes.length + 2);
    longer.set(bytes);
    assert.match(decodeError(longer), /2 trailing byte/);
  });

  it('rejects impossible counts even with a valid checksum', () => {
    const s = new NumericSummary();
    s.addNumbers([1, 2, 3]);
    s.count = 7;
    assert.match(decodeError(serializeFeature(s)), /impossible counts: numeric count 7 but sketch holds 3/);
  });

  it('round-trips through base64 and rejects text that is not base64', () => {
    const s = sample().features.get('t')!;
    assert.equal(deserializeFeatureBase64(serializeFeatureBase64(s)).count, s.count);
    assert.throws(() => deserializeFeatureBase64('not base64!'), SummaryDecodeError);
  });
});

describe('merging', () => {
  it('merges batches feature by feature, adding rows, without touching the inputs', () => {
    const a = sample();
    const b = summarize({ n: [10, 20], extra: ['q', 'r'] });
    const m = mergeBatch(a, b);
    assert.equal(m.rows, 8);
    assert.equal(m.features.get('n')!.count, 5);
    assert.equal(m.features.get('extra')!.count, 2);
    assert.equal(m.features.get('c')!.count, 5);
    assert.equal(a.features.get('n')!.count, 3);
  });

  it('refuses to merge different kinds, naming the feature', () => {
    const a = summarize({ f: [1, 2] });
    const b = summarize({ f: ['x', 'y'] });
    assert.throws(() => mergeFeature(a.features.get('f')!, b.features.get('f')!), SummaryMergeError);
    assert.throws(
      () => mergeBatch(a, b),
      /feature "f": cannot merge a numeric summary with a categorical summary/,
    );
  });
});
