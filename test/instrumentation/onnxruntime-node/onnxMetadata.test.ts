import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readOnnxMetadata } from '../../../src/instrumentation/onnxruntime-node/onnxMetadata.js';

const MODEL = join(__dirname, '../../../examples/credit/models/credit-risk.onnx');

describe('readOnnxMetadata', () => {
  it('reads the model version, graph name and metadata_props of a real model', () => {
    const meta = readOnnxMetadata(readFileSync(MODEL));
    assert.equal(meta.modelVersion, 1);
    assert.equal(meta.graphName, 'credit_risk');
    assert.equal(meta.props.get('mlobs.model.name'), 'credit-risk');
    assert.deepEqual(JSON.parse(meta.props.get('mlobs.classes.probabilities') ?? '[]'), [
      'repaid',
      'default',
    ]);
  });

  it('throws on a truncated model instead of returning half-read metadata', () => {
    const bytes = readFileSync(MODEL);
    assert.throws(() => readOnnxMetadata(bytes.subarray(0, bytes.length - 3)), /truncated/);
  });
});
