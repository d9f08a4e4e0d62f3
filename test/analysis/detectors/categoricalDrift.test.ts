import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCategoricalDriftDetector } from '../../../src/analysis/detectors/categoricalDrift.js';
import { seededRandom } from '../stats/random.js';
import { referenceOf, windowOf } from './fixtures.js';

const detector = createCategoricalDriftDetector({
  statistics: ['js', 'chi2', 'new_categories', 'vanished_categories'],
});

/** n draws from categories with the given weights. */
function draw(n: number, weights: Record<string, number>, seed: number): string[] {
  const random = seededRandom(seed);
  const entries = Object.entries(weights);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  return Array.from({ length: n }, () => {
    let u = random() * total;
    for (const [value, w] of entries) {
      u -= w;
      if (u < 0) return value;
    }
    return entries[entries.length - 1]?.[0] as string;
  });
}

function byStatistic(
  candidates: ReturnType<typeof detector.detect>,
): Record<string, (typeof candidates)[number]> {
  return Object.fromEntries(candidates.map((c) => [c.statistic, c]));
}

const mix = { red: 50, green: 30, blue: 20 };

describe('categorical_drift', () => {
  const reference = referenceOf({ color: draw(5000, mix, 1) });

  it('flags a changed category mix with JS distance and chi-square', () => {
    const result = byStatistic(
      detector.detect(reference, windowOf({ color: draw(2000, { red: 20, green: 30, blue: 50 }, 2) })),
    );
    assert.equal(result.js?.anomalous, true, result.js?.message);
    assert.equal(result.chi2?.anomalous, true);
    assert.ok((result.js?.pValue ?? 1) < 1e-10);
    assert.equal(result.new_categories?.anomalous, false);
  });

  it('stays silent on a new sample of the same mix', () => {
    const candidates = detector.detect(reference, windowOf({ color: draw(2000, mix, 3) }));
    assert.equal(candidates.length, 4);
    assert.deepEqual(
      candidates.filter((c) => c.anomalous).map((c) => c.message),
      [],
    );
  });

  it('names categories the reference never had', () => {
    const result = byStatistic(
      detector.detect(reference, windowOf({ color: draw(2000, { ...mix, purple: 10 }, 4) })),
    );
    const fresh = result.new_categories;
    assert.equal(fresh?.anomalous, true);
    assert.deepEqual(fresh?.details.categories, ['purple']);
    assert.ok(Math.abs((fresh?.value ?? 0) - 0.09) < 0.02);
  });

  it('names categories that vanished', () => {
    const result = byStatistic(
      detector.detect(reference, windowOf({ color: draw(2000, { red: 50, green: 30 }, 5) })),
    );
    assert.equal(result.vanished_categories?.anomalous, true);
    assert.deepEqual(result.vanished_categories?.details.categories, ['blue']);
  });

  it('respects the effect-size floor on a huge-n trivial shift', () => {
    const big = referenceOf({ color: draw(100_000, mix, 6) });
    const result = byStatistic(
      detector.detect(big, windowOf({ color: draw(100_000, { red: 51.5, green: 29, blue: 19.5 }, 7) })),
    );
    assert.ok((result.js?.pValue ?? 1) < 0.01, `p ${result.js?.pValue}`);
    assert.equal(result.js?.anomalous, false);
    assert.equal(result.chi2?.anomalous, false);
  });

  it('raises the JS threshold by the top-k error when categories overflow the summary', () => {
    const many = (n: number, seed: number): string[] => {
      const random = seededRandom(seed);
      return Array.from({ length: n }, () => `c${Math.floor(random() ** 2 * 500)}`);
    };
    const ref = referenceOf({ id: many(20_000, 8) }, {}, {}, { topK: 16 });
    const result = byStatistic(detector.detect(ref, windowOf({ id: many(20_000, 9) }, {}, {}, { topK: 16 })));
    assert.ok((result.js?.details.sketchError as number) > 0);
    assert.ok((result.js?.threshold ?? 0) > 0.1);
    assert.equal(result.js?.anomalous, false);
    assert.equal(result.new_categories?.anomalous, false);
  });

  it('requires the JS distance to exceed the calibrated window-to-window spread', () => {
    const current = windowOf({ color: draw(2000, { red: 35, green: 35, blue: 30 }, 10) });
    const plain = byStatistic(detector.detect(reference, current)).js;
    assert.equal(plain?.anomalous, true, plain?.message);
    const noisy = referenceOf({ color: draw(5000, mix, 1) });
    noisy.calibration.set('categorical_drift/color/js', { mean: plain?.value ?? 0, sd: 0.05, windows: 6 });
    assert.equal(byStatistic(detector.detect(noisy, current)).js?.anomalous, false);
  });

  it('returns nothing for empty and all-null windows', () => {
    assert.deepEqual(
      detector.detect(reference, windowOf({ color: [] }, {}, {}, { schema: { color: 'categorical' } })),
      [],
    );
    assert.deepEqual(
      detector.detect(
        reference,
        windowOf({ color: [null, null] }, {}, {}, { schema: { color: 'categorical' } }),
      ),
      [],
    );
  });
});

