/**
 * `mlobs profile <data.csv|data.jsonl> --out profile.json`: summarizes training data into
 * the reference profile the analysis compares live windows with. The file is streamed,
 * so its size is bounded by disk, not memory. Malformed input stops with the file, line
 * and field named and exit code 1; bad options exit 2.
 */
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { serializeProfile } from '../../analysis/profile.js';
import { ErrorCodes, MlobsError } from '../../errors.js';
import type { StreamKey } from '../../model/finding.js';
import type { FeatureSpec } from '../../summaries/index.js';
import type { Command } from '../Command.js';
import { CsvParser } from '../profile/CsvParser.js';
import { ProfileBuilder } from '../profile/ProfileBuilder.js';

const KINDS = ['numeric', 'categorical', 'text', 'vector'];
/** CSV cells that mean "no value", besides the empty cell. */
const MISSING = new Set(['', 'NA', 'null', 'NaN']);
const STREAM_FIELDS = ['service', 'pipeline', 'component', 'model'];

function invalid(message: string): never {
  throw new MlobsError(ErrorCodes.MLOBS_ERR_DATA_INVALID, message);
}

/** `--schema`: a JSON file `{ "age": "numeric", "plan": { "kind": "categorical" } }` or `age:numeric,plan:categorical`. */
export function parseSchemaOption(value: string): Record<string, FeatureSpec> {
  const fromFile = value.endsWith('.json') || existsSync(value);
  let entries: [string, unknown][];
  const where = fromFile ? `schema ${value}` : 'schema';
  if (fromFile) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(value, 'utf8'));
    } catch (err) {
      invalid(`${where}: cannot be read as JSON (${(err as Error).message})`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      invalid(`${where}: must be a JSON object of kinds by column name`);
    entries = Object.entries(parsed);
  } else {
    entries = value.split(',').map((part) => {
      const at = part.lastIndexOf(':');
      if (at <= 0) invalid(`${where}: "${part}" must be written name:kind`);
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()];
    });
  }
  const out: Record<string, FeatureSpec> = {};
  for (const [name, spec] of entries) {
    const kind = typeof spec === 'string' ? spec : (spec as { kind?: unknown } | null)?.kind;
    if (typeof kind !== 'string' || !KINDS.includes(kind))
      invalid(
        `${where}: column "${name}": kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(kind)}`,
      );
    out[name] = spec as FeatureSpec;
  }
  return out;
}

function parseStream(value: string): Partial<StreamKey> {
  const out: Partial<StreamKey> = {};
  for (const part of value.split(',')) {
    const [k, v] = part.split('=', 2).map((s) => s.trim());
    if (!k || v === undefined || !STREAM_FIELDS.includes(k))
      invalid(`--stream: "${part}" must be field=value with field one of ${STREAM_FIELDS.join(', ')}`);
    out[k as keyof StreamKey] = v;
  }
  return out;
}

async function readCsv(
  file: string,
  builder: ProfileBuilder,
  schema: Record<string, FeatureSpec>,
): Promise<void> {
  const parser = new CsvParser(file);
  let header: string[] | undefined;
  const take = (records: ReturnType<CsvParser['push']>) => {
    for (const r of records) {
      if (header === undefined) {
        header = r.fields;
        const seen = new Set<string>();
        r.fields.forEach((name, i) => {
          if (name.trim() === '') invalid(`${file}:${r.line}: header field ${i + 1} is empty`);
          if (seen.has(name)) invalid(`${file}:${r.line}: header names column "${name}" twice`);
          seen.add(name);
        });
        for (const name of Object.keys(schema))
          if (!seen.has(name)) invalid(`schema: column "${name}" is not in the header of ${file}`);
        continue;
      }
      if (r.fields.length !== header.length) {
        if (r.fields.length === 1 && r.fields[0] === '') continue;
        invalid(
          `${file}:${r.line}: malformed CSV: ${r.fields.length} fields, the header has ${header.length}`,
        );
      }
      const row: Record<string, unknown> = {};
      header.forEach((name, i) => {
        const cell = r.fields[i]!;
        row[name] = MISSING.has(cell) ? null : cell;
      });
      builder.add(row);
    }
  };
  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) take(parser.push(chunk as string));
  take(parser.end());
  if (header === undefined) invalid(`${file}: empty file (no header line)`);
}

