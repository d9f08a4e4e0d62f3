import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDetectors } from '../../../src/analysis/detectors/index.js';
import { judgeWindow } from '../../../src/analysis/judgeWindow.js';
import { findingToLogRecord } from '../../../src/analysis/output/otlpRender.js';
import { findingAttributes } from '../../../src/analysis/output/telemetryAttributes.js';
import {
  ATTR_ML_FINDING_CURRENT_MEAN,
  ATTR_ML_FINDING_CURRENT_NULL_SHARE,
  ATTR_ML_FINDING_CURRENT_QUANTILES,
  ATTR_ML_FINDING_CURRENT_TOP_VALUES,
  ATTR_ML_FINDING_P_VALUE,
  ATTR_ML_FINDING_REFERENCE_MEAN,
  ATTR_ML_FINDING_REFERENCE_RANGE,
  ATTR_ML_FINDING_REFERENCE_TOP_VALUES,
  ATTR_ML_FINDING_SOURCE_SERVICE,
  ATTR_ML_FINDING_STATISTICS,
  ATTR_ML_FINDING_VALUE,
} from '../../../src/semconv/index.js';
import { referenceOf, windowOf } from '../detectors/fixtures.js';
import { normalSample } from '../stats/random.js';

function findings() {
  const ref = referenceOf({
    age: normalSample(2000, 1, 38, 10),
    city: Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? 'lyon' : 'paris')),
  });
  const win = windowOf({
    age: normalSample(500, 2, 55, 10),
    city: Array.from({ length: 500 }, (_, i) => (i % 5 === 0 ? 'NEW' : i % 3 === 0 ? 'lyon' : 'paris')),
  });
  return judgeWindow(createDetectors(), ref, { data: win, exemplarSpans: new Map() }, 0.01).findings;
}

describe('finding log records a person can read', () => {
  it('carry means, percentiles and ranges of both sides, every statistic that fired and the source service', () => {
    const age = findings().find((f) => f.detector === 'numeric_drift' && f.feature === 'age');
    assert.ok(age);
    const attrs = findingAttributes(age);
    assert.ok(Math.abs((attrs[ATTR_ML_FINDING_REFERENCE_MEAN] as number) - 38) < 1);
    assert.ok(Math.abs((attrs[ATTR_ML_FINDING_CURRENT_MEAN] as number) - 55) < 2);
    assert.match(
      attrs[ATTR_ML_FINDING_CURRENT_QUANTILES] as string,
      /^p5 [\d.]+, p25 [\d.]+, p50 5\d(\.\d+)?, p75/,
    );
    assert.match(attrs[ATTR_ML_FINDING_REFERENCE_RANGE] as string, /^\[[\d.-]+, [\d.]+\]$/);
    assert.equal(attrs[ATTR_ML_FINDING_CURRENT_NULL_SHARE], 0);
    const stats = attrs[ATTR_ML_FINDING_STATISTICS] as string[];
    assert.deepEqual(stats.map((s) => s.split(' ')[0]).sort(), ['ks', 'psi', 'wasserstein']);
    assert.equal(attrs[ATTR_ML_FINDING_SOURCE_SERVICE], 'svc');
    const body = findingToLogRecord(age).body?.stringValue ?? '';
    assert.match(body, /^age: mean 3\d(\.\d+)? → 5\d(\.\d+)?, /);
    assert.match(body, /\(n 2000 vs 500\)/);
  });

  it('carry the top categories with shares for a categorical finding', () => {
    const city = findings().find((f) => f.detector === 'categorical_drift' && f.feature === 'city');
    assert.ok(city);
    const attrs = findingAttributes(city);
    assert.match(attrs[ATTR_ML_FINDING_REFERENCE_TOP_VALUES] as string, /^paris 66\.\d+%, lyon 33\.\d+%$/);
    assert.match(attrs[ATTR_ML_FINDING_CURRENT_TOP_VALUES] as string, /NEW 20%/);
  });

  it('send the p-value and the value as OTLP doubles even when they are whole numbers', () => {
    const age = findings().find((f) => f.feature === 'age');
    assert.ok(age);
    const record = findingToLogRecord({ ...age, value: 1, pValue: 0 });
    const value = (key: string) => record.attributes.find((a) => a.key === key)?.value;
    assert.deepEqual(value(ATTR_ML_FINDING_VALUE), { doubleValue: 1 });
    assert.deepEqual(value(ATTR_ML_FINDING_P_VALUE), { doubleValue: 0 });
  });
});
