import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import {
  ATTR_ML_BATCH_ID,
  ATTR_ML_BATCH_ROWS,
  ATTR_ML_COMPONENT_KIND,
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_IO_INPUTS,
  ATTR_ML_IO_OUTPUT_FINGERPRINTS,
  ATTR_ML_IO_OUTPUTS,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_MODEL_TRAINED_AT,
  ATTR_ML_PIPELINE_NAME,
  ATTR_ML_PIPELINE_RUN_ID,
  ATTR_ML_PREDICTION_CLASSES,
  ATTR_ML_PREDICTION_IDS,
  ATTR_ML_PREDICTION_SCORES,
  ATTR_ML_PREDICTION_TASK,
  ATTR_ML_SUMMARY_COUNT,
  ATTR_ML_SUMMARY_NAMES,
  component,
  decodeSummaryEvents,
  EVENT_ML_FEATURES,
  EVENT_ML_PREDICTIONS,
  type FeatureSummary,
  ioLinks,
} from '../../src/index.js';
import { configurePrivacy } from '../../src/sdk/privacy.js';
import { seededRandom } from '../analysis/stats/random.js';
import { assertCategoricalMatches, assertNumericMatches, normal } from './exactStats.js';

// These tests are about join sampling, so ids stay raw here; the default (keyed hashes) is
// tested in privacy.test.ts.
configurePrivacy({ ids: 'raw' });

const N = 4000;
const CLASSES = ['churn', 'stay', 'upgrade'];

interface RawData {
  age: (number | null)[];
  income: number[];
  country: (string | null)[];
  comment: (string | null)[];
  embedding: (number[] | null)[];
}

function makeRaw(seed: number): RawData {
  const rand = seededRandom(seed);
  const words = ['great', 'slow', 'support', 'price', 'cancel', 'app', 'love', 'bug', 'refund', 'fast'];
  const raw: RawData = { age: [], income: [], country: [], comment: [], embedding: [] };
  for (let i = 0; i < N; i++) {
    const u = rand();
    raw.age.push(
      u < 0.05
        ? null
        : u < 0.055
          ? Number.NaN
          : i % 1000 === 7
            ? Number.POSITIVE_INFINITY
            : 40 + 12 * normal(rand),
    );
    raw.income.push(Math.exp(10 + 0.8 * normal(rand)));
    // Zipf-like over 40 countries: a few frequent, a long tail.
    raw.country.push(rand() < 0.02 ? null : `c${String(Math.floor(40 * rand() ** 2.5)).padStart(2, '0')}`);
    const nWords = Math.floor(rand() * 12);
    raw.comment.push(
      rand() < 0.01
        ? null
        : Array.from({ length: nWords }, () => words[Math.floor(rand() * words.length)]).join(' '),
    );
    raw.embedding.push(rand() < 0.01 ? null : Array.from({ length: 16 }, () => normal(rand)));
  }
  return raw;
}

function eventsOf(span: ReadableSpan, name: string): { name: string; attributes: Record<string, unknown> }[] {
  return span.events
    .filter((e) => e.name === name)
    .map((e) => ({ name: e.name, attributes: e.attributes ?? {} }));
}

function feature(batch: { features: Map<string, FeatureSummary> }, name: string): FeatureSummary {
  const f = batch.features.get(name);
  assert.ok(f, `feature '${name}' missing; have ${[...batch.features.keys()].join(', ')}`);
  return f;
}

