/**
 * Trains the credit-risk example's model and writes it as ONNX: a logistic regression fitted by
 * Newton's method (IRLS) on 20,000 seeded synthetic applications, exported as
 * `features → MatMul → Add → Softmax → probabilities` with `onnx-proto`. Everything is seeded and
 * the bytes depend only on this file and `data.ts`, so a test checks that the committed models are
 * exactly what it writes.
 *
 * It writes two models into `examples/credit/models/`:
 * - `credit-risk.onnx`: version 1, the model the pipeline serves;
 * - `credit-risk-v2.onnx`: version 2, a retraining whose feature pipeline swapped two columns
 *   (`log_income` and `installment_ratio`) — the bad release the `--fault model-swap` deploys.
 *
 * Run: `npx tsx examples/credit/train-model.ts` (or `--check` to compare with the committed files).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import {
  CLASS_NAMES,
  drawApplications,
  FEATURE_NAMES,
  featurize,
  regionStats,
  seeded,
  trueDefaultProbability,
} from './data.js';

/** Where the models are committed. */
export const MODELS_DIR = join(__dirname, 'models');

/** Fits `p(default) = σ(b + w·x)` by IRLS; returns `[b, w...]`. */
export function fitLogistic(x: Float32Array, y: Uint8Array, width: number, iterations = 12): Float64Array {
  const n = y.length;
  const k = width + 1;
  const beta = new Float64Array(k);
  for (let it = 0; it < iterations; it++) {
    const h = new Float64Array(k * k);
    const g = new Float64Array(k);
    const row = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      row[0] = 1;
      for (let j = 0; j < width; j++) row[j + 1] = x[i * width + j];
      let z = 0;
      for (let j = 0; j < k; j++) z += beta[j] * row[j];
      const p = 1 / (1 + Math.exp(-z));
      const w = Math.max(p * (1 - p), 1e-9);
      for (let a = 0; a < k; a++) {
        g[a] += (y[i] - p) * row[a];
        for (let b = 0; b < k; b++) h[a * k + b] += w * row[a] * row[b];
      }
    }
    // A small ridge keeps the Hessian invertible when a one-hot column is rare.
    for (let a = 0; a < k; a++) h[a * k + a] += 1e-6 * n;
    const step = solve(h, g, k);
    for (let a = 0; a < k; a++) beta[a] += step[a];
  }
  return beta;
}

/** Solves `A x = b` by Gaussian elimination with partial pivoting (A is k × k, row-major). */
function solve(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const m = Float64Array.from(a);
  const v = Float64Array.from(b);
  for (let c = 0; c < k; c++) {
    let pivot = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(m[r * k + c]) > Math.abs(m[pivot * k + c])) pivot = r;
    if (pivot !== c) {
      for (let j = 0; j < k; j++) [m[c * k + j], m[pivot * k + j]] = [m[pivot * k + j], m[c * k + j]];
      [v[c], v[pivot]] = [v[pivot], v[c]];
    }
    for (let r = c + 1; r < k; r++) {
      const f = m[r * k + c] / m[c * k + c];
      for (let j = c; j < k; j++) m[r * k + j] -= f * m[c * k + j];
      v[r] -= f * v[c];
    }
  }
  const out = new Float64Array(k);
  for (let r = k - 1; r >= 0; r--) {
    let s = v[r];
    for (let j = r + 1; j < k; j++) s -= m[r * k + j] * out[j];
    out[r] = s / m[r * k + r];
  }
  return out;
}

/** The training set: applications joined with the region table, featurized, labelled by the true model. */
export function trainingSet(rows = 20_000): { x: Float32Array; y: Uint8Array } {
  const rand = seeded(20261203);
  const apps = drawApplications(rand, rows);
  const stats = regionStats(rand);
  const { data } = featurize({ ...apps, region_default_rate: apps.region.map((r) => stats.get(r) ?? null) });
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++)
    y[i] = rand() < trueDefaultProbability(data, i * FEATURE_NAMES.length) ? 1 : 0;
  return { x: data, y };
}

/** Swaps two columns of a row-major matrix (the v2 retraining's bug). */
function swapColumns(x: Float32Array, width: number, a: number, b: number): Float32Array {
  const out = Float32Array.from(x);
  for (let i = 0; i < out.length; i += width) [out[i + a], out[i + b]] = [out[i + b], out[i + a]];
  return out;
}

/** The ONNX bytes of a 2-class logistic regression with the given coefficients `[b, w...]`. */
export function logisticModelBytes(beta: Float64Array, version: number): Uint8Array {
  const width = FEATURE_NAMES.length;
  // Softmax over [0, z] is σ(z): column 0 (repaid) has zero weights, column 1 (default) the fit.
  const weights = new Float32Array(width * 2);
  for (let j = 0; j < width; j++) weights[j * 2 + 1] = beta[j + 1];
  const bias = new Float32Array([0, beta[0]]);
  const floatTensor = (name: string, dims: number[], values: Float32Array): onnx.ITensorProto => ({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  });
  const valueInfo = (name: string, cols: number): onnx.IValueInfoProto => ({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimParam: 'N' }, { dimValue: cols }] },
      },
    },
  });
  const model: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'mlobs-examples',
    producerVersion: '1',
    modelVersion: version,
    docString:
      'Credit risk: probability that a loan defaults (logistic regression on synthetic applications).',
    graph: {
      name: 'credit_risk',
      input: [valueInfo('features', width)],
      output: [valueInfo('probabilities', CLASS_NAMES.length)],
      initializer: [floatTensor('W', [width, 2], weights), floatTensor('B', [2], bias)],
      node: [
        { opType: 'MatMul', input: ['features', 'W'], output: ['logits0'], name: 'matmul' },
        { opType: 'Add', input: ['logits0', 'B'], output: ['logits'], name: 'bias' },
        {
          opType: 'Softmax',
          input: ['logits'],
          output: ['probabilities'],
          name: 'softmax',
          attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
        },
      ],
    },
    // Read by mlobs' onnxruntime-node instrumentation: names for the model, its columns and classes.
    metadataProps: [
      { key: 'mlobs.model.name', value: 'credit-risk' },
      { key: 'mlobs.model.version', value: String(version) },
      { key: 'mlobs.features.features', value: JSON.stringify(FEATURE_NAMES) },
      { key: 'mlobs.classes.probabilities', value: JSON.stringify(CLASS_NAMES) },
    ],
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** Both models by file name. */
export function buildModels(): Map<string, Uint8Array> {
  const width = FEATURE_NAMES.length;
  const { x, y } = trainingSet();
  const v1 = fitLogistic(x, y, width);
  const v2 = fitLogistic(swapColumns(x, width, 1, 2), y, width);
  return new Map([
    ['credit-risk.onnx', logisticModelBytes(v1, 1)],
    ['credit-risk-v2.onnx', logisticModelBytes(v2, 2)],
  ]);
}

function main(): void {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, bytes] of buildModels()) {
    const path = join(MODELS_DIR, file);
    if (check) {
      const same = Buffer.from(bytes).equals(readFileSync(path));
      if (!same) stale++;
      console.log(`${file}: ${same ? 'matches' : 'DIFFERS from'} the generator`);
    } else {
      writeFileSync(path, bytes);
      console.log(`wrote ${path} (${bytes.length} bytes)`);
    }
  }
  if (stale > 0) process.exitCode = 1;
}

if (require.main === module) main();
