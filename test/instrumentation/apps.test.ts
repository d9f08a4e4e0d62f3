import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FEATURE_NAMES } from '../../examples/credit/data.js';
import {
  ATTR_ML_BATCH_ROWS,
  ATTR_ML_COMPONENT_KIND,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_SUMMARY_NAMES,
  EVENT_ML_FEATURES,
  EVENT_ML_PREDICTIONS,
} from '../../src/semconv/index.js';
import { OtlpJsonReceiver, runRegistered } from './otlpJsonReceiver.js';

// Apps that know nothing of mlobs, instrumented by `node --import mlobs/register` alone.
describe('mlobs/register instruments apps that do not know mlobs', () => {
  const receiver = new OtlpJsonReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());
  beforeEach(() => {
    receiver.spans.length = 0;
  });

  for (const [kind, file] of [
    ['an ESM', 'test/instrumentation/fixtures/ort-app.mjs'],
    ['a CommonJS', 'test/instrumentation/fixtures/ort-app.cjs'],
  ] as const) {
    it(`records ${kind} app's onnxruntime-node inference with feature and prediction summaries`, async () => {
      const out = await runRegistered([file], receiver.endpoint, { MLOBS_SAMPLING: '1' });
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /scored 16 rows/);
      const span = receiver.spans.find((s) => s.attributes[ATTR_ML_COMPONENT_KIND] === 'inference');
      assert.ok(span, `spans: ${receiver.spans.map((s) => s.name).join(', ')}`);
      assert.equal(span.attributes[ATTR_ML_MODEL_NAME], 'credit-risk');
      assert.equal(span.attributes[ATTR_ML_BATCH_ROWS], 16);
      const names = span.events
        .filter((e) => e.name === EVENT_ML_FEATURES)
        .flatMap((e) => e.attributes[ATTR_ML_SUMMARY_NAMES] as string[]);
      assert.deepEqual(names.sort(), [...FEATURE_NAMES].sort());
      assert.ok(span.events.some((e) => e.name === EVENT_ML_PREDICTIONS));
    });
  }

  it('starts the app even when an MLOBS_* variable is wrong, and says which', async () => {
    const out = await runRegistered(['test/instrumentation/fixtures/ort-app.cjs'], receiver.endpoint, {
      MLOBS_SAMPLING: 'sometimes',
    });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /scored 16 rows/);
    assert.match(
      out.stderr,
      /not started \(MLOBS_ERR_ENV_INVALID\): MLOBS_SAMPLING: expected 1, 1\/N .* got 'sometimes'/,
    );
  });
});