describe('a three-component pipeline under the OTel Node SDK', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const raw = makeRaw(20261126);
  let featurized: { age_z: (number | null)[]; log_income: number[] };
  let probabilities: Float64Array;
  let spans: Map<string, ReadableSpan>;

  before(async () => {
    ioLinks.clear();
    provider.register({ contextManager: new AsyncLocalStorageContextManager() });
    await component('churn-pipeline', { pipeline: 'churn', runId: 'run-2026-11-26' }, async () => {
      await component(
        'load',
        {
          kind: 'source',
          inputs: ['file:///data/customers.csv'],
          outputs: [{ ref: 'table:staging.customers', fingerprint: 'sha256:raw-1' }],
        },
        async (run) => {
          run.recordFeatures(raw, {
            schema: { country: 'categorical', comment: 'text', embedding: 'vector' },
            batchId: 'batch-42',
          });
        },
      );
      featurized = await component(
        'featurize',
        {
          kind: 'features',
          version: '1.2.0',
          inputs: [{ ref: 'table:staging.customers', fingerprint: 'sha256:raw-1' }],
        },
        async (run) => {
          await new Promise((r) => setTimeout(r, 1)); // the span must stay active across awaits
          const rows = raw.age.map((a, i) => ({
            age_z: a === null || !Number.isFinite(a) ? null : (a - 40) / 12,
            log_income: Math.log(raw.income[i]),
          }));
          run.recordFeatures(rows);
          run.addOutput('table:features.customers', 'sha256:feat-1');
          return { age_z: rows.map((r) => r.age_z), log_income: rows.map((r) => r.log_income) };
        },
      );
      await component(
        'predict',
        {
          kind: 'inference',
          model: {
            name: 'churn-clf',
            version: '7',
            framework: 'onnxruntime',
            trainedAt: new Date('2026-11-01T00:00:00Z'),
          },
          inputs: [{ ref: 'table:features.customers', fingerprint: 'sha256:feat-1' }],
        },
        (run) => {
          probabilities = new Float64Array(N * 3);
          for (let i = 0; i < N; i++) {
            const z = featurized.age_z[i] ?? 0;
            const logits = [0.8 * z, 0.3, -0.5 * z + 0.1 * (featurized.log_income[i] - 10)];
            const m = Math.max(...logits);
            const e = logits.map((l) => Math.exp(l - m));
            const s = e[0] + e[1] + e[2];
            for (let j = 0; j < 3; j++) probabilities[i * 3 + j] = e[j] / s;
          }
          run.recordPredictions(
            { probabilities: { data: probabilities, shape: [N, 3] }, classNames: CLASSES },
            { batchId: 'batch-42' },
          );
        },
      );
    });
    spans = new Map(exporter.getFinishedSpans().map((s) => [s.name, s]));
  });

  after(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  it('makes one span per component run, children of the pipeline span in one trace', () => {
    assert.deepEqual([...spans.keys()].sort(), ['churn-pipeline', 'featurize', 'load', 'predict']);
    const root = spans.get('churn-pipeline')!;
    for (const name of ['load', 'featurize', 'predict']) {
      const s = spans.get(name)!;
      assert.equal(s.spanContext().traceId, root.spanContext().traceId, `${name} trace`);
      assert.equal(s.parentSpanContext?.spanId, root.spanContext().spanId, `${name} parent`);
      assert.equal(s.attributes[ATTR_ML_COMPONENT_NAME], name);
      assert.equal(s.attributes[ATTR_ML_PIPELINE_NAME], 'churn', `${name} inherits the pipeline name`);
      assert.equal(s.attributes[ATTR_ML_PIPELINE_RUN_ID], 'run-2026-11-26');
      assert.equal(s.status.code, SpanStatusCode.UNSET);
    }
    assert.equal(spans.get('predict')!.attributes[ATTR_ML_COMPONENT_KIND], 'inference');
    assert.equal(spans.get('predict')!.attributes[ATTR_ML_MODEL_NAME], 'churn-clf');
    assert.equal(spans.get('predict')!.attributes[ATTR_ML_MODEL_TRAINED_AT], '2026-11-01T00:00:00.000Z');
  });

  it('links each run to the run that wrote what it read', () => {
    const load = spans.get('load')!;
    const featurize = spans.get('featurize')!;
    const predict = spans.get('predict')!;
    assert.deepEqual(featurize.attributes[ATTR_ML_IO_INPUTS], ['table:staging.customers']);
    assert.deepEqual(featurize.attributes[ATTR_ML_IO_OUTPUTS], ['table:features.customers']);
    assert.deepEqual(featurize.attributes[ATTR_ML_IO_OUTPUT_FINGERPRINTS], ['sha256:feat-1']);
    assert.deepEqual(
      featurize.links.map((l) => l.context.spanId),
      [load.spanContext().spanId],
    );
    assert.deepEqual(
      predict.links.map((l) => l.context.spanId),
      [featurize.spanContext().spanId],
    );
    assert.deepEqual(predict.links[0].attributes?.[ATTR_ML_IO_INPUTS], ['table:features.customers']);
    assert.equal(load.links.length, 0, 'nothing in this process wrote the csv');
  });

  it('records feature summaries that decode to the exact statistics of the data', () => {
    const load = spans.get('load')!;
    assert.equal(load.attributes[ATTR_ML_BATCH_ROWS], N);
    assert.equal(load.attributes[ATTR_ML_BATCH_ID], 'batch-42');
    const events = eventsOf(load, EVENT_ML_FEATURES);
    assert.equal(events.length, 4, 'one event per kind: numeric, categorical, text, vector');
    const batch = decodeSummaryEvents(events);
    assert.equal(batch.rows, N);
    assertNumericMatches(feature(batch, 'age') as never, raw.age, 'age');
    assertNumericMatches(feature(batch, 'income') as never, raw.income, 'income');
    assertCategoricalMatches(feature(batch, 'country') as never, raw.country, 'country');
    const comment = feature(batch, 'comment');
    assert.equal(comment.kind, 'text');
    if (comment.kind === 'text') {
      assert.equal(comment.nullCount, raw.comment.filter((c) => c === null).length);
      assertNumericMatches(
        comment.length,
        raw.comment.filter((c) => c !== null).map((c) => c!.length),
        'comment length',
      );
    }
    const embedding = feature(batch, 'embedding');
    assert.equal(embedding.kind, 'vector');
    if (embedding.kind === 'vector') {
      assert.equal(embedding.dimension, 16);
      assert.equal(embedding.nullCount, raw.embedding.filter((e) => e === null).length);
      const rows = raw.embedding.filter((e) => e !== null) as number[][];
      assertNumericMatches(
        embedding.norm,
        rows.map((v) => Math.sqrt(v.reduce((acc, x) => acc + x * x, 0))),
        'embedding norm',
      );
      const means = embedding.dimensionMeans;
      assert.ok(means, 'dimension means kept for 16 dimensions');
      for (let d = 0; d < 16; d++) {
        const exact = rows.reduce((acc, v) => acc + v[d], 0) / rows.length;
        assert.ok(Math.abs(means[d] - exact) <= 1e-12, `embedding mean[${d}] ${means[d]} vs ${exact}`);
      }
    }
    // The readable projection agrees with the sketches: counts per name in the numeric event.
    const numericEvent = events.find((e) =>
      (e.attributes[ATTR_ML_SUMMARY_NAMES] as string[]).includes('age'),
    )!;
    const names = numericEvent.attributes[ATTR_ML_SUMMARY_NAMES] as string[];
    const counts = numericEvent.attributes[ATTR_ML_SUMMARY_COUNT] as number[];
    assert.equal(counts[names.indexOf('income')], N);
  });

  it('records features given as rows the same as columns', () => {
    const batch = decodeSummaryEvents(eventsOf(spans.get('featurize')!, EVENT_ML_FEATURES));
    assertNumericMatches(feature(batch, 'age_z') as never, featurized.age_z, 'age_z');
    assertNumericMatches(feature(batch, 'log_income') as never, featurized.log_income, 'log_income');
  });

  it('summarises predictions and writes a bounded, id-hashed join sample that matches the rows', () => {
    const predict = spans.get('predict')!;
    const events = eventsOf(predict, EVENT_ML_PREDICTIONS);
    assert.ok(events.length >= 2, 'categorical class plus numeric confidence/entropy/scores');
    for (const e of events) assert.equal(e.attributes[ATTR_ML_PREDICTION_TASK], 'classification');
    const exactClass: string[] = [];
    const confidence: number[] = [];
    const entropy: number[] = [];
    const perClass: number[][] = [[], [], []];
    for (let i = 0; i < N; i++) {
      const p = [probabilities[i * 3], probabilities[i * 3 + 1], probabilities[i * 3 + 2]];
      const best = p.indexOf(Math.max(...p));
      exactClass.push(CLASSES[best]);
      confidence.push(p[best]);
      entropy.push(-p.reduce((h, x) => h + (x > 0 ? x * Math.log(x) : 0), 0));
      for (let j = 0; j < 3; j++) perClass[j].push(p[j]);
    }
    const batch = decodeSummaryEvents(events);
    assertCategoricalMatches(feature(batch, 'class') as never, exactClass, 'class');
    assertNumericMatches(feature(batch, 'confidence') as never, confidence, 'confidence');
    assertNumericMatches(feature(batch, 'entropy') as never, entropy, 'entropy');
    CLASSES.forEach((c, j) => {
      assertNumericMatches(feature(batch, `score.${c}`) as never, perClass[j], `score.${c}`);
    });
    const withJoin = events.filter((e) => e.attributes[ATTR_ML_PREDICTION_IDS] !== undefined);
    assert.equal(withJoin.length, 1, 'the join sample is written once');
    const ids = withJoin[0].attributes[ATTR_ML_PREDICTION_IDS] as string[];
    const classes = withJoin[0].attributes[ATTR_ML_PREDICTION_CLASSES] as string[];
    const scores = withJoin[0].attributes[ATTR_ML_PREDICTION_SCORES] as number[];
    assert.equal(ids.length, 1000, 'default joinSampleSize');
    assert.equal(new Set(ids).size, 1000);
    ids.forEach((id, k) => {
      const m = /^batch-42:(\d+)$/.exec(id);
      assert.ok(m, `id ${id}`);
      const row = Number(m[1]);
      assert.equal(classes[k], exactClass[row], `class of ${id}`);
      assert.equal(scores[k], confidence[row], `score of ${id}`);
    });
  });

  it('records a failing component as an error and rethrows the same error', async () => {
    exporter.reset();
    const boom = new Error('feature store unreachable');
    assert.throws(
      () =>
        component('sync-fail', { kind: 'transform' }, () => {
          throw boom;
        }),
      (e) => e === boom,
    );
    await assert.rejects(
      component('async-fail', { kind: 'transform' }, async () => {
        await new Promise((r) => setTimeout(r, 1));
        throw boom;
      }),
      (e) => e === boom,
    );
    const failed = exporter.getFinishedSpans();
    assert.deepEqual(failed.map((s) => s.name).sort(), ['async-fail', 'sync-fail']);
    for (const s of failed) {
      assert.equal(s.status.code, SpanStatusCode.ERROR);
      assert.equal(s.status.message, 'feature store unreachable');
      const ex = s.events.find((e) => e.name === 'exception');
      assert.equal(ex?.attributes?.['exception.message'], 'feature store unreachable');
    }
  });

  it('does not offer a failed run as the writer of its outputs', () => {
    assert.throws(() =>
      component('bad-writer', { outputs: ['table:never.written'] }, () => {
        throw new Error('x');
      }),
    );
    assert.equal(ioLinks.findWriter('table:never.written', ''), undefined);
  });
});
