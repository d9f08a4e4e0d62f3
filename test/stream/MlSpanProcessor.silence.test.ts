import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPipeline, setup } from './churnPipeline.js';

// Its own file: 200 windows of the full detector set is the slowest test of the processor.
describe('MlSpanProcessor without a fault', () => {
  it('stays silent over 200 windows of the same pipeline without the fault', async () => {
    const { provider, processor, incidents, findings, tracer } = setup();
    runPipeline(tracer, 200, Number.POSITIVE_INFINITY, 11);
    await provider.shutdown();
    assert.equal(processor.analyzer.stats.windowsClosed, 200);
    assert.deepEqual(
      incidents.map(([c, i]) => `${c}: ${i.title}`),
      [],
    );
    // Not required for silence (hysteresis absorbs single windows), but worth seeing if it grows.
    assert.ok(
      findings.length <= 4,
      `findings: ${findings.map((f) => `${f.detector}/${f.feature}/${f.statistic}`)}`,
    );
    assert.equal(processor.failureCount, 0);
  });
});
