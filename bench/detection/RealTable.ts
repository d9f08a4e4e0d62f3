/**
 * A real table shipped inside an npm package (vega-datasets), read from
 * `node_modules/vega-datasets/data` under the working directory; nothing is downloaded.
 * Windows are drawn with replacement, so reference and windows come from one distribution
 * (the table's), which is what "no shift" must mean for a false-alarm rate.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Batch, Dataset } from './dataset.js';
import type { Random } from './Random.js';

/** How to read one real table. */
export interface RealTableSpec {
  /** Short name. */
  name: string;
  /** File under vega-datasets' `data/` (`.json` array of objects, or plain `.csv`). */
  file: string;
  /** Numeric columns, with an optional conversion of the raw cell. */
  numeric: { column: string; parse?: (cell: unknown) => number }[];
  /** Categorical columns. */
  categorical: string[];
  /** Column used for class-prior shift. */
  classColumn: string;
  /** Column hit by single-feature numeric shifts. */
  shiftNumeric: string;
  /** Column whose top category gets renamed. */
  shiftCategorical: string;
  /** Long-tailed categorical column for the new-category faults. */
  longTail?: string;
  /** Rows per reference sample (default: the plan's). */
  referenceRows?: number;
  /** Categorical columns the KS reference method leaves out (not rank-codable). */
  ksExclude?: string[];
  /** What the columns are, for the report (e.g. which are date- or ID-like). */
  note?: string;
}

/** Directory holding the vega-datasets files, relative to the working directory. */
export const VEGA_DATA_DIR = join('node_modules', 'vega-datasets', 'data');

function readRows(file: string, dir: string): Record<string, unknown>[] {
  const path = join(process.cwd(), dir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(
      `detection bench: cannot read ${path} (${(err as Error).message}); run from the repository root after npm install`,
    );
  }
  if (file.endsWith('.json')) {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) throw new Error(`detection bench: ${path} is not a JSON array`);
    return parsed as Record<string, unknown>[];
  }
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = splitCsvLine(lines[0] ?? '');
  return lines.slice(1).map((line) => {
    const cells = splitCsvLine(line);
    const row: Record<string, unknown> = {};
    header.forEach((h, i) => {
      row[h] = cells[i];
    });
    return row;
  });
}

/** One CSV line into cells: commas separate, double quotes enclose a cell ("" is a quote). */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

function toNumber(cell: unknown): number {
  if (cell === null || cell === undefined || cell === '') return Number.NaN;
  const x = typeof cell === 'number' ? cell : Number(cell);
  return Number.isFinite(x) ? x : Number.NaN;
}

/** A real table held in memory as columns. */
export class RealTable implements Dataset {
  readonly name: string;
  readonly description: string;
  readonly numeric: string[];
  readonly categorical: string[];
  readonly classColumn: string;
  readonly shiftNumeric: string;
  readonly shiftCategorical: string;
  readonly longTail: string | undefined;
  readonly referenceRows: number | undefined;
  readonly ksExclude: readonly string[];
  private readonly num: Float64Array[];
  private readonly cat: (string | null)[][];
  private readonly cls: (string | null)[];
  private readonly rows: number;

  /** Reads the table now; throws naming the file when it is missing or malformed. */
  constructor(spec: RealTableSpec, dir = VEGA_DATA_DIR) {
    const rows = readRows(spec.file, dir);
    this.rows = rows.length;
    this.name = spec.name;
    this.description = `vega-datasets ${spec.file}: ${rows.length} rows, ${spec.numeric.length} numeric + ${spec.categorical.length} categorical columns, drawn with replacement${spec.referenceRows ? `; ${spec.referenceRows}-row references` : ''}${spec.note ? `; ${spec.note}` : ''}`;
    this.longTail = spec.longTail;
    this.referenceRows = spec.referenceRows;
    this.ksExclude = spec.ksExclude ?? [];
    this.numeric = spec.numeric.map((c) => c.column);
    this.categorical = [...spec.categorical];
    this.classColumn = spec.classColumn;
    this.shiftNumeric = spec.shiftNumeric;
    this.shiftCategorical = spec.shiftCategorical;
    this.num = spec.numeric.map(({ column, parse }) =>
      Float64Array.from(rows, (r) => (parse ?? toNumber)(r[column])),
    );
    this.cat = spec.categorical.map((c) =>
      rows.map((r) => {
        const v = r[c];
        return v === null || v === undefined || v === '' ? null : String(v);
      }),
    );
    const ci = this.categorical.indexOf(spec.classColumn);
    if (ci < 0)
      throw new Error(`detection bench: ${spec.name}: class column ${spec.classColumn} is not categorical`);
    this.cls = this.cat[ci] as (string | null)[];
    for (const [what, col, list] of [
      ['shiftNumeric', spec.shiftNumeric, this.numeric],
      ['shiftCategorical', spec.shiftCategorical, this.categorical],
      ...(spec.longTail ? [['longTail', spec.longTail, this.categorical] as const] : []),
    ] as const) {
      if (!list.includes(col))
        throw new Error(`detection bench: ${spec.name}: ${what} ${col} is not a column`);
    }
  }

