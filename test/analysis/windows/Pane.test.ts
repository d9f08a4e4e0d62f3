import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractObservation } from '../../../src/analysis/observation.js';
import { Pane } from '../../../src/analysis/windows/Pane.js';
import { mergeFeature, serializeFeatureBase64 } from '../../../src/summaries/index.js';
import { componentSpan, normals, rng } from '../fixtures.js';

const T0 = Date.UTC(2026, 0, 1);
const stream = { service: 'svc', pipeline: 'p', component: 'c', model: '' };

function observation(seed: number) {
  const r = rng(seed);
  return extractObservation(componentSpan({ endMs: T0 + seed, features: { x: normals(100, r, seed) } }));
}

function add(p: Pane, obs: ReturnType<typeof observation>) {
  p.add(
    obs,
    5,
    () => true,
    () => undefined,
  );
}

describe('Pane', () => {
  it('accumulates what a pure merge of every run gives, without changing the runs it was handed', () => {
    const runs = Array.from({ length: 6 }, (_, i) => observation(i + 1));
    const handed = runs.map((o) => serializeFeatureBase64(o.features!.features.get('x')!));
    const p = new Pane(stream, T0, T0 + 60_000);
    for (const o of runs) add(p, o);
    const expected = runs.map((o) => o.features!.features.get('x')!).reduce((a, b) => mergeFeature(a, b));
    assert.equal(serializeFeatureBase64(p.seal().features.get('x')!), serializeFeatureBase64(expected));
    assert.deepEqual(
      runs.map((o) => serializeFeatureBase64(o.features!.features.get('x')!)),
      handed,
      'summaries decoded from the runs are unchanged',
    );
  });

  it('never changes a summary it handed out when sealed, even as more runs arrive', () => {
    const p = new Pane(stream, T0, T0 + 60_000);
    add(p, observation(1));
    add(p, observation(2));
    add(p, observation(3));
    const sealed = p.seal().features.get('x')!;
    const before = serializeFeatureBase64(sealed);
    add(p, observation(4));
    add(p, observation(5));
    assert.equal(serializeFeatureBase64(sealed), before);
    assert.equal(p.seal().features.get('x')!.count, 500);
  });
});
