import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildModels, MODELS_DIR } from '../../examples/credit/train-model.js';

describe('examples/credit/train-model.ts', () => {
  it('writes exactly the committed ONNX models (training and export are reproducible)', () => {
    const built = buildModels();
    assert.deepEqual([...built.keys()].sort(), ['credit-risk-v2.onnx', 'credit-risk.onnx']);
    for (const [file, bytes] of built) {
      assert.ok(
        Buffer.from(bytes).equals(readFileSync(join(MODELS_DIR, file))),
        `${file} differs: rerun npx tsx examples/credit/train-model.ts`,
      );
    }
  });
});
