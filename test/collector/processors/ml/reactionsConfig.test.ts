import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, validateConfig } from '../../../../src/collector/index.js';
import { type MlProcessorConfig, resolveMlConfig } from '../../../../src/collector/processors/ml/config.js';

const base = (reactions: unknown) => ({
  receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:0' } } } },
  processors: { ml: { storage: { type: 'memory' }, reactions } },
  exporters: { debug: {} },
  service: { pipelines: { traces: { receivers: ['otlp'], processors: ['ml'], exporters: ['debug'] } } },
});

describe('ml processor reactions config', () => {
  it('reads every key of a policy as written in YAML', () => {
    const ok = loadConfig(join(process.cwd(), 'test/collector/processors/ml/testdata/ml.yaml'), { env: {} });
    assert.deepEqual(ok.problems, []);
    const { reactions } = resolveMlConfig(ok.config!.processors.ml!.config as MlProcessorConfig).settings;
    assert.deepEqual(reactions.endpoint, { host: '127.0.0.1', port: 0 });
    assert.equal(reactions.bearerToken, 's3cret');
    const p = reactions.policies[0]!;
    assert.equal(p.name, 'fallback-on-critical-drift');
    assert.equal(p.cooldownMs, 600_000);
    assert.equal(p.maxPerHour, 6);
    assert.equal(p.dryRun, true);
    assert.deepEqual([...p.rootCauseComponent!], ['ingest']);
    assert.deepEqual([...p.rootCauseKind!], ['data']);
    assert.deepEqual([...p.detector!], ['numeric_drift', 'missing_rate']);
    assert.deepEqual(p.actions, [
      { type: 'fallback', to: 'churn-rules-v1', target: 'churn/score' },
      { type: 'alert', to: undefined, target: undefined },
    ]);
  });

  it('names the YAML path of each mistake', () => {
    const { problems } = validateConfig(
      base({
        endpoint: 'nowhere',
        auth: { token: 'x' },
        policies: [
          {
            name: 'p',
            when: { severity: 'urgent', root_cause: { kind: 'cosmic' } },
            actions: ['fallback'],
            cooldown: 'soon',
            max_per_hour: -1,
            undo_on_resolve: 'yes',
          },
        ],
      }),
    );
    assert.deepEqual(problems.map((p) => p.path).sort(), [
      'processors::ml::reactions::auth::bearer_token',
      'processors::ml::reactions::auth::token',
      'processors::ml::reactions::endpoint',
      'processors::ml::reactions::policies::0::cooldown',
      'processors::ml::reactions::policies::0::max_per_hour',
      'processors::ml::reactions::policies::0::undo_on_resolve',
      'processors::ml::reactions::policies::0::when::root_cause::kind',
      'processors::ml::reactions::policies::0::when::severity',
    ]);
  });

  it('serves no endpoint without policies, or when the endpoint is empty', () => {
    const settings = (reactions: unknown) =>
      resolveMlConfig(validateConfig(base(reactions)).config!.processors.ml!.config as MlProcessorConfig)
        .settings.reactions;
    assert.equal(settings({}).endpoint, undefined);
    const policies = [{ name: 'p', actions: ['alert'] }];
    assert.deepEqual(settings({ policies }).endpoint, { host: '127.0.0.1', port: 4320 });
    assert.equal(settings({ policies, endpoint: '' }).endpoint, undefined);
  });
});
