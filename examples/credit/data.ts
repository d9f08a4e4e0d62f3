/**
 * The credit-risk example's data: synthetic loan applications, the region statistics table the
 * nightly ETL job writes, and the featurization shared by training (`train-model.ts`) and serving
 * (`pipeline.ts`), so the model is served exactly the features it was trained on.
 */

/** Deterministic PRNG (mulberry32) so every run and every training shows the same numbers. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller). */
export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Regions an applicant lives in; the ETL job's table has one row per region. */
export const REGIONS = ['north', 'south', 'east', 'west', 'centre'] as const;
/** Employment categories as the application system writes them. */
export const EMPLOYMENT = ['salaried', 'self_employed', 'retired', 'unemployed'] as const;
/** Loan terms offered, in months. */
export const TERMS = [12, 24, 36, 60] as const;
/** The model's input columns, in the order of the `features` tensor. */
export const FEATURE_NAMES = [
  'age_scaled',
  'log_income',
  'installment_ratio',
  'term_years',
  'region_default_rate',
  'self_employed',
  'unemployed',
] as const;
/** The model's classes, in the order of its `probabilities` output. */
export const CLASS_NAMES = ['repaid', 'default'] as const;

/** One batch of applications, by column, as the `load` stage reads it. */
export interface Applications {
  applicant_id: string[];
  age: number[];
  monthly_income: (number | null)[];
  loan_amount: number[];
  term_months: number[];
  employment: string[];
  region: string[];
}

/** Draws `rows` applications. */
export function drawApplications(rand: () => number, rows: number, firstId = 0): Applications {
  const a: Applications = {
    applicant_id: [],
    age: [],
    monthly_income: [],
    loan_amount: [],
    term_months: [],
    employment: [],
    region: [],
  };
  for (let i = 0; i < rows; i++) {
    const age = Math.max(18, Math.min(85, 41 + 12 * gaussian(rand)));
    const u = rand();
    const employment =
      age > 66 && u < 0.8 ? 'retired' : u < 0.7 ? 'salaried' : u < 0.9 ? 'self_employed' : 'unemployed';
    a.applicant_id.push(`A${firstId + i}`);
    a.age.push(Math.round(age));
    a.monthly_income.push(rand() < 0.01 ? null : Math.round(Math.exp(8 + 0.45 * gaussian(rand))));
    a.loan_amount.push(Math.round(Math.exp(9.3 + 0.7 * gaussian(rand)) / 100) * 100);
    a.term_months.push(TERMS[Math.floor(rand() * TERMS.length)]);
    a.employment.push(employment);
    a.region.push(REGIONS[Math.floor(rand() ** 1.3 * REGIONS.length)]);
  }
  return a;
}

/** The ETL job's output: the share of loans that defaulted last year, per region. */
export function regionStats(rand: () => number): Map<string, number> {
  const base = [0.04, 0.09, 0.06, 0.05, 0.03];
  return new Map(REGIONS.map((r, i) => [r, Number((base[i] * (0.95 + 0.1 * rand())).toFixed(4))]));
}

/** The model's input matrix, row-major `rows × FEATURE_NAMES.length`; a missing value becomes NaN. */
export interface FeatureMatrix {
  data: Float32Array;
  rows: number;
}

/** Columns after the join: the applications plus the region's default rate (null when unmatched). */
export interface Joined extends Applications {
  region_default_rate: (number | null)[];
}

/** Featurizes joined applications into the model's input; a missing income or rate imputes the training mean. */
export function featurize(j: Joined): FeatureMatrix {
  const rows = j.age.length;
  const width = FEATURE_NAMES.length;
  const data = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) {
    const income = j.monthly_income[i] ?? 3000;
    const installment = j.loan_amount[i] / j.term_months[i];
    const row = [
      (j.age[i] - 41) / 12,
      Math.log(Math.max(income, 1)),
      installment / Math.max(income, 1),
      j.term_months[i] / 12,
      j.region_default_rate[i] ?? 0.055,
      j.employment[i] === 'self_employed' ? 1 : 0,
      j.employment[i] === 'unemployed' ? 1 : 0,
    ];
    data.set(row, i * width);
  }
  return { data, rows };
}

/** The true default probability behind the synthetic labels (what the model learns). */
export function trueDefaultProbability(x: ArrayLike<number>, offset: number): number {
  const z =
    -3.8 -
    0.25 * x[offset] -
    0.6 * (x[offset + 1] - 8) +
    3.2 * x[offset + 2] +
    0.12 * x[offset + 3] +
    14 * x[offset + 4] +
    0.5 * x[offset + 5] +
    1.4 * x[offset + 6];
  return 1 / (1 + Math.exp(-z));
}
