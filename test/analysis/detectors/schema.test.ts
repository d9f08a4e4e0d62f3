import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSchemaDetector } from '../../../src/analysis/detectors/schema.js';
import { normalSample, seededRandom } from '../stats/random.js';
import { referenceOf, windowOf } from './fixtures.js';

const detector = createSchemaDetector();

function find(candidates: ReturnType<typeof detector.detect>, feature: string, statistic: string) {
  return candidates.find((c) => c.feature === feature && c.statistic === statistic);
}

describe('schema', () => {
  const reference = referenceOf({ age: normalSample(5000, 1, 40, 10), city: Array(5000).fill('paris') });

  it('is silent, apart from value candidates, on data like the reference', () => {
    const candidates = detector.detect(
      reference,
      windowOf({ age: normalSample(1000, 2, 40, 10), city: Array(1000).fill('lyon') }),
    );
    assert.deepEqual(
      candidates.filter((c) => c.anomalous).map((c) => c.message),
      [],
    );
    assert.ok(find(candidates, 'age', 'out_of_range'));
  });

  it('reports a feature that went missing and one that appeared (a rename)', () => {
    const candidates = detector.detect(
      reference,
      windowOf({ age: normalSample(100, 3, 40, 10), town: Array(100).fill('paris') }),
    );
    const missing = find(candidates, 'city', 'feature_missing');
    const fresh = find(candidates, 'town', 'feature_new');
    assert.equal(missing?.anomalous, true);
    assert.equal(missing?.severity, 'critical');
    assert.equal(fresh?.anomalous, true);
    assert.equal(fresh?.severity, 'info');
  });

  it('reports a type change when numbers arrive as strings', () => {
    const candidates = detector.detect(
      reference,
      windowOf({ age: Array.from({ length: 100 }, (_, i) => `${i}y`), city: ['paris'] }),
    );
    const change = find(candidates, 'age', 'type_change');
    assert.equal(change?.anomalous, true);
    assert.deepEqual(change?.details, { expected: 'numeric', actual: 'categorical' });
  });

  it('estimates the fraction outside the training range from the sketch (a unit change)', () => {
    // Ages in months: almost everything is above the training maximum.
    const months = normalSample(1000, 4, 40, 10).map((x) => x * 12);
    const range = find(
      detector.detect(reference, windowOf({ age: months, city: ['paris'] })),
      'age',
      'out_of_range',
    );
    assert.equal(range?.anomalous, true);
    assert.equal(range?.severity, 'critical');
    assert.ok((range?.value ?? 0) > 0.9, range?.message);
  });

  it('does not flag the few values a fresh sample puts beyond the reference extremes', () => {
    const range = find(
      detector.detect(reference, windowOf({ age: normalSample(5000, 5, 40, 10), city: ['paris'] })),
      'age',
      'out_of_range',
    );
    assert.equal(range?.anomalous, false, range?.message);
  });

  it('judges a declared range on negative values from both ends', () => {
    const temps = referenceOf({ t: normalSample(2000, 11, -20, 5) });
    temps.schema.set('t', { kind: 'numeric', nullable: false, min: -40, max: -5 });
    const warm = normalSample(1000, 12, -20, 5).map((x, i) => (i % 5 === 0 ? x + 40 : x));
    const range = find(detector.detect(temps, windowOf({ t: warm })), 't', 'out_of_range');
    assert.equal(range?.anomalous, true, range?.message);
    assert.ok((range?.details.above as number) > 150);
    assert.ok((range?.value ?? 0) > 0.15 && (range?.value ?? 0) < 0.25);
  });

  it('flags a rise of invalid values (infinities, wrong types)', () => {
    const values: unknown[] = normalSample(1000, 6, 40, 10);
    for (let i = 0; i < 100; i++) values[i * 10] = Number.POSITIVE_INFINITY;
    const invalid = find(
      detector.detect(
        reference,
        windowOf({ age: values, city: ['paris'] }, {}, {}, { schema: { age: 'numeric' } }),
      ),
      'age',
      'invalid_rate',
    );
    assert.equal(invalid?.anomalous, true, invalid?.message);
    assert.ok(Math.abs((invalid?.value ?? 0) - 0.1) < 1e-9);
  });

  describe('invalid values against a rare reference rate', () => {
    // 10 infinities in 2000 reference values: a 0.5% invalid rate.
    const rare: unknown[] = normalSample(2000, 21, 40, 10);
    for (let i = 0; i < 10; i++) rare[i * 200] = Number.POSITIVE_INFINITY;
    const rareReference = referenceOf({ age: rare }, {}, {}, { schema: { age: 'numeric' } });
    const windowWith = (invalid: number) => {
      const values: unknown[] = normalSample(20, 22, 40, 10);
      for (let i = 0; i < invalid; i++) values[i * 2] = Number.POSITIVE_INFINITY;
      return windowOf({ age: values }, {}, {}, { schema: { age: 'numeric' } });
    };

    it('does not flag one invalid value in a 20-row window (chance ≈ 0.1, not ≈ 0.003)', () => {
      const invalid = find(detector.detect(rareReference, windowWith(1)), 'age', 'invalid_rate');
      assert.equal(invalid?.value, 0.05);
      assert.equal(invalid?.anomalous, false, invalid?.message);
      // Exact conditional tail: 1 − (1 − 20/2020)^11 ≈ 0.104.
      assert.ok(
        Math.abs((invalid?.pValue ?? 0) - (1 - (1 - 20 / 2020) ** 11)) < 1e-9,
        String(invalid?.pValue),
      );
    });

    it('still flags half of a 20-row window arriving invalid', () => {
      const invalid = find(detector.detect(rareReference, windowWith(10)), 'age', 'invalid_rate');
      assert.equal(invalid?.value, 0.5);
      assert.equal(invalid?.anomalous, true, invalid?.message);
      assert.equal(invalid?.severity, 'critical');
    });
  });

  it('flags a feature stuck at one value, even at the median, in 10 values', () => {
    const stuck = find(
      detector.detect(reference, windowOf({ age: Array(10).fill(40), city: ['paris'] })),
      'age',
      'constant',
    );
    assert.equal(stuck?.anomalous, true, stuck?.message);
    assert.equal(stuck?.severity, 'critical');
    assert.ok((stuck?.pValue ?? 1) < 1e-6, String(stuck?.pValue));
    assert.equal(stuck?.value, 40);
    // Four values are below minCount (5); varied values are no candidate at all.
    const few = detector.detect(reference, windowOf({ age: Array(4).fill(40), city: ['paris'] }));
    assert.equal(find(few, 'age', 'constant'), undefined);
    const varied = detector.detect(
      reference,
      windowOf({ age: normalSample(10, 8, 40, 10), city: ['paris'] }),
    );
    assert.equal(find(varied, 'age', 'constant'), undefined);
  });

  it('does not flag a constant window where the reference is (almost) constant too', () => {
    const flags = Array.from({ length: 5000 }, (_, i) => (i % 50 === 0 ? 1 : 0));
    const ref = referenceOf({ flag: flags });
    const stuck = find(detector.detect(ref, windowOf({ flag: Array(20).fill(0) })), 'flag', 'constant');
    assert.equal(stuck?.anomalous, false, stuck?.message);
    assert.ok((stuck?.pValue ?? 0) > 0.5);
  });

  it('flags fractions arriving in a feature the reference had as whole numbers (a precision change)', () => {
    const whole = normalSample(5000, 11, 40, 10).map((x) => Math.round(x));
    const ref = referenceOf({ age: whole });
    const averaged = normalSample(200, 12, 40, 10).map((x) => Math.round(x) + 0.5);
    const frac = find(detector.detect(ref, windowOf({ age: averaged })), 'age', 'fractional_rate');
    assert.equal(frac?.anomalous, true, frac?.message);
    assert.equal(frac?.severity, 'critical');
    assert.equal(frac?.value, 1);
    // Whole numbers again: no finding; a continuous reference is not judged at all.
    const same = find(
      detector.detect(ref, windowOf({ age: normalSample(200, 13, 40, 10).map((x) => Math.round(x)) })),
      'age',
      'fractional_rate',
    );
    assert.equal(same?.anomalous, false, same?.message);
    const continuous = detector.detect(reference, windowOf({ age: averaged, city: ['paris'] }));
    assert.equal(find(continuous, 'age', 'fractional_rate'), undefined);
  });

  it('makes no invalid-rate or fractional-rate hypothesis when neither side has such a value', () => {
    const whole = Array.from({ length: 1000 }, (_, i) => i % 50);
    const cands = detector.detect(referenceOf({ n: whole }), windowOf({ n: whole.slice(0, 100) }));
    for (const statistic of ['invalid_rate', 'fractional_rate']) {
      const c = find(cands, 'n', statistic);
      assert.ok(c, statistic);
      assert.equal(c.pValue, undefined, statistic);
      assert.equal(c.anomalous, false, statistic);
    }
  });

  it('does not call an all-null window a type change or throw on an empty one', () => {
    const candidates = detector.detect(
      reference,
      windowOf({ age: [null, null], city: [null, null] }, {}, {}, { schema: { age: 'categorical' } }),
    );
    assert.equal(find(candidates, 'age', 'type_change'), undefined);
    assert.deepEqual(detector.detect(reference, windowOf({})), []);
  });
});