async function readJsonl(file: string, builder: ProfileBuilder): Promise<void> {
  let rest = '';
  let line = 0;
  const take = (text: string) => {
    line++;
    if (text.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (err) {
      invalid(`${file}:${line}: malformed JSON line (${(err as Error).message})`);
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      invalid(`${file}:${line}: each line must be a JSON object of values by column name`);
    builder.add(v as Record<string, unknown>);
  };
  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) {
    const parts = (rest + (chunk as string)).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) take(p);
  }
  if (rest !== '') take(rest);
}

/** Profiles a CSV or JSON-lines file into a reference profile. */
export const profileCommand: Command = {
  name: 'profile',
  summary: 'summarize training data (CSV or JSON lines) into a reference profile',
  usage: [
    'Usage: mlobs profile <data.csv|data.jsonl> --out <profile.json> [options]',
    '',
    'Streams the file, summarizes it in chunks with mergeable sketches and writes the',
    'profile the ml processor and MlSpanProcessor use as a reference (reference.profile).',
    'CSV follows RFC 4180 with a header line; empty cells and NA, null, NaN are missing.',
    'Column kinds are inferred from the first chunk with values unless declared.',
    '',
    'Options:',
    '  -o, --out <file>          where to write the profile (required)',
    '  -s, --schema <spec>       declared kinds: a JSON file, or name:kind,name:kind',
    '                            (kinds: numeric, categorical, text, vector)',
    '  -p, --predictions <cols>  comma-separated columns that are model outputs',
    '      --stream <k=v,...>    streams the profile applies to (service, pipeline, component, model);',
    '                            without it, each stream with most of its features among the',
    '                            columns (same kinds) uses it, any other its own first windows',
    '      --format <csv|jsonl>  input format (default: from the file extension)',
    '      --chunk-rows <n>      rows per chunk (default 10000)',
    '  -h, --help                show this help',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        out: { type: 'string', short: 'o' },
        schema: { type: 'string', short: 's' },
        predictions: { type: 'string', short: 'p' },
        stream: { type: 'string' },
        format: { type: 'string' },
        'chunk-rows': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    });
    if (values.help) {
      io.stdout(`${this.usage}\n`);
      return 0;
    }
    const usage = (why: string) => {
      io.stderr(`mlobs profile: ${why}\n\n${this.usage}\n`);
      return 2;
    };
    if (positionals.length !== 1) return usage('give exactly one data file');
    if (!values.out) return usage('--out <profile.json> is required');
    const file = positionals[0]!;
    const format = values.format ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : 'jsonl');
    if (format !== 'csv' && format !== 'jsonl')
      return usage(`--format must be csv or jsonl, got "${format}"`);
    const chunkRows = values['chunk-rows'] === undefined ? 10_000 : Number(values['chunk-rows']);
    if (!Number.isInteger(chunkRows) || chunkRows < 1)
      return usage('--chunk-rows must be a positive whole number');
    if (!existsSync(file)) {
      io.stderr(`mlobs profile: no such file: ${file}\n`);
      return 1;
    }
    try {
      const schema = values.schema === undefined ? {} : parseSchemaOption(values.schema);
      const builder = new ProfileBuilder({
        source: basename(file),
        schema,
        predictions: values.predictions
          ?.split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
        stream: values.stream === undefined ? {} : parseStream(values.stream),
        chunkRows,
        cellsAreText: format === 'csv',
      });
      if (format === 'csv') await readCsv(file, builder, schema);
      else await readJsonl(file, builder);
      const profile = builder.finish();
      mkdirSync(dirname(resolve(values.out)), { recursive: true });
      writeFileSync(values.out, serializeProfile(profile));
      const kinds = [...profile.features, ...profile.predictions]
        .map(([n, s]) => `${n}:${s.kind}`)
        .join(', ');
      io.stdout(`profiled ${profile.rows} rows of ${file} (${kinds}) into ${values.out}\n`);
      if (values.stream === undefined)
        io.stderr(
          'mlobs profile: no --stream given, so the profile is bound to the streams whose features are mostly among its columns, none of another kind (the component these columns came from); any other stream is judged against its own first windows. Name the component to bind it (--stream component=NAME).\n',
        );
      return 0;
    } catch (err) {
      if (err instanceof MlobsError) {
        io.stderr(`mlobs profile: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  },
};
