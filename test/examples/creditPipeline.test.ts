import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FEATURE_NAMES } from '../../examples/credit/data.js';
import { parseOptions } from '../../examples/credit/pipeline.js';
import {
  ATTR_ML_BATCH_ID,
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_FINDING_DETECTOR,
  ATTR_ML_FINDING_FEATURE,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_MODEL_VERSION,
  ATTR_ML_SAMPLING_SKIPPED_RUNS,
  ATTR_ML_SUMMARY_NAMES,
  EVENT_ML_FEATURES,
  EVENT_ML_PREDICTIONS,
} from '../../src/semconv/index.js';
import { OtlpJsonReceiver, runRegistered } from '../instrumentation/otlpJsonReceiver.js';

const QUICK = ['--batches', '3', '--interval', '0', '--align', '0', '--rows', '50'];

describe('examples/credit/pipeline.ts', () => {
  const receiver = new OtlpJsonReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());
  beforeEach(() => {
    receiver.spans.length = 0;
    receiver.logs.length = 0;
  });

  it('gets feature and prediction summaries on the model span from `node --import mlobs/register` alone', async () => {
    // The package entry, as an installed app uses it (`npm ci` / `npm install` build dist/).
    const out = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--import', 'mlobs/register', 'examples/credit/pipeline.ts', ...QUICK],
        {
          cwd: process.cwd(),
          env: {
            ...process.env,
            OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
            OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
            OTEL_METRICS_EXPORTER: 'none',
            OTEL_LOGS_EXPORTER: 'none',
            OTEL_SERVICE_NAME: 'credit-scoring',
          },
        },
      );
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.equal(out.code, 0, out.stderr);
    const model = receiver.spans.filter((s) => s.attributes[ATTR_ML_MODEL_NAME] === 'credit-risk');
    // The default sampling records the first call, then counts calls until recording them fits
    // in 2% of the model's time (or a second passed): three quick batches give one or two spans.
    assert.ok(model.length >= 1 && model.length <= 3, `${model.length} model runs recorded of 3`);
    const accounted = model.reduce(
      (n, s) => n + 1 + Number(s.attributes[ATTR_ML_SAMPLING_SKIPPED_RUNS] ?? 0),
      0,
    );
    assert.ok(accounted <= 3, `${accounted} calls accounted for, of 3`);
    for (const span of model) {
      assert.equal(span.service, 'credit-scoring');
      assert.equal(span.attributes[ATTR_ML_MODEL_VERSION], '1');
      const names = span.events
        .filter((e) => e.name === EVENT_ML_FEATURES)
        .flatMap((e) => e.attributes[ATTR_ML_SUMMARY_NAMES] as string[]);
      assert.deepEqual(names.sort(), [...FEATURE_NAMES].sort());
      assert.ok(span.events.some((e) => e.name === EVENT_ML_PREDICTIONS));
    }
    const stages = new Set(receiver.spans.map((s) => s.attributes[ATTR_ML_COMPONENT_NAME]));
    for (const stage of [
      'region-stats-etl',
      'load',
      'validate',
      'join',
      'featurize',
      'decide',
      'write',
      'loan-outcomes',
    ])
      assert.ok(stages.has(stage), `stage ${stage} in ${[...stages].join(', ')}`);
  });

  it('gives the model call the pipeline batch id, so the delayed labels join its predictions', async () => {
    const out = await runRegistered(['examples/credit/pipeline.ts', ...QUICK], receiver.endpoint, {
      MLOBS_SAMPLING: '1',
    });
    assert.equal(out.code, 0, out.stderr);
    const ids = receiver.spans
      .filter((s) => s.attributes[ATTR_ML_MODEL_NAME] === 'credit-risk')
      .map((s) => s.attributes[ATTR_ML_BATCH_ID]);
    assert.deepEqual(ids.sort(), ['credit-scoring/b1', 'credit-scoring/b2', 'credit-scoring/b3']);
  });

  it('with MLOBS_ANALYSIS=inprocess the app itself finds a unit change at load', async () => {
    // 1-s windows of 4 batches: the default warm-up (5 windows) is batches 1–20, the fault 21–32.
    const out = await runRegistered(
      [
        'examples/credit/pipeline.ts',
        ...['--batches', '32', '--interval', '250', '--align', '1000', '--rows', '200'],
        ...['--fault', 'unit-change', '--fault-at', '21'],
      ],
      receiver.endpoint,
      { MLOBS_ANALYSIS: 'inprocess', MLOBS_WINDOW: '1s', MLOBS_SAMPLING: '1', OTEL_LOGS_EXPORTER: 'otlp' },
    );
    assert.equal(out.code, 0, out.stderr);
    const findings = receiver.logs.filter((l) => l[ATTR_ML_FINDING_DETECTOR] !== undefined);
    assert.ok(
      findings.some(
        (f) => f[ATTR_ML_COMPONENT_NAME] === 'load' && f[ATTR_ML_FINDING_FEATURE] === 'monthly_income',
      ),
      `findings: ${findings.map((f) => `${f[ATTR_ML_COMPONENT_NAME]}/${f[ATTR_ML_FINDING_FEATURE]}`).join(', ')}`,
    );
  });

  it('refuses an unknown fault and names the option', () => {
    assert.throws(() => parseOptions(['--fault', 'gremlins']), /--fault must be all or .* got gremlins/);
    assert.deepEqual(parseOptions(['--fault', 'errors,latency']).faults, ['errors', 'latency']);
  });
});
