import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as stream from '../../src/stream/index.js';

describe('mlobs/stream exports', () => {
  it('lets an in-process user build a profile from rows and configure detectors, as a collector user can', () => {
    const builder = new stream.ProfileBuilder({ source: 'in code', stream: { component: 'features' } });
    for (let i = 0; i < 50; i++) builder.add({ age: 20 + (i % 30), plan: i % 3 === 0 ? 'pro' : 'free' });
    const profile = builder.finish();
    assert.equal(profile.rows, 50);
    assert.deepEqual([...profile.features.keys()].sort(), ['age', 'plan']);
    const settings: stream.DetectorsConfig = { numeric_drift: { ksFloor: 0.2 }, latency: false };
    const detectors = stream.createDetectors(settings);
    assert.ok(detectors.some((d) => d.id === 'numeric_drift'));
    assert.ok(!detectors.some((d) => d.id === 'latency'));
    assert.throws(
      () => stream.createDetectors({ numeric_drift: { ksFlor: 0.2 } as stream.NumericDriftConfig }),
      /detectors::numeric_drift: unknown setting 'ksFlor'/,
    );
  });
});
