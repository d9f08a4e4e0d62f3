import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveReactionPolicies } from '../../../src/analysis/reactions/ReactionPolicy.js';

describe('resolveReactionPolicies', () => {
  it('resolves a policy with defaults: fires on opened and updated, any severity, undo on resolve', () => {
    const { policies, problems } = resolveReactionPolicies({
      policies: [{ name: 'fb', actions: [{ type: 'fallback', to: 'rules' }, 'alert'] }],
    });
    assert.deepEqual(problems, []);
    const p = policies[0]!;
    assert.deepEqual([...p.changes], ['opened', 'updated']);
    assert.equal(p.severity, undefined);
    assert.deepEqual(p.actions, [
      { type: 'fallback', to: 'rules', target: undefined },
      { type: 'alert', to: undefined, target: undefined },
    ]);
    assert.equal(p.undoOnResolve, true);
    assert.equal(p.dryRun, false);
    assert.equal(p.maxPerHour, Number.POSITIVE_INFINITY);
  });

  it('names the path of every problem and keeps the valid policies', () => {
    const { policies, problems } = resolveReactionPolicies({
      policies: [
        { name: 'ok', actions: ['retrain'] },
        {
          name: 'bad',
          when: {
            severity: 'huge',
            change: ['opened', 'closed'],
            rootCause: { kind: 'gremlins' },
            colour: 'red',
          },
          actions: [{ type: 'explode' }, { type: 'alert', to: 'x' }],
          maxPerHour: 0,
          cooldownMs: -1,
        },
        { name: 'ok', actions: [] },
      ],
    });
    assert.deepEqual(
      policies.map((p) => p.name),
      ['ok'],
    );
    const paths = problems.map((p) => p.path).sort();
    assert.deepEqual(paths, [
      'policies::1::actions::0::type',
      'policies::1::actions::1::to',
      'policies::1::cooldownMs',
      'policies::1::maxPerHour',
      'policies::1::when::change::1',
      'policies::1::when::colour',
      'policies::1::when::rootCause::kind',
      'policies::1::when::severity',
      'policies::2::actions',
      'policies::2::name',
    ]);
    assert.match(
      problems.find((p) => p.path.endsWith('severity'))!.message,
      /info, warning, critical.*"huge"/,
    );
    assert.match(problems.find((p) => p.path === 'policies::2::name')!.message, /names two policies/);
  });

  it('makes every policy dry when the options say so', () => {
    const { policies } = resolveReactionPolicies({
      dryRun: true,
      policies: [{ name: 'a', actions: ['alert'] }],
    });
    assert.equal(policies[0]!.dryRun, true);
  });

  it('refuses options that are not a map of policies', () => {
    assert.equal(resolveReactionPolicies([1]).problems[0]!.path, '');
    assert.equal(resolveReactionPolicies({ policies: 'x' }).problems[0]!.path, 'policies');
    assert.equal(resolveReactionPolicies({ polices: [] }).problems[0]!.path, 'polices');
    assert.deepEqual(resolveReactionPolicies(undefined), { policies: [], problems: [] });
  });
});
