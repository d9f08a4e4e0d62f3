import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Calibration, WindowData } from '../../../src/analysis/detectors/detector.js';
import { createDetectors } from '../../../src/analysis/detectors/index.js';
import { calibratedThreshold, noiseFactor } from '../../../src/analysis/detectors/thresholds.js';
import { judgeWindow } from '../../../src/analysis/judgeWindow.js';
import { buildReference, calibrationKey } from '../../../src/analysis/reference/buildReference.js';
import { seededRandom } from '../stats/random.js';
import { referenceOf, windowOf } from './fixtures.js';

/**
 * Rows of a class (top class 35%, eleven others) and a normal amount. `topKept` of the top
 * class's rows stay, the rest move to the other classes.
 */
function rows(count: number, seed: number, topKept = 1): Record<string, unknown[]> {
  const random = seededRandom(seed);
  const cls: string[] = [];
  const amount: number[] = [];
  for (let i = 0; i < count; i++) {
    const other = () => `c${Math.floor(random() * 11)}`;
    let c = random() < 0.35 ? 'a' : other();
    if (c === 'a' && random() >= topKept) c = other();
    cls.push(c);
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    amount.push(50 + 10 * z);
  }
  return { cls, amount };
}

describe('calibratedThreshold', () => {
  const cal = (noise?: number): Calibration => ({
    mean: 0.1,
    sd: 0.02,
    windows: 10,
    ...(noise ? { noise } : {}),
  });
  const refWith = (c: Calibration) =>
    referenceOf({ x: [1, 2] }, { calibration: new Map([[calibrationKey('d', 'x', 's'), c]]) });

  it('rescales a band calibrated on small segments down to a larger window’s sampling noise', () => {
    // Segments of 200 against 1 800: ε = 1/200 + 1/1800; a window of 1 000 against 2 000 has a third of it.
    const segmentNoise = 1 / 200 + 1 / 1800;
    const sizes = { n: 2000, m: 1000 };
    const f = noiseFactor(cal(segmentNoise), { ...sizes, order: 'distance' });
    assert.ok(Math.abs(f - (1 / 2000 + 1 / 1000) / segmentNoise) < 1e-12);
    const ref = refWith(cal(segmentNoise));
    const unscaled = 0.1 + 3 * 0.02;
    const at = (order: 'distance' | 'divergence' | 'level') =>
      calibratedThreshold(ref, 'd', 'x', 's', 3, 'above', { ...sizes, order }) as number;
    assert.ok(Math.abs(at('distance') - unscaled * Math.sqrt(f)) < 1e-12);
    assert.ok(Math.abs(at('divergence') - unscaled * f) < 1e-12);
    assert.ok(Math.abs(at('level') - (0.1 + 3 * 0.02 * Math.sqrt(f))) < 1e-12);
  });

  it('never raises a band for a smaller window, and leaves calibrations without sizes as they were', () => {
    const ref = refWith(cal(1 / 1000 + 1 / 9000));
    const small = calibratedThreshold(ref, 'd', 'x', 's', 3, 'above', {
      n: 10_000,
      m: 20,
      order: 'distance',
    });
    assert.equal(small, 0.1 + 3 * 0.02);
    const old = calibratedThreshold(refWith(cal()), 'd', 'x', 's', 3, 'above', {
      n: 10_000,
      m: 5000,
      order: 'divergence',
    });
    assert.equal(old, 0.1 + 3 * 0.02);
  });

  describe('a 2 000-row reference in 10 segments judging windows of 1 000 rows', () => {
    const segments: WindowData[] = Array.from({ length: 10 }, (_, s) => windowOf(rows(200, 10 + s)));
    // Rows per window are judged against a profile's own rows elsewhere; here the data detectors.
    const detectors = createDetectors().filter((d) => d.id !== 'volume');
    const reference = buildReference({ source: 'profile', windows: segments, detectors });
    const judge = (w: WindowData) =>
      judgeWindow(detectors, reference, { data: w, exemplarSpans: new Map() }, 0.01).findings;

    it('records the segments’ sampling noise with each calibration', () => {
      const c = reference.calibration.get(calibrationKey('categorical_drift', 'cls', 'js'));
      assert.ok(c?.noise !== undefined && Math.abs(c.noise - (1 / 1800 + 1 / 200)) < 1e-9, String(c?.noise));
    });

    it('sees half of the top class knocked out (the segments’ spread hid it)', () => {
      let seen = 0;
      for (let s = 0; s < 5; s++)
        if (judge(windowOf(rows(1000, 100 + s, 0.5))).some((f) => f.feature === 'cls')) seen++;
      assert.ok(seen >= 4, `${seen}/5 knocked-out windows had a finding on cls`);
    });

    it('keeps clean windows of 1 000 rows quiet', () => {
      let alarmed = 0;
      for (let s = 0; s < 20; s++) if (judge(windowOf(rows(1000, 200 + s))).length > 0) alarmed++;
      assert.ok(alarmed <= 1, `${alarmed}/20 clean windows had a finding`);
    });
  });
});
