import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { type ContextManager, context, diag, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { instrumentPredict } from '../../src/instrumentation/index.js';
import { sdkDrops } from '../../src/sdk/DropCounter.js';
import { configurePrivacy } from '../../src/sdk/privacy.js';
import type { TracerLike } from '../../src/sdk/types.js';
import {
  ATTR_ML_BATCH_ID,
  ATTR_ML_COMPONENT_KIND,
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_PIPELINE_NAME,
  ATTR_ML_PREDICTION_IDS,
  EVENT_ML_FEATURES,
  EVENT_ML_PREDICTIONS,
} from '../../src/semconv/index.js';
import { decodeSummaryEvents } from '../../src/summaries/index.js';
import { captureDiagWarnings, eventsNamed } from '../sdk/spanHarness.js';

// These tests are about join sampling, so ids stay raw here; the default (keyed hashes) is
// tested in privacy.test.ts.
configurePrivacy({ ids: 'raw' });

/** A model object whose predict reads `this`, as real model wrappers do. */
class LinearModel {
  readonly calls: number[][][] = [];
  constructor(private readonly bias: number) {}

  predict(rows: number[][]): number[] {
    this.calls.push(rows);
    return rows.map((r) => r[0] * 2 + this.bias);
  }

  async classify(rows: number[][]): Promise<{ probs: number[][] }> {
    await new Promise((r) => setTimeout(r, 2));
    this.calls.push(rows);
    return { probs: rows.map((r) => (r[0] + this.bias > 0 ? [0.2, 0.8] : [0.9, 0.1])) };
  }
}

const ROWS = [
  [1, 10],
  [-3, 20],
  [5, 30],
];

describe('instrumentPredict', () => {
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer(
    'test',
  );
  const warnings: string[] = [];
  const contextManager = new AsyncLocalStorageContextManager();

  before(() => {
    context.setGlobalContextManager(contextManager.enable());
  });
  after(() => {
    context.disable();
  });
  beforeEach(() => {
    exporter.reset();
    sdkDrops.reset();
    warnings.length = 0;
    captureDiagWarnings(warnings);
  });
  afterEach(() => diag.disable());

  const onlySpan = (): ReadableSpan => {
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 1, `expected one span, got ${spans.length}`);
    return spans[0];
  };

  it('keeps a sync method sync, with its `this` and return value, and records an inference run', () => {
    const model = new LinearModel(1);
    const plain = new LinearModel(1).predict(ROWS);
    model.predict = instrumentPredict(model.predict, {
      tracer,
      pipeline: 'scoring',
      model: { name: 'linear', version: '3' },
      features: ([rows]) => ({ x0: rows.map((r) => r[0]), x1: rows.map((r) => r[1]) }),
      predictions: (out) => ({ values: out }),
    });
    const out = model.predict(ROWS);
    assert.deepEqual(out, plain);
    assert.ok(Array.isArray(out), 'a sync function must not start returning a promise');
    assert.equal(model.calls.length, 1);
    const span = onlySpan();
    assert.equal(span.name, 'predict');
    assert.equal(span.attributes[ATTR_ML_COMPONENT_NAME], 'predict');
    assert.equal(span.attributes[ATTR_ML_COMPONENT_KIND], 'inference');
    assert.equal(span.attributes[ATTR_ML_MODEL_NAME], 'linear');
    assert.equal(span.attributes[ATTR_ML_PIPELINE_NAME], 'scoring');
    const feats = decodeSummaryEvents(eventsNamed(span, EVENT_ML_FEATURES));
    assert.deepEqual([...feats.features.keys()].sort(), ['x0', 'x1']);
    assert.equal(feats.features.get('x0')?.count, 3);
    const preds = decodeSummaryEvents(eventsNamed(span, EVENT_ML_PREDICTIONS));
    assert.equal(preds.features.get('value')?.count, 3);
  });

  it('keeps an async method async, resolves to the same object and records the awaited outputs', async () => {
    const model = new LinearModel(0);
    let resolved: unknown;
    const classify = model.classify;
    model.classify = instrumentPredict(classify, {
      tracer,
      name: 'classify',
      features: ([rows]) => rows.map((r) => ({ a: r[0], b: r[1] })),
      predictions: (out) => {
        resolved = out;
        return { probabilities: out.probs, classNames: ['neg', 'pos'] };
      },
    });
    const pending = model.classify(ROWS);
    assert.ok(pending instanceof Promise);
    assert.equal(exporter.getFinishedSpans().length, 0, 'span ends only when the promise settles');
    const out = await pending;
    assert.equal(out, resolved, 'the caller gets the very object the model resolved to');
    assert.deepEqual(out.probs[1], [0.9, 0.1]);
    const span = onlySpan();
    assert.equal(span.name, 'classify');
    assert.equal(decodeSummaryEvents(eventsNamed(span, EVENT_ML_FEATURES)).features.get('a')?.count, 3);
    const preds = decodeSummaryEvents(eventsNamed(span, EVENT_ML_PREDICTIONS));
    const cls = preds.features.get('class');
    assert.equal(cls?.count, 3);
  });

  it('makes the run span active inside the model, so spans the model starts nest under it', () => {
    let activeInside: string | undefined;
    const fn = instrumentPredict(
      (x: number) => {
        activeInside = trace.getActiveSpan()?.spanContext().spanId;
        return x + 1;
      },
      { tracer },
    );
    assert.equal(fn(1), 2);
    assert.equal(activeInside, onlySpan().spanContext().spanId);
  });

  it('tags features and predictions with the batch id, so delayed labels can join them', () => {
    const fn = instrumentPredict((rows: number[][], _batch: string) => rows.map((r) => r[0]), {
      tracer,
      batchId: ([, batch]) => batch,
      features: ([rows]) => ({ x0: rows.map((r) => r[0]) }),
      predictions: (out) => ({ values: out }),
    });
    fn(ROWS, 'b7');
    const span = onlySpan();
    assert.equal(span.attributes[ATTR_ML_BATCH_ID], 'b7');
    const ids = eventsNamed(span, EVENT_ML_PREDICTIONS)
      .map((e) => e.attributes[ATTR_ML_PREDICTION_IDS])
      .find((v) => v !== undefined);
    assert.deepEqual(ids, ['b7:0', 'b7:1', 'b7:2']);
  });

  it('returns the same result when the extractors throw, and warns once per extractor', () => {
    const model = new LinearModel(1);
    const expected = new LinearModel(1).predict(ROWS);
    model.predict = instrumentPredict(model.predict, {
      tracer,
      features: () => {
        throw new Error('bad feature mapping');
      },
      predictions: () => {
        throw new Error('bad output mapping');
      },
    });
    for (let i = 0; i < 3; i++) assert.deepEqual(model.predict(ROWS), expected);
    assert.equal(model.calls.length, 3, 'the model ran exactly once per call');
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 3);
    assert.equal(spans[0].status.code, SpanStatusCode.UNSET);
    assert.equal(spans[0].events.length, 0);
    assert.deepEqual(sdkDrops.snapshot(), {
      'instrumentPredict options.features threw': 3,
      'instrumentPredict options.predictions threw': 3,
    });
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(warnings[0], /instrumentPredict\('predict'\): bad feature mapping/);
    assert.match(warnings[1], /options\.predictions threw .*bad output mapping/);
  });

  it('resolves to the same value when the predictions extractor of an async function throws', async () => {
    const model = new LinearModel(0);
    const expected = await new LinearModel(0).classify(ROWS);
    model.classify = instrumentPredict(model.classify, {
      tracer,
      predictions: () => {
        throw new TypeError('no probs here');
      },
    });
    assert.deepEqual(await model.classify(ROWS), expected);
    assert.equal(onlySpan().status.code, SpanStatusCode.UNSET);
    assert.match(warnings[0], /options\.predictions threw .*no probs here/);
  });

  it('rethrows the same error object from a sync model and marks the span ERROR with the exception', () => {
    const boom = new RangeError('input has 3 columns, model expects 2');
    const fn = instrumentPredict(
      (_rows: number[][]): number[] => {
        throw boom;
      },
      { tracer, features: ([rows]) => ({ x0: rows.map((r) => r[0]) }) },
    );
    assert.throws(
      () => fn(ROWS),
      (err) => err === boom,
    );
    const span = onlySpan();
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.status.message, boom.message);
    const exception = span.events.find((e) => e.name === 'exception');
    assert.equal(exception?.attributes?.['exception.type'], 'RangeError');
    assert.equal(exception?.attributes?.['exception.message'], boom.message);
    // The inputs did reach the model: their summary stays on the failed run.
    assert.equal(decodeSummaryEvents(eventsNamed(span, EVENT_ML_FEATURES)).features.get('x0')?.count, 3);
    assert.equal(warnings.length, 0);
  });

  it('rejects with the same error object from an async model and marks the span ERROR', async () => {
    const boom = new Error('session closed');
    const fn = instrumentPredict(
      async (_x: number): Promise<number> => {
        await new Promise((r) => setTimeout(r, 1));
        throw boom;
      },
      { tracer, predictions: (v) => ({ values: [v] }) },
    );
    await assert.rejects(fn(1), (err) => err === boom);
    const span = onlySpan();
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.ok(span.events.some((e) => e.name === 'exception'));
    assert.equal(eventsNamed(span, EVENT_ML_PREDICTIONS).length, 0);
  });

  it('still runs the model once and returns its value when the tracer throws, without calling extractors', () => {
    const broken: TracerLike = {
      startSpan() {
        throw new Error('tracer bug');
      },
    };
    let extracted = 0;
    const model = new LinearModel(2);
    model.predict = instrumentPredict(model.predict, {
      tracer: broken,
      features: ([rows]) => {
        extracted++;
        return { x0: rows.map((r) => r[0]) };
      },
    });
    assert.deepEqual(model.predict(ROWS), new LinearModel(2).predict(ROWS));
    assert.equal(model.calls.length, 1);
    assert.equal(extracted, 0);
    assert.match(warnings[0], /component span not started.*tracer bug/);
  });

  it('runs the model once and returns its value when the OTel context itself fails', () => {
    const broken: ContextManager = {
      active: () => {
        throw new Error('context manager bug');
      },
      with: (_ctx, fn, thisArg, ...args) => fn.apply(thisArg, args),
      bind: (_ctx, target) => target,
      enable() {
        return this;
      },
      disable() {
        return this;
      },
    };
    context.disable();
    context.setGlobalContextManager(broken);
    try {
      const model = new LinearModel(1);
      model.predict = instrumentPredict(model.predict, { tracer });
      assert.deepEqual(model.predict(ROWS), new LinearModel(1).predict(ROWS));
      assert.equal(model.calls.length, 1);
      assert.match(
        warnings[0],
        /instrumentPredict wrapper failed .*instrumentPredict\('predict'\): context manager bug/,
      );
    } finally {
      context.disable();
      context.setGlobalContextManager(contextManager.enable());
    }
  });

  it('does not call the extractors for a sampled-out call, which nobody will see', () => {
    const off = new BasicTracerProvider({ sampler: new AlwaysOffSampler() }).getTracer('off');
    let extracted = 0;
    const fn = instrumentPredict((x: number) => x * 3, {
      tracer: off,
      features: () => {
        extracted++;
        return { x: [1] };
      },
      predictions: (v) => {
        extracted++;
        return { values: [v] };
      },
    });
    assert.equal(fn(2), 6);
    assert.equal(extracted, 0);
  });

  it('refuses bad options when wrapping, naming the option that is wrong', () => {
    assert.throws(
      () => instrumentPredict('predict' as never),
      /instrumentPredict\(\): the function to wrap must be a function, got string/,
    );
    assert.throws(
      () => instrumentPredict((x: number) => x, { features: { x: [1] } as never }),
      /instrumentPredict\('predict'\): options\.features must be a function, got object/,
    );
    assert.throws(
      () => instrumentPredict((x: number) => x, { name: '' }),
      /options\.name must be a non-empty/,
    );
  });
});