describe('schema out_of_range with a range that is itself a sample', () => {
  const uniform = (n: number, seed: number) => {
    const r = seededRandom(seed);
    return Array.from({ length: n }, () => 10 + 80 * r());
  };
  const ref = referenceOf({ x: uniform(1000, 11) });
  const max = (ref.schema.get('x')?.max as number) ?? 0;

  it('does not alarm on 5 of 500 values outside the range of 1 000 (exchangeable p ≈ 0.018, binomial would say 0.0036)', () => {
    const values = uniform(495, 12).concat(Array(5).fill(max * 1.5));
    const range = find(detector.detect(ref, windowOf({ x: values })), 'x', 'out_of_range');
    assert.ok(range);
    assert.ok((range.pValue as number) > 0.015 && (range.pValue as number) < 0.02, String(range.pValue));
    assert.equal(range.anomalous, false);
  });

  it('says "training range" for a profile and "reference range" for warm-up windows', () => {
    const values = uniform(400, 13).concat(Array(100).fill(max * 3));
    const fromProfile = find(detector.detect(ref, windowOf({ x: values })), 'x', 'out_of_range');
    assert.match(fromProfile?.message ?? '', /training range/);
    const warm = find(
      detector.detect({ ...ref, source: 'warmup' }, windowOf({ x: values })),
      'x',
      'out_of_range',
    );
    assert.match(warm?.message ?? '', /reference range/);
    assert.doesNotMatch(warm?.message ?? '', /training/);
  });

  it('scales severity from the threshold: 2% outside is a warning, 20% critical', () => {
    const few = uniform(980, 14).concat(Array(20).fill(max * 2));
    assert.equal(find(detector.detect(ref, windowOf({ x: few })), 'x', 'out_of_range')?.severity, 'warning');
    const many = uniform(800, 15).concat(Array(200).fill(max * 2));
    assert.equal(
      find(detector.detect(ref, windowOf({ x: many })), 'x', 'out_of_range')?.severity,
      'critical',
    );
  });
});
