import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCodes, MlobsError } from '../src/errors.js';

describe('error code catalogue', () => {
  it('has unique codes, each equal to its key and prefixed MLOBS_ERR_', () => {
    const values = Object.values(ErrorCodes);
    assert.equal(new Set(values).size, values.length);
    for (const [key, value] of Object.entries(ErrorCodes)) {
      assert.equal(value, key);
      assert.match(value, /^MLOBS_ERR_[A-Z0-9_]+$/);
    }
  });

  it('MlobsError carries its code, message, details and cause', () => {
    const cause = new Error('disk full');
    const err = new MlobsError(ErrorCodes.MLOBS_ERR_EXPORT_FAILED, 'cannot write', {
      cause,
      details: { n: 1 },
    });
    assert.ok(err instanceof Error);
    assert.equal(err.code, 'MLOBS_ERR_EXPORT_FAILED');
    assert.equal(err.message, 'cannot write');
    assert.deepEqual(err.details, { n: 1 });
    assert.equal(err.cause, cause);
    assert.equal(err.name, 'MlobsError');
  });
});
