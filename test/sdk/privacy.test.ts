import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { configurePrivacy, keyedHash, privacyFromEnv } from '../../src/sdk/privacy.js';
import { recordFeatures } from '../../src/sdk/recordFeatures.js';
import { recordLabels } from '../../src/sdk/recordLabels.js';
import { recordPredictions } from '../../src/sdk/recordPredictions.js';
import { recordLabel, recordPrediction } from '../../src/sdk/recordRequest.js';
import {
  ATTR_ML_LABEL_IDS,
  ATTR_ML_PREDICTION_ID,
  ATTR_ML_PREDICTION_IDS,
  EVENT_ML_FEATURES,
  EVENT_ML_LABELS,
  EVENT_ML_PREDICTIONS,
} from '../../src/semconv/index.js';
import { type CategoricalSummary, decodeSummaryEvents } from '../../src/summaries/index.js';
import { eventsNamed, SpanHarness } from './spanHarness.js';

const emails = Array.from({ length: 50 }, (_, i) => `user${i}@example.com`);
/** Every string anywhere in a span's events and attributes, to look for leaks. */
function allText(span: { attributes: unknown; events: { attributes?: unknown }[] }) {
  return JSON.stringify([span.attributes, span.events.map((e) => e.attributes)]);
}

describe('privacy of what leaves the process', () => {
  const h = new SpanHarness();
  beforeEach(() => {
    h.install();
    configurePrivacy({ key: 'k1' });
  });
  afterEach(() => {
    h.uninstall();
    configurePrivacy({});
  });

  it('hashes prediction and label ids with the same key by default, so they still join and no raw id leaves', () => {
    const predicted = h.record((s) =>
      recordPredictions(
        { classes: emails.map((_, i) => (i % 2 ? 'churn' : 'stay')) },
        { span: s, ids: emails },
      ),
    );
    const labelled = h.record((s) =>
      recordLabels({ classes: emails.map(() => 'stay') }, { span: s, ids: emails }),
    );
    const p = eventsNamed(predicted, EVENT_ML_PREDICTIONS)[0].attributes[ATTR_ML_PREDICTION_IDS] as string[];
    const l = eventsNamed(labelled, EVENT_ML_LABELS)[0].attributes[ATTR_ML_LABEL_IDS] as string[];
    assert.equal(p.length, 50);
    assert.deepEqual([...l].sort(), [...p].sort(), 'the same ids on both sides: the join matches');
    assert.ok(p.every((id) => /^h:[A-Za-z0-9_-]{22}$/.test(id)));
    assert.equal(p[0], keyedHash(emails[0], 'k1'));
    for (const span of [predicted, labelled]) assert.doesNotMatch(allText(span), /@example\.com/);
  });

  it('hashes the per-request prediction id too, and a different key gives different hashes', () => {
    const a = h.record((s) => recordPrediction('alice@example.com', { class: 'churn' }, { span: s }));
    const b = h.record((s) => recordLabel('alice@example.com', { class: 'stay' }, { span: s }));
    assert.equal(a.attributes[ATTR_ML_PREDICTION_ID], b.attributes[ATTR_ML_PREDICTION_ID]);
    const other = h.record((s) =>
      recordPrediction('alice@example.com', { class: 'churn' }, { span: s, privacy: { key: 'k2' } }),
    );
    assert.notEqual(other.attributes[ATTR_ML_PREDICTION_ID], a.attributes[ATTR_ML_PREDICTION_ID]);
    const raw = h.record((s) =>
      recordPrediction('alice@example.com', { class: 'churn' }, { span: s, privacy: { ids: 'raw' } }),
    );
    assert.equal(raw.attributes[ATTR_ML_PREDICTION_ID], 'alice@example.com', 'raw on request');
  });

  it('summarises a hashed feature from keyed hashes: same counts, shares and cardinality, no values', () => {
    const names = Array.from({ length: 200 }, (_, i) => (i < 30 ? 'Alice Smith' : `Person ${i % 40}`));
    const plan = names.map((_, i) => (i % 3 ? 'basic' : 'pro'));
    const span = h.record((s) =>
      recordFeatures({ name: names, plan }, { span: s, privacy: { features: { name: 'hash' } } }),
    );
    assert.doesNotMatch(allText(span), /Alice|Person/);
    const features = decodeSummaryEvents(eventsNamed(span, EVENT_ML_FEATURES)).features;
    const name = features.get('name') as CategoricalSummary;
    const top = name.top();
    assert.equal(top[0].value, keyedHash('Alice Smith', 'k1'));
    assert.equal(top[0].count, 30, 'the 15% share survives');
    assert.equal(name.count, 200);
    assert.ok(Math.abs(name.distinct() - 41) <= 2, `cardinality kept (${name.distinct()})`);
    const planTop = (features.get('plan') as CategoricalSummary).top().map((t) => t.value);
    assert.deepEqual([...planTop].sort(), ['basic', 'pro'], 'other features untouched');
  });

  it('drops a feature’s values entirely while keeping its counts and cardinality', () => {
    const cities = Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? null : `City ${i % 7}`));
    const span = h.record((s) =>
      recordFeatures(
        cities.map((c) => ({ city: c, age: 30 })),
        { span: s, privacy: { features: { city: 'drop' } } },
      ),
    );
    assert.doesNotMatch(allText(span), /City|h:/);
    const city = decodeSummaryEvents(eventsNamed(span, EVENT_ML_FEATURES)).features.get(
      'city',
    ) as CategoricalSummary;
    assert.deepEqual(city.top(), []);
    assert.equal(city.count, 90, 'non-null values');
    assert.equal(city.nullCount, 10);
    assert.equal(city.distinct(), 7);
  });

  it('reads process-wide settings from the environment (as mlobs/register does)', () => {
    assert.deepEqual(
      privacyFromEnv({
        MLOBS_PRIVACY_KEY: 's3cret',
        MLOBS_PRIVACY_HASH_FEATURES: 'name, email',
        MLOBS_PRIVACY_DROP_FEATURES: 'city',
        MLOBS_PRIVACY_IDS: 'raw',
      }),
      { key: 's3cret', features: { name: 'hash', email: 'hash', city: 'drop' }, ids: 'raw' },
    );
    configurePrivacy(privacyFromEnv({ MLOBS_PRIVACY_KEY: 'env-key', MLOBS_PRIVACY_DROP_FEATURES: 'secret' }));
    const span = h.record((s) => recordFeatures({ secret: ['x', 'y', 'x'] }, { span: s }));
    assert.doesNotMatch(allText(span), /"x"|"y"/);
    assert.throws(() => configurePrivacy({ features: { a: 'mask' as never } }), /raw, hash or drop/);
  });
});
