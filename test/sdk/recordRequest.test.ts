import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { configurePrivacy } from '../../src/sdk/privacy.js';
import { recordLabel, recordPrediction } from '../../src/sdk/recordRequest.js';
import {
  ATTR_ML_LABEL_CLASS,
  ATTR_ML_LABEL_VALUE,
  ATTR_ML_PREDICTION_CLASS,
  ATTR_ML_PREDICTION_ID,
  ATTR_ML_PREDICTION_SCORE,
} from '../../src/semconv/index.js';
import { SpanHarness } from './spanHarness.js';

// These tests are about join sampling, so ids stay raw here; the default (keyed hashes) is
// tested in privacy.test.ts.
configurePrivacy({ ids: 'raw' });

describe('per-request recordPrediction / recordLabel', () => {
  const h = new SpanHarness();
  beforeEach(() => h.install());
  afterEach(() => h.uninstall());

  it('marks the span with the prediction id, class and score', () => {
    const span = h.record((s) => recordPrediction('req-9', { class: 'fraud', score: 0.93 }, { span: s }));
    assert.equal(span.attributes[ATTR_ML_PREDICTION_ID], 'req-9');
    assert.equal(span.attributes[ATTR_ML_PREDICTION_CLASS], 'fraud');
    assert.equal(span.attributes[ATTR_ML_PREDICTION_SCORE], 0.93);
  });

  it('marks a label span with the id it answers and the true class or value', () => {
    const c = h.record((s) => recordLabel('req-9', { class: 'legit' }, { span: s }));
    assert.equal(c.attributes[ATTR_ML_PREDICTION_ID], 'req-9');
    assert.equal(c.attributes[ATTR_ML_LABEL_CLASS], 'legit');
    const v = h.record((s) => recordLabel('req-10', { value: 12.5 }, { span: s }));
    assert.equal(v.attributes[ATTR_ML_LABEL_VALUE], 12.5);
  });

  it('sets nothing for a non-finite score or an empty id, and says why', () => {
    const span = h.record((s) => {
      recordPrediction('req-1', { score: Number.NaN }, { span: s });
      recordPrediction('', { class: 'x' }, { span: s });
    });
    assert.deepEqual(span.attributes, {});
    assert.match(h.warnings[0], /score of 'req-1' has the wrong type or is not finite/);
  });

  it('sets nothing when the prediction carries no field', () => {
    const span = h.record((s) => recordPrediction('req-2', {}, { span: s }));
    assert.deepEqual(span.attributes, {});
    assert.match(h.warnings[0], /'req-2' has none of class, score, value/);
  });
});
