import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ATTR_ML_SUMMARY_COUNT,
  ATTR_ML_SUMMARY_HISTOGRAM_COUNTS,
  ATTR_ML_SUMMARY_KIND,
  ATTR_ML_SUMMARY_MIN,
  ATTR_ML_SUMMARY_NAMES,
  ATTR_ML_SUMMARY_QUANTILES,
  ATTR_ML_SUMMARY_SKETCH,
  ATTR_ML_SUMMARY_TOP_COUNTS,
  ATTR_ML_SUMMARY_TOP_LENGTHS,
  ATTR_ML_SUMMARY_TOP_VALUES,
  EVENT_ML_FEATURES,
} from '../../src/semconv/index.js';
import { SummaryDecodeError } from '../../src/summaries/SummaryDecodeError.js';
import { summarize } from '../../src/summaries/summarize.js';
import { decodeSummaryEvents, encodeSummaryEvents } from '../../src/summaries/summaryEvents.js';

function thousandFeatures() {
  const cols: Record<string, unknown[]> = {};
  for (let f = 0; f < 1000; f++) {
    const kind = f % 4;
    cols[`f${f}`] = Array.from({ length: 20 }, (_, r) =>
      kind === 0 ? r * f : kind === 1 ? `c${r % 3}` : kind === 2 ? `${'t'.repeat(70)}${r}` : [r, f],
    );
  }
  return summarize(cols);
}

describe('summary events', () => {
  it('fits 1,000 features of all kinds in 4 events of under 128 attributes each', () => {
    const events = encodeSummaryEvents(thousandFeatures(), EVENT_ML_FEATURES);
    assert.equal(events.length, 4);
    for (const e of events) {
      assert.equal(e.name, EVENT_ML_FEATURES);
      assert.ok(Object.keys(e.attributes).length < 128);
      assert.equal((e.attributes[ATTR_ML_SUMMARY_NAMES] as string[]).length, 250);
    }
  });

  it('decodes back to the same features, counts and rows', () => {
    const batch = thousandFeatures();
    const decoded = decodeSummaryEvents(encodeSummaryEvents(batch, EVENT_ML_FEATURES));
    assert.equal(decoded.rows, 20);
    assert.equal(decoded.features.size, 1000);
    for (const [name, s] of batch.features) {
      const d = decoded.features.get(name)!;
      assert.equal(d.kind, s.kind);
      assert.equal(d.count, s.count);
    }
  });

  it('writes 0 instead of NaN for a feature without values, and readable projections', () => {
    const batch = summarize({ empty: [null, null], x: [1, 2, 3, 4], c: ['a', 'a', 'b', null] });
    const events = encodeSummaryEvents(batch, EVENT_ML_FEATURES);
    const numeric = events.find((e) => e.attributes[ATTR_ML_SUMMARY_KIND] === 'numeric')!;
    assert.deepEqual(numeric.attributes[ATTR_ML_SUMMARY_MIN], [0, 1]);
    for (const v of numeric.attributes[ATTR_ML_SUMMARY_QUANTILES] as number[]) assert.ok(Number.isFinite(v));
    assert.equal((numeric.attributes[ATTR_ML_SUMMARY_QUANTILES] as number[]).length, 14);
    const hist = numeric.attributes[ATTR_ML_SUMMARY_HISTOGRAM_COUNTS] as number[];
    assert.equal(hist.length, 20);
    assert.equal(
      hist.slice(10).reduce((a, b) => a + b, 0),
      4,
    );
    const cat = events.find((e) => e.attributes[ATTR_ML_SUMMARY_KIND] === 'categorical')!;
    assert.deepEqual(cat.attributes[ATTR_ML_SUMMARY_TOP_VALUES], ['a', 'b']);
    assert.deepEqual(cat.attributes[ATTR_ML_SUMMARY_TOP_COUNTS], [2, 1]);
    assert.deepEqual(cat.attributes[ATTR_ML_SUMMARY_TOP_LENGTHS], [2]);
  });

  it('names the event and attribute when a sketch is corrupt', () => {
    const events = encodeSummaryEvents(summarize({ x: [1, 2], y: [3, 4] }), EVENT_ML_FEATURES);
    const sketches = [...(events[0].attributes[ATTR_ML_SUMMARY_SKETCH] as string[])];
    sketches[1] = sketches[1].slice(0, 12);
    events[0].attributes[ATTR_ML_SUMMARY_SKETCH] = sketches;
    assert.throws(
      () => decodeSummaryEvents(events),
      (err: unknown) =>
        err instanceof SummaryDecodeError &&
        err.message.includes('event 0 (ml.features)') &&
        err.message.includes(`attribute ${ATTR_ML_SUMMARY_SKETCH}`) &&
        err.message.includes('feature 1 (y)'),
    );
  });

  it('rejects counts that disagree with the sketch, and arrays of the wrong length', () => {
    const events = encodeSummaryEvents(summarize({ x: [1, 2] }), EVENT_ML_FEATURES);
    events[0].attributes[ATTR_ML_SUMMARY_COUNT] = [5];
    assert.throws(
      () => decodeSummaryEvents(events),
      /attribute ml\.summary\.count: feature 0 \(x\) says 5, sketch 2/,
    );
    events[0].attributes[ATTR_ML_SUMMARY_COUNT] = [2, 2];
    assert.throws(() => decodeSummaryEvents(events), /ml\.summary\.count: has 2 entries, expected 1/);
  });

  it('accepts counts as decimal strings, as OTLP/JSON carries int64 values', () => {
    const events = encodeSummaryEvents(summarize({ x: [1, 2, null] }), EVENT_ML_FEATURES);
    events[0].attributes[ATTR_ML_SUMMARY_COUNT] = ['2'];
    assert.equal(decodeSummaryEvents(events).features.get('x')?.count, 2);
  });

  it('rejects an unknown kind and a missing names array', () => {
    assert.throws(
      () => decodeSummaryEvents([{ name: 'ml.features', attributes: { [ATTR_ML_SUMMARY_KIND]: 'audio' } }]),
      /attribute ml\.summary\.kind: expected one of/,
    );
    assert.throws(
      () => decodeSummaryEvents([{ name: 'ml.features', attributes: { [ATTR_ML_SUMMARY_KIND]: 'numeric' } }]),
      /ml\.summary\.names: missing or not an array/,
    );
  });
});
