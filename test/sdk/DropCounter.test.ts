import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { diag } from '@opentelemetry/api';
import { DropCounter } from '../../src/sdk/DropCounter.js';
import { captureDiagWarnings } from './spanHarness.js';

describe('DropCounter', () => {
  const warnings: string[] = [];
  beforeEach(() => {
    warnings.length = 0;
    captureDiagWarnings(warnings);
  });
  afterEach(() => diag.disable());

  it('warns on the first drop of a reason and then only at powers of ten, with the count', () => {
    const c = new DropCounter();
    for (let i = 0; i < 1000; i++) c.drop('bad input', `row ${i}`);
    assert.equal(warnings.length, 4);
    assert.match(warnings[0], /bad input \(1 so far\): row 0/);
    assert.match(warnings[3], /bad input \(1000 so far\)/);
    assert.deepEqual(c.snapshot(), { 'bad input': 1000 });
  });

  it('counts reasons separately', () => {
    const c = new DropCounter();
    c.drop('a', 'x');
    c.drop('b', 'y');
    c.drop('a', 'z');
    assert.deepEqual(c.snapshot(), { a: 2, b: 1 });
    assert.equal(warnings.length, 2);
  });
});
