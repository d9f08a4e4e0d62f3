import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exampleProblems, normalizeExamples } from '../../semconv/lib/examples.js';
import {
  attributeConstant,
  enumValueConstant,
  eventConstant,
  eventNameProblem,
  nameProblem,
} from '../../semconv/lib/names.js';

describe('naming rules', () => {
  it('accepts lowercase snake_case names under ml.', () => {
    for (const name of ['ml.summary.null_count', 'ml.summary.histogram.bins', 'ml.io.input_fingerprints']) {
      assert.equal(nameProblem(name), '', name);
    }
  });

  it('rejects uppercase, camelCase, empty segments, other namespaces and bare ml.x names', () => {
    assert.match(nameProblem('ml.Summary.Names'), /must be lowercase/);
    assert.match(nameProblem('ml.summary.nullCount'), /segment 'nullCount' is not snake_case/);
    assert.match(nameProblem('ml..x'), /empty namespace segment/);
    assert.match(nameProblem('ml.summary.'), /empty namespace segment/);
    assert.match(nameProblem('ml.summary.null__count'), /not snake_case/);
    assert.match(nameProblem('ml.summary.1st'), /not snake_case/);
    assert.match(nameProblem('http.method'), /must start with 'ml\.'/);
    assert.match(nameProblem('ml.kind'), /ml\.<namespace>\.<name>/);
  });

  it('accepts ml.<name> event names and rejects others', () => {
    assert.equal(eventNameProblem('ml.features'), '');
    assert.match(eventNameProblem('features'), /must be 'ml\.'/);
    assert.match(eventNameProblem('ml.Features'), /must be 'ml\.'/);
  });

  it('derives the constant names the rest of mlobs imports', () => {
    assert.equal(attributeConstant('ml.summary.null_count'), 'ATTR_ML_SUMMARY_NULL_COUNT');
    assert.equal(enumValueConstant('ml.component.kind', 'inference'), 'ML_COMPONENT_KIND_VALUE_INFERENCE');
    assert.equal(eventConstant('ml.features'), 'EVENT_ML_FEATURES');
  });
});

describe('examples', () => {
  const type = (name: 'string' | 'int' | 'double' | 'int[]' | 'double[]') => ({
    kind: 'primitive' as const,
    name,
  });

  it('reads a bare scalar as one example and a list as several', () => {
    assert.deepEqual(normalizeExamples(type('string'), 'a').examples, ['a']);
    assert.deepEqual(normalizeExamples(type('string'), ['a', 'b']).examples, ['a', 'b']);
  });

  it('reads a list of lists as several array examples and a flat list as one', () => {
    assert.deepEqual(normalizeExamples(type('int[]'), [[1], [2, 3]]).examples, [[1], [2, 3]]);
    assert.deepEqual(normalizeExamples(type('int[]'), [1, 2]).examples, [[1, 2]]);
    assert.match(normalizeExamples(type('int[]'), [[1], 2]).problem, /mix lists and single values/);
  });

  it('requires examples except for enums, whose members already show the values', () => {
    assert.equal(normalizeExamples(type('string'), undefined).problem, 'examples are missing');
    const members = [{ id: 'a', value: 'a', brief: 'A.', stability: 'development' }];
    assert.equal(normalizeExamples({ kind: 'enum', members }, undefined).problem, '');
  });

  it('rejects non-integers for int, and NaN or Infinity for double', () => {
    assert.deepEqual(exampleProblems(type('int'), [1.5]), ['example 1.5 does not match type int']);
    assert.deepEqual(exampleProblems(type('double'), [0.5, 2]), []);
    assert.deepEqual(exampleProblems(type('double[]'), [[1, Number.NaN]]), [
      'example [1,NaN] does not match type double[]',
    ]);
    assert.deepEqual(exampleProblems(type('double'), [Number.POSITIVE_INFINITY]), [
      'example Infinity does not match type double',
    ]);
  });
});