describe('categorical_drift on a long-tailed feature (150 location codes, 2 000 reference rows)', () => {
  const weights = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`loc${i}`, 1 / (i + 1)]));
  const reference = referenceOf({ loc: draw(2000, weights, 100) });
  const defaults = createCategoricalDriftDetector();
  const anomalousIn = (window: string[]) =>
    defaults
      .detect(reference, windowOf({ loc: window }))
      .filter((c) => c.anomalous)
      .map((c) => c.statistic);

  it('stays silent on clean windows of 20 to 1 000 rows (it alarmed in most of them)', () => {
    let alarms = 0;
    let windows = 0;
    for (const m of [20, 100, 500, 1000]) {
      for (let s = 0; s < 15; s++) {
        windows++;
        if (anomalousIn(draw(m, weights, 1000 * m + s)).length > 0) alarms++;
      }
    }
    assert.ok(alarms <= 1, `${alarms}/${windows} clean windows alarmed`);
  });

  it('catches a new value in 5% and 20% of a 1 000-row window and names it, with a threshold that does not grow with cardinality', () => {
    for (const share of [0.05, 0.2]) {
      const window = draw(1000, weights, 7).map((v, i) => (i % Math.round(1 / share) === 0 ? 'NEW' : v));
      const candidates = defaults.detect(reference, windowOf({ loc: window }));
      const fresh = candidates.find((c) => c.statistic === 'new_categories');
      assert.equal(fresh?.anomalous, true, fresh?.message);
      assert.deepEqual(fresh?.details.categories, ['NEW']);
      const js = candidates.find((c) => c.statistic === 'js');
      assert.ok((js?.threshold ?? 1) < 0.3, `JS threshold ${js?.threshold}`);
    }
  });

  it('never calls a value the reference summary merely did not list "unseen"', () => {
    const window = draw(1000, weights, 8).map((v, i) => (i % 5 === 0 ? 'NEW' : v));
    const fresh = defaults
      .detect(reference, windowOf({ loc: window }))
      .find((c) => c.statistic === 'new_categories');
    assert.doesNotMatch(fresh?.message ?? '', /unseen/);
    assert.match(fresh?.message ?? '', /not among the reference summary’s frequent values/);
    // Values the reference has but its summary did not list are not named as new.
    const names = (fresh?.details.categories as string[]) ?? [];
    assert.deepEqual(names, ['NEW']);
  });

  it('does not count categories that a small window simply did not draw as vanished', () => {
    for (let s = 0; s < 20; s++) {
      const vanished = defaults
        .detect(reference, windowOf({ loc: draw(20, weights, 500 + s) }))
        .find((c) => c.statistic === 'vanished_categories');
      assert.equal(vanished?.anomalous, false, vanished?.message);
    }
  });
});

describe('categorical_drift on date-like and ID-like columns', () => {
  const day = (d: number) => `2026-01-${String(1 + (d % 28)).padStart(2, '0')}`;
  it('judges no drift on a date column, which takes a new value every day by construction', () => {
    const reference = referenceOf({ date: Array.from({ length: 2000 }, (_, i) => day(Math.floor(i / 100))) });
    const window = windowOf({ date: Array.from({ length: 500 }, () => '2026-02-15') });
    assert.deepEqual(createCategoricalDriftDetector().detect(reference, window), []);
  });

  it('stays silent on an ID column, whose every value is new', () => {
    const reference = referenceOf({ id: Array.from({ length: 2000 }, (_, i) => `order-${i}`) });
    const window = windowOf({ id: Array.from({ length: 500 }, (_, i) => `order-${10_000 + i}`) });
    const anomalous = createCategoricalDriftDetector()
      .detect(reference, window)
      .filter((c) => c.anomalous);
    assert.deepEqual(
      anomalous.map((c) => c.message),
      [],
    );
  });
});
