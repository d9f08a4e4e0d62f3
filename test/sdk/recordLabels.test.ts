import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { configurePrivacy } from '../../src/sdk/privacy.js';
import { recordLabels } from '../../src/sdk/recordLabels.js';
import { recordPredictions } from '../../src/sdk/recordPredictions.js';
import {
  ATTR_ML_BATCH_ID,
  ATTR_ML_LABEL_CLASSES,
  ATTR_ML_LABEL_IDS,
  ATTR_ML_LABEL_VALUES,
  ATTR_ML_PREDICTION_IDS,
  EVENT_ML_LABELS,
  EVENT_ML_PREDICTIONS,
} from '../../src/semconv/index.js';
import { decodeSummaryEvents } from '../../src/summaries/index.js';
import { eventsNamed, SpanHarness } from './spanHarness.js';

// These tests are about join sampling, so ids stay raw here; the default (keyed hashes) is
// tested in privacy.test.ts.
configurePrivacy({ ids: 'raw' });

describe('recordLabels', () => {
  const h = new SpanHarness();
  beforeEach(() => h.install());
  afterEach(() => h.uninstall());

  it('joins labels to a predicted batch by batch id and row positions', () => {
    const span = h.record((s) =>
      recordLabels({ classes: ['spam', 'ham', null] }, { span: s, batchId: 'b7', rows: [4, 0, 2] }),
    );
    const events = eventsNamed(span, EVENT_ML_LABELS);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0].attributes[ATTR_ML_LABEL_IDS], ['b7:4', 'b7:0']);
    assert.deepEqual(events[0].attributes[ATTR_ML_LABEL_CLASSES], ['spam', 'ham']);
    assert.equal(span.attributes[ATTR_ML_BATCH_ID], 'b7');
    const label = decodeSummaryEvents(events).features.get('label');
    assert.equal(label?.kind, 'categorical');
    assert.equal(label?.nullCount, 1);
  });

  it('joins regression targets by prediction id', () => {
    const span = h.record((s) => recordLabels({ values: [3.5, 7] }, { span: s, ids: ['req-1', 'req-2'] }));
    const a = eventsNamed(span, EVENT_ML_LABELS)[0].attributes;
    assert.deepEqual(a[ATTR_ML_LABEL_IDS], ['req-1', 'req-2']);
    assert.deepEqual(a[ATTR_ML_LABEL_VALUES], [3.5, 7]);
  });

  it('samples the same ids as the predictions they answer, so sampled labels find their prediction', () => {
    const n = 5000;
    const ids = Array.from({ length: n }, (_, i) => `req-${i}`);
    const predicted = h.record((s) =>
      recordPredictions(
        { classes: ids.map((_, i) => (i % 2 ? 'a' : 'b')) },
        { span: s, ids, joinSampleSize: 200 },
      ),
    );
    // Labels come back later for every third request, in another order.
    const labelled = ids.filter((_, i) => i % 3 === 0).reverse();
    const labels = h.record((s) =>
      recordLabels({ classes: labelled.map(() => 'a') }, { span: s, ids: labelled, joinSampleSize: 200 }),
    );
    const pIds = new Set(
      eventsNamed(predicted, EVENT_ML_PREDICTIONS)[0].attributes[ATTR_ML_PREDICTION_IDS] as string[],
    );
    const lIds = eventsNamed(labels, EVENT_ML_LABELS)[0].attributes[ATTR_ML_LABEL_IDS] as string[];
    const joined = lIds.filter((id) => pIds.has(id));
    const expected = [...pIds].filter((id) => labelled.includes(id));
    assert.equal(joined.length, expected.length);
    assert.ok(joined.length > 40, `only ${joined.length} of 200 sampled labels joined`);
  });

  it('refuses labels with nothing to join on', () => {
    const span = h.record((s) => recordLabels({ classes: ['a'] }, { span: s }));
    assert.equal(span.events.length, 0);
    assert.match(h.warnings[0], /labels need options\.ids or options\.batchId/);
  });

  it('refuses row positions that are not non-negative integers', () => {
    const span = h.record((s) => recordLabels({ values: [1, 2] }, { span: s, batchId: 'b', rows: [0, 1.5] }));
    assert.equal(span.events.length, 0);
    assert.match(h.warnings[0], /options\.rows\[1\] must be a non-negative integer, got 1\.5/);
  });
});
