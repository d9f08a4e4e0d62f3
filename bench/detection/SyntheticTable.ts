/**
 * A seeded synthetic table with correlated numeric and categorical features: five latent
 * normals with correlation 0.6^|i−j| (through a Cholesky factor) are turned into a
 * log-normal, an integer, a normal, a nullable normal and a skewed count, and three
 * categorical columns are cut from the same latents, so every feature is tied to others
 * the way columns of a real table are.
 */
import { cholesky } from './cholesky.js';
import type { Batch, Dataset } from './dataset.js';
import type { Random } from './Random.js';

const LATENTS = 5;
const SEGMENTS = ['bronze', 'silver', 'gold', 'platinum'] as const;
const REGIONS = ['north', 'south', 'east', 'west'] as const;

function cut<T>(x: number, edges: readonly number[], names: readonly T[]): T {
  let i = 0;
  while (i < edges.length && x > (edges[i] as number)) i++;
  return names[i] as T;
}

/** The synthetic table; rows are generated on demand, so any window size is cheap. */
export class SyntheticTable implements Dataset {
  readonly name = 'synthetic';
  readonly description =
    'seeded synthetic: 5 numeric (log-normal income, integer age, normal score, normal balance with 2% nulls, skewed tenure count) + 3 categorical (segment, region, label), latents correlated 0.6^|i-j|';
  readonly numeric = ['income', 'age', 'score', 'balance', 'tenure'] as const;
  readonly categorical = ['segment', 'region', 'label'] as const;
  readonly classColumn = 'label';
  readonly shiftNumeric = 'balance';
  readonly shiftCategorical = 'segment';
  private readonly l: number[][];

  constructor() {
    const corr = Array.from({ length: LATENTS }, (_, i) =>
      Array.from({ length: LATENTS }, (_, j) => 0.6 ** Math.abs(i - j)),
    );
    this.l = cholesky(corr);
  }

  /** Draws `n` fresh rows; `accept` may refuse rows by class (bounded: at most 1000·n tries). */
  sample(n: number, rng: Random, accept?: (classValue: string | null) => boolean): Batch {
    const cols = {
      income: new Float64Array(n),
      age: new Float64Array(n),
      score: new Float64Array(n),
      balance: new Float64Array(n),
      tenure: new Float64Array(n),
    };
    const segment: string[] = new Array(n);
    const region: string[] = new Array(n);
    const label: string[] = new Array(n);
    const e = new Float64Array(LATENTS);
    const z = new Float64Array(LATENTS);
    let row = 0;
    for (let tries = 0; row < n; tries++) {
      if (tries > 1000 * n) throw new Error(`synthetic.sample: acceptance too rare (${row}/${n} rows)`);
      for (let i = 0; i < LATENTS; i++) e[i] = rng.normal();
      for (let i = 0; i < LATENTS; i++) {
        let s = 0;
        const li = this.l[i] as number[];
        for (let k = 0; k <= i; k++) s += (li[k] as number) * (e[k] as number);
        z[i] = s;
      }
      const cls = (z[2] as number) - 0.5 * (z[3] as number) + 0.8 * rng.normal() > 1 ? 'churn' : 'stay';
      if (accept && !accept(cls)) continue;
      cols.income[row] = Math.exp(10 + 0.5 * (z[0] as number));
      cols.age[row] = Math.min(90, Math.max(18, Math.round(40 + 12 * (z[1] as number))));
      cols.score[row] = z[2] as number;
      cols.balance[row] = rng.next() < 0.02 ? Number.NaN : 1000 + 300 * (z[3] as number);
      cols.tenure[row] = Math.round(Math.exp(1.5 + 0.6 * (z[4] as number)));
      segment[row] = cut((z[0] as number) + 0.5 * rng.normal(), [-0.6, 0.4, 1.3], SEGMENTS);
      region[row] = cut((z[1] as number) + rng.normal(), [-0.35, 0.5, 1.3], REGIONS);
      label[row] = cls;
      row++;
    }
    return { n, numeric: cols, categorical: { segment, region, label } };
  }
}