  /** Draws `n` rows with replacement; `accept` may refuse rows by class (at most 1000·n tries). */
  sample(n: number, rng: Random, accept?: (classValue: string | null) => boolean): Batch {
    const idx = new Uint32Array(n);
    let row = 0;
    for (let tries = 0; row < n; tries++) {
      if (tries > 1000 * n) throw new Error(`${this.name}.sample: acceptance too rare (${row}/${n} rows)`);
      const i = rng.index(this.rows);
      if (accept && !accept(this.cls[i] ?? null)) continue;
      idx[row++] = i;
    }
    const numeric: Record<string, Float64Array> = {};
    this.numeric.forEach((name, j) => {
      const src = this.num[j] as Float64Array;
      const out = new Float64Array(n);
      for (let r = 0; r < n; r++) out[r] = src[idx[r] as number] as number;
      numeric[name] = out;
    });
    const categorical: Record<string, (string | null)[]> = {};
    this.categorical.forEach((name, j) => {
      const src = this.cat[j] as (string | null)[];
      const out = new Array<string | null>(n);
      for (let r = 0; r < n; r++) out[r] = src[idx[r] as number] ?? null;
      categorical[name] = out;
    });
    return { n, numeric, categorical };
  }
}

/**
 * The real tables of the study: cars (406 rows), penguins (344), Seattle weather (1461 days),
 * and three with long-tailed, date-like and ID-like columns and references of their own size:
 * movies (3201 rows, 2 000-row references), airports (3376, 2 000) and gapminder (682, 500,
 * smaller than most windows).
 */
export function realTables(dir = VEGA_DATA_DIR): RealTable[] {
  return [
    new RealTable(
      {
        name: 'cars',
        file: 'cars.json',
        numeric: [
          { column: 'Miles_per_Gallon' },
          { column: 'Cylinders' },
          { column: 'Displacement' },
          { column: 'Horsepower' },
          { column: 'Weight_in_lbs' },
          { column: 'Acceleration' },
          { column: 'Year', parse: (c) => (typeof c === 'string' ? Number(c.slice(0, 4)) : Number.NaN) },
        ],
        categorical: ['Origin'],
        classColumn: 'Origin',
        shiftNumeric: 'Weight_in_lbs',
        shiftCategorical: 'Origin',
      },
      dir,
    ),
    new RealTable(
      {
        name: 'penguins',
        file: 'penguins.json',
        numeric: [
          { column: 'Beak Length (mm)' },
          { column: 'Beak Depth (mm)' },
          { column: 'Flipper Length (mm)' },
          { column: 'Body Mass (g)' },
        ],
        categorical: ['Species', 'Island', 'Sex'],
        classColumn: 'Species',
        shiftNumeric: 'Body Mass (g)',
        shiftCategorical: 'Island',
      },
      dir,
    ),
    new RealTable(
      {
        name: 'seattle-weather',
        file: 'seattle-weather.csv',
        numeric: [
          { column: 'precipitation' },
          { column: 'temp_max' },
          { column: 'temp_min' },
          { column: 'wind' },
        ],
        categorical: ['weather'],
        classColumn: 'weather',
        shiftNumeric: 'temp_max',
        shiftCategorical: 'weather',
      },
      dir,
    ),
    new RealTable(
      {
        name: 'movies',
        file: 'movies.json',
        numeric: [
          { column: 'US Gross' },
          { column: 'Worldwide Gross' },
          { column: 'Production Budget' },
          { column: 'Running Time min' },
          { column: 'Rotten Tomatoes Rating' },
          { column: 'IMDB Rating' },
          { column: 'IMDB Votes' },
        ],
        categorical: [
          'MPAA Rating',
          'Distributor',
          'Source',
          'Major Genre',
          'Creative Type',
          'Director',
          'Release Date',
          'Title',
        ],
        classColumn: 'Major Genre',
        shiftNumeric: 'Production Budget',
        shiftCategorical: 'Major Genre',
        longTail: 'Distributor',
        referenceRows: 2000,
        ksExclude: ['Distributor', 'Director', 'Release Date', 'Title'],
        note: 'long-tailed Distributor (175 values) and Director (551), date-like Release Date (1 600 dates such as "Jun 12 1998"), ID-like Title (3 177)',
      },
      dir,
    ),
    new RealTable(
      {
        name: 'airports',
        file: 'airports.csv',
        numeric: [{ column: 'latitude' }, { column: 'longitude' }],
        categorical: ['iata', 'name', 'city', 'state', 'country'],
        classColumn: 'state',
        shiftNumeric: 'latitude',
        shiftCategorical: 'state',
        longTail: 'city',
        referenceRows: 2000,
        ksExclude: ['iata', 'name', 'city'],
        note: 'ID-like iata (every value unique) and name, long-tailed city (2 676 values) and state (66)',
      },
      dir,
    ),
    new RealTable(
      {
        name: 'gapminder',
        file: 'gapminder.json',
        numeric: [{ column: 'year' }, { column: 'pop' }, { column: 'life_expect' }, { column: 'fertility' }],
        categorical: ['country', 'cluster'],
        classColumn: 'cluster',
        shiftNumeric: 'life_expect',
        shiftCategorical: 'country',
        longTail: 'country',
        referenceRows: 500,
        note: 'country (62 values, flat), references of 500 rows: smaller than windows of 1 000 and more',
      },
      dir,
    ),
  ];
}
