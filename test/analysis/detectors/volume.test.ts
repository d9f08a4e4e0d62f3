import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVolumeDetector } from '../../../src/analysis/detectors/volume.js';
import { referenceOf, windowOf } from './fixtures.js';

const detector = createVolumeDetector();

describe('volume', () => {
  const calibrated = referenceOf({ x: [1] }, { rowsPerWindow: { mean: 10_000, sd: 800, windows: 6 } });

  it('flags a feed that dropped to a third', () => {
    const [c] = detector.detect(calibrated, windowOf({ x: [1] }, { rows: 3300 }));
    assert.equal(c?.anomalous, true, c?.message);
    assert.equal(c?.feature, '');
    assert.ok((c?.threshold ?? 0) < 10_000);
  });

  it('flags an empty window as critical', () => {
    const [c] = detector.detect(calibrated, windowOf({}, { rows: 0 }));
    assert.equal(c?.anomalous, true);
    assert.equal(c?.severity, 'critical');
  });

  it('flags a doubling', () => {
    assert.equal(detector.detect(calibrated, windowOf({}, { rows: 20_000 }))[0]?.anomalous, true);
  });

  it('stays silent within the reference’s own window-to-window variation', () => {
    const [c] = detector.detect(calibrated, windowOf({}, { rows: 8500 }));
    assert.equal(c?.anomalous, false, c?.message);
  });

  it('needs both a band breach and the relative floor', () => {
    // sd 10 makes 8000 a 200-sd outlier, but a 20% change is below the 30% floor.
    const tight = referenceOf({}, { rowsPerWindow: { mean: 10_000, sd: 10, windows: 6 } });
    assert.equal(detector.detect(tight, windowOf({}, { rows: 8000 }))[0]?.anomalous, false);
    assert.equal(detector.detect(tight, windowOf({}, { rows: 6000 }))[0]?.anomalous, true);
  });

  it('falls back to Poisson with a single reference window', () => {
    const single = referenceOf({}, { rowsPerWindow: { mean: 50, sd: 0, windows: 1 } });
    const low = detector.detect(single, windowOf({}, { rows: 20 }))[0];
    assert.equal(low?.details.model, 'poisson');
    assert.equal(low?.anomalous, true);
    assert.equal(detector.detect(single, windowOf({}, { rows: 45 }))[0]?.anomalous, false);
  });

  it('says nothing without a rows-per-window reference', () => {
    assert.deepEqual(detector.detect(referenceOf({}), windowOf({}, { rows: 5 })), []);
  });
});
