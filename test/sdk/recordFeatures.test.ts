import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { sdkDrops } from '../../src/sdk/DropCounter.js';
import { recordFeatures } from '../../src/sdk/recordFeatures.js';
import { ATTR_ML_BATCH_ID, ATTR_ML_BATCH_ROWS, EVENT_ML_FEATURES } from '../../src/semconv/index.js';
import { decodeSummaryEvents } from '../../src/summaries/index.js';
import { eventsNamed, SpanHarness } from './spanHarness.js';

describe('recordFeatures', () => {
  const h = new SpanHarness();
  beforeEach(() => h.install());
  afterEach(() => h.uninstall());

  it('attaches decodable summaries, the row count and the batch id to the given span', () => {
    const span = h.record((s) =>
      recordFeatures(
        { x: new Float64Array([1, 2, 3, 4]), city: ['a', 'b', 'a', null] },
        { span: s, batchId: 'b1' },
      ),
    );
    assert.equal(span.attributes[ATTR_ML_BATCH_ROWS], 4);
    assert.equal(span.attributes[ATTR_ML_BATCH_ID], 'b1');
    const batch = decodeSummaryEvents(eventsNamed(span, EVENT_ML_FEATURES));
    assert.equal(batch.features.get('x')?.count, 4);
    assert.equal(batch.features.get('city')?.nullCount, 1);
  });

  it('never throws on bad input: it warns with what was wrong and attaches nothing', () => {
    const span = h.record((s) => {
      recordFeatures(42, { span: s });
      recordFeatures(null, { span: s });
    });
    assert.equal(span.events.length, 0);
    assert.equal(span.attributes[ATTR_ML_BATCH_ROWS], undefined);
    assert.equal(sdkDrops.snapshot()['recordFeatures input rejected'], 2);
    assert.equal(h.warnings.length, 1, 'warned once, not per call');
    assert.match(h.warnings[0], /recordFeatures input rejected \(1 so far\)/);
  });

  it('counts a call made outside any span instead of throwing', () => {
    recordFeatures({ x: [1] });
    assert.equal(sdkDrops.snapshot()['no span to record on'], 1);
    assert.match(h.warnings[0], /pass options\.span or call it inside component\(\)/);
  });
});
