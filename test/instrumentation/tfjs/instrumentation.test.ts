import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { context, DiagLogLevel, diag, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { isWrapped } from '@opentelemetry/instrumentation';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { TfjsInstrumentation } from '../../../src/instrumentation/tfjs/instrumentation.js';
import {
  ATTR_ML_BATCH_ROWS,
  ATTR_ML_COMPONENT_KIND,
  ATTR_ML_MODEL_FRAMEWORK,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_MODEL_VERSION,
  EVENT_ML_FEATURES,
  EVENT_ML_PREDICTIONS,
} from '../../../src/semconv/index.js';
import { decodeSummaryEvents } from '../../../src/summaries/index.js';
import { eventsNamed } from '../../sdk/spanHarness.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const instrumentation = new TfjsInstrumentation({ sampling: { every: 1 } });
instrumentation.setTracerProvider(provider);
// tfjs prints a hint about tfjs-node on load; it is not what these tests are about.
const log = console.log;
console.log = () => {};
// Loaded after the instrumentation hooked require, on purpose (as mlobs/register does).
const tf: typeof import('@tensorflow/tfjs') = require('@tensorflow/tfjs');
console.log = log;

function inference(): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.attributes[ATTR_ML_COMPONENT_KIND] === 'inference');
}

/** A 3-input, 2-class softmax classifier with fixed weights. */
function classifier(): import('@tensorflow/tfjs').Sequential {
  const model = tf.sequential({ name: 'churn' });
  model.add(tf.layers.dense({ units: 2, inputShape: [3], activation: 'softmax', kernelInitializer: 'ones' }));
  model.setUserDefinedMetadata({
    'mlobs.model.version': '3',
    [`mlobs.features.${model.inputs[0].name}`]: ['tenure', 'spend', 'tickets'],
  });
  return model;
}

/** A GraphModel (MatMul + Softmax) loaded from memory, as `tf.loadGraphModel` loads converted models. */
async function graphModel(): Promise<import('@tensorflow/tfjs').GraphModel> {
  const weights = new Float32Array([1, -1, 0.5, 0.5, -1, 1]);
  const modelTopology = {
    node: [
      {
        name: 'x',
        op: 'Placeholder',
        attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '3' }] } } },
      },
      {
        name: 'w',
        op: 'Const',
        attr: {
          dtype: { type: 'DT_FLOAT' },
          value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }, { size: '2' }] } } },
        },
      },
      {
        name: 'logits',
        op: 'MatMul',
        input: ['x', 'w'],
        attr: { T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, transpose_b: { b: false } },
      },
      { name: 'probs', op: 'Softmax', input: ['logits'], attr: { T: { type: 'DT_FLOAT' } } },
    ],
    versions: { producer: 1 },
  };
  return tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology,
      weightSpecs: [{ name: 'w', shape: [3, 2], dtype: 'float32' }],
      weightData: weights.buffer,
      userDefinedMetadata: { 'mlobs.model.name': 'fraud-graph', 'mlobs.classes.probs': ['ok', 'fraud'] },
    }),
  );
}

describe('TfjsInstrumentation against @tensorflow/tfjs', () => {
  before(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    diag.setLogger({ error() {}, warn() {}, info() {}, debug() {}, verbose() {} }, DiagLogLevel.NONE);
  });
  after(() => context.disable());
  beforeEach(() => exporter.reset());

  it('records Sequential#predict once, named after the model, with named features and classes', () => {
    const model = classifier();
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6, 0, 0, 1, 2, 2, 2], [4, 3]);
    const y = model.predict(x) as import('@tensorflow/tfjs').Tensor;
    assert.deepEqual(y.shape, [4, 2]);
    const spans = inference();
    assert.equal(spans.length, 1, 'Sequential → LayersModel is one run');
    const [span] = spans;
    assert.equal(span.attributes[ATTR_ML_MODEL_NAME], 'churn');
    assert.equal(span.attributes[ATTR_ML_MODEL_VERSION], '3');
    assert.equal(span.attributes[ATTR_ML_MODEL_FRAMEWORK], 'tfjs');
    assert.equal(span.attributes[ATTR_ML_BATCH_ROWS], 4);
    const features = decodeSummaryEvents(eventsNamed(span, EVENT_ML_FEATURES)).features;
    assert.deepEqual([...features.keys()].sort(), ['spend', 'tenure', 'tickets']);
    assert.equal(features.get('tenure')?.count, 4);
    const cls = decodeSummaryEvents(eventsNamed(span, EVENT_ML_PREDICTIONS)).features.get('class');
    assert.ok(cls?.kind === 'categorical');
    assert.equal(cls.count, 4);
  });

  it('records GraphModel#predict and #executeAsync with class names from the model metadata', async () => {
    const model = await graphModel();
    const x = tf.tensor2d([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3]);
    model.predict(x);
    await model.executeAsync(x);
    const spans = inference();
    assert.equal(spans.length, 2, 'predict (which calls execute) and executeAsync: one run each');
    for (const span of spans) {
      assert.equal(span.attributes[ATTR_ML_MODEL_NAME], 'fraud-graph');
      const cls = decodeSummaryEvents(eventsNamed(span, EVENT_ML_PREDICTIONS)).features.get('class');
      assert.ok(cls?.kind === 'categorical');
      assert.deepEqual(
        cls
          .top()
          .map((t) => String(t.value))
          .sort(),
        ['fraud', 'ok'],
      );
    }
  });

  it('records the error of a predict that throws and rethrows it unchanged', () => {
    const model = classifier();
    const wrong = tf.tensor2d([1, 2], [1, 2]);
    assert.throws(() => model.predict(wrong), /expected .* to have shape|shape/i);
    const [span] = inference();
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.ok(span.events.some((e) => e.name === 'exception'));
  });

  it('unpatches on disable() and patches again on enable()', () => {
    const model = classifier();
    const x = tf.tensor2d([1, 2, 3], [1, 3]);
    instrumentation.disable();
    try {
      assert.equal(isWrapped(tf.LayersModel.prototype.predict), false);
      assert.equal(isWrapped(tf.GraphModel.prototype.executeAsync), false);
      model.predict(x);
      assert.equal(inference().length, 0);
    } finally {
      instrumentation.enable();
    }
    assert.equal(isWrapped(tf.LayersModel.prototype.predict), true);
    model.predict(x);
    assert.equal(inference().length, 1);
  });
});
