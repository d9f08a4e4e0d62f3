import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { sdkDrops } from '../../src/sdk/DropCounter.js';
import { configurePrivacy } from '../../src/sdk/privacy.js';
import { recordPredictions } from '../../src/sdk/recordPredictions.js';
import {
  ATTR_ML_BATCH_ROWS,
  ATTR_ML_PREDICTION_CLASSES,
  ATTR_ML_PREDICTION_IDS,
  ATTR_ML_PREDICTION_SCORES,
  ATTR_ML_PREDICTION_TASK,
  ATTR_ML_PREDICTION_VALUES,
  EVENT_ML_PREDICTIONS,
} from '../../src/semconv/index.js';
import { decodeSummaryEvents } from '../../src/summaries/index.js';
import { eventsNamed, SpanHarness } from './spanHarness.js';

// These tests are about join sampling, so ids stay raw here; the default (keyed hashes) is
// tested in privacy.test.ts.
configurePrivacy({ ids: 'raw' });

describe('recordPredictions', () => {
  const h = new SpanHarness();
  beforeEach(() => h.install());
  afterEach(() => h.uninstall());

  it('summarises regression outputs and joins them by the given ids, skipping missing values', () => {
    const span = h.record((s) =>
      recordPredictions({ values: [1.5, null, 3, Number.NaN] }, { span: s, ids: ['r1', 'r2', 'r3', 'r4'] }),
    );
    const events = eventsNamed(span, EVENT_ML_PREDICTIONS);
    assert.equal(events.length, 1);
    const a = events[0].attributes;
    assert.equal(a[ATTR_ML_PREDICTION_TASK], 'regression');
    assert.deepEqual(a[ATTR_ML_PREDICTION_IDS], ['r1', 'r3']);
    assert.deepEqual(a[ATTR_ML_PREDICTION_VALUES], [1.5, 3]);
    const value = decodeSummaryEvents(events).features.get('value');
    assert.equal(value?.count, 2);
    assert.equal(value?.nullCount, 2);
  });

  it('counts a non-numeric regression output as invalid and keeps it out of the join', () => {
    const span = h.record((s) =>
      recordPredictions({ values: [2, 'n/a' as unknown as number, 4] }, { span: s, batchId: 'r' }),
    );
    const events = eventsNamed(span, EVENT_ML_PREDICTIONS);
    assert.deepEqual(events[0].attributes[ATTR_ML_PREDICTION_IDS], ['r:0', 'r:2']);
    const value = decodeSummaryEvents(events).features.get('value');
    assert.equal(value?.count, 2);
    assert.equal(value?.invalidCount, 1);
  });

  it('joins predicted classes without scores when only labels were output', () => {
    const span = h.record((s) => recordPredictions({ classes: ['a', 'b', 'a'] }, { span: s, batchId: 'b9' }));
    const a = eventsNamed(span, EVENT_ML_PREDICTIONS)[0].attributes;
    assert.deepEqual(a[ATTR_ML_PREDICTION_IDS], ['b9:0', 'b9:1', 'b9:2']);
    assert.deepEqual(a[ATTR_ML_PREDICTION_CLASSES], ['a', 'b', 'a']);
    assert.equal(a[ATTR_ML_PREDICTION_SCORES], undefined);
  });

  it('writes no join arrays when there is neither an id nor a batch id to join on', () => {
    const span = h.record((s) => recordPredictions({ values: [1, 2] }, { span: s }));
    for (const e of eventsNamed(span, EVENT_ML_PREDICTIONS))
      assert.equal(e.attributes[ATTR_ML_PREDICTION_IDS], undefined);
  });

  it('bounds the join sample by joinSampleSize', () => {
    const values = Array.from({ length: 500 }, (_, i) => i);
    const span = h.record((s) =>
      recordPredictions({ values }, { span: s, batchId: 'big', joinSampleSize: 50 }),
    );
    const a = eventsNamed(span, EVENT_ML_PREDICTIONS)[0].attributes;
    assert.equal((a[ATTR_ML_PREDICTION_IDS] as string[]).length, 50);
    const ids = a[ATTR_ML_PREDICTION_IDS] as string[];
    const vals = a[ATTR_ML_PREDICTION_VALUES] as number[];
    for (const [k, id] of ids.entries()) assert.equal(`big:${vals[k]}`, id);
  });

  it('attaches nothing and warns when ids do not match the rows', () => {
    const span = h.record((s) => recordPredictions({ values: [1, 2, 3] }, { span: s, ids: ['only-one'] }));
    assert.equal(span.events.length, 0);
    assert.equal(span.attributes[ATTR_ML_BATCH_ROWS], undefined);
    assert.match(h.warnings[0], /options\.ids must have one id per row \(3\), got 1/);
  });

  it('attaches nothing and warns for probabilities of the wrong shape', () => {
    const span = h.record((s) => recordPredictions({ probabilities: [[0.2, 0.8], [1]] }, { span: s }));
    assert.equal(span.events.length, 0);
    assert.equal(sdkDrops.snapshot()['recordPredictions input rejected'], 1);
    assert.match(h.warnings[0], /probabilities\[1\] has 1 classes/);
  });

  it('rejects a negative joinSampleSize with a clear warning', () => {
    h.record((s) => recordPredictions({ values: [1] }, { span: s, batchId: 'b', joinSampleSize: -1 }));
    assert.match(h.warnings[0], /joinSampleSize must be a non-negative integer, got -1/);
  });
});
