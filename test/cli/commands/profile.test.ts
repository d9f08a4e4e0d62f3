import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { WindowReport } from '../../../src/analysis/AnalysisListener.js';
import { createDetectors } from '../../../src/analysis/detectors/index.js';
import { parseProfile } from '../../../src/analysis/profile.js';
import { profileCommand } from '../../../src/cli/commands/profile.js';
import { decodeOver } from '../../../src/collector/config/decode.js';
import { mlProcessorFactory } from '../../../src/collector/processors/ml/factory.js';
import type { MlProcessor } from '../../../src/collector/processors/ml/MlProcessor.js';
import type { Finding } from '../../../src/model/finding.js';
import {
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_PIPELINE_NAME,
  EVENT_ML_FEATURES,
} from '../../../src/semconv/index.js';
import { MlSpanProcessor } from '../../../src/stream/index.js';
import { encodeSummaryEvents, summarize } from '../../../src/summaries/index.js';
import { normals, rng } from '../../analysis/fixtures.js';
import { toTracesData } from '../../collector/processors/ml/pipelineFixture.js';
import { memoryIO as io } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'mlobs-profile-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const PLANS = ['basic', 'plus', 'pro, annual'];

/** Training data: numeric age with empty cells, income with NA/null/NaN, a quoted categorical, a quoted note with line breaks. */
function trainingCsv(rows: number): string {
  const r = rng(3);
  const lines = ['age,plan,income,"note"'];
  const ages = normals(rows, r, 40, 8);
  const incomes = normals(rows, r, 50_000, 8_000);
  for (let i = 0; i < rows; i++) {
    const age = i % 25 === 0 ? '' : ages[i]!.toFixed(1);
    const income = ['NA', 'null', 'NaN'][i % 40] ?? incomes[i]!.toFixed(0);
    const plan = PLANS[Math.floor(r() * 3)]!;
    lines.push(`${age},"${plan}",${income},"line one\r\nsaid ""ok"", then left"`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

let files = 0;
async function profileOf(csv: string, ...extra: string[]) {
  const file = join(dir, `train-${files++}.csv`);
  writeFileSync(file, csv);
  const out = `${file}.profile.json`;
  const cli = io();
  const code = await profileCommand.run([file, '--out', out, '--chunk-rows', '500', ...extra], cli);
  return { code, cli, out, file };
}

/** Live batches like the training data (age shifted by `ageShift`), as feature events. */
function liveSpans(windows: number, ageShift: number) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('t');
  const r = rng(9);
  for (let w = 0; w < windows; w++)
    for (let b = 0; b < 4; b++) {
      const end = T0 + w * MIN + b * 15_000 + 500;
      const span = tracer.startSpan('featurize', {
        startTime: end - 50,
        attributes: { [ATTR_ML_PIPELINE_NAME]: 'churn', [ATTR_ML_COMPONENT_NAME]: 'featurize' },
      });
      const cols = {
        age: normals(250, r, 40 + ageShift, 8),
        plan: Array.from({ length: 250 }, () => PLANS[Math.floor(r() * 3)]!),
        income: normals(250, r, 50_000, 8_000),
      };
      for (const e of encodeSummaryEvents(summarize(cols), EVENT_ML_FEATURES))
        span.addEvent(e.name, e.attributes as Attributes, end - 1);
      span.end(end);
    }
  return exporter.getFinishedSpans();
}

describe('mlobs profile', () => {
  it('profiles an RFC 4180 CSV with mixed types and missing values', async () => {
    const { code, cli, out } = await profileOf(trainingCsv(2000), '--stream', 'pipeline=churn');
    assert.equal(code, 0, cli.err.join(''));
    const p = parseProfile(readFileSync(out, 'utf8'));
    assert.equal(p.rows, 2000);
    assert.deepEqual(p.stream, { pipeline: 'churn' });
    assert.deepEqual(
      [...p.features].map(([n, s]) => [n, s.kind]),
      [
        ['age', 'numeric'],
        ['plan', 'categorical'],
        ['income', 'numeric'],
        ['note', 'categorical'],
      ],
    );
    assert.equal(p.features.get('age')!.nullCount, 80, 'every 25th age is empty');
    assert.equal(p.features.get('income')!.nullCount, 150, 'NA, null and NaN are missing');
    const plan = p.features.get('plan')!;
    assert.ok(plan.kind === 'categorical' && plan.top().some((t) => t.value === 'pro, annual'));
    const note = p.features.get('note')!;
    assert.ok(note.kind === 'categorical' && note.top()[0]?.value === 'line one\r\nsaid "ok", then left');
    assert.equal(p.segments.length, 4);
    assert.equal(
      p.segments.reduce((n, s) => n + s.rows, 0),
      2000,
    );
    assert.match(cli.out.join(''), /profiled 2000 rows/);
    assert.doesNotMatch(cli.err.join(''), /no --stream/);
  });

  it('says how a profile without --stream is bound to streams', async () => {
    const { code, cli } = await profileOf(trainingCsv(100));
    assert.equal(code, 0, cli.err.join(''));
    assert.match(
      cli.err.join(''),
      /no --stream given, so the profile is bound to the streams whose features are mostly among its columns/,
    );
  });

  it('writes a profile the in-process MlSpanProcessor judges from the first window, and flags a shifted feature', async () => {
    const { out } = await profileOf(trainingCsv(2000), '--stream', 'pipeline=churn');
    const profile = parseProfile(readFileSync(out, 'utf8'));
    const run = (ageShift: number) => {
      const reports: WindowReport[] = [];
      const findings: Finding[] = [];
      const p = new MlSpanProcessor({
        window: { lengthMs: MIN },
        detectors: createDetectors({ volume: false, latency: false }),
        reference: { profiles: [profile] },
        meter: null,
        tracer: null,
        listener: { onWindow: (r) => reports.push(r), onFinding: (f) => findings.push(f) },
      });
      for (const s of liveSpans(3, ageShift)) p.onEnd(s);
      p.shutdown();
      return { reports, findings };
    };
    const same = run(0);
    assert.equal(same.reports.length, 3);
    assert.ok(same.reports.every((r) => r.referenceSource === 'profile'));
    assert.deepEqual(
      same.findings.filter((f) => f.detector.endsWith('drift')).map((f) => f.feature),
      [],
      'data like the training data does not drift',
    );
    const shifted = run(12);
    assert.ok(
      shifted.findings.some(
        (f) => f.detector === 'numeric_drift' && f.feature === 'age' && f.windowStartMs === T0,
      ),
    );
    assert.ok(!shifted.findings.some((f) => f.detector === 'numeric_drift' && f.feature === 'income'));
  });

  it('writes a profile the collector ml processor loads from reference.profile', async () => {
    const { out } = await profileOf(trainingCsv(2000), '--stream', 'pipeline=churn');
    const { value: config, problems } = decodeOver(
      mlProcessorFactory.createDefaultConfig(),
      {
        window: '1m',
        lateness: '0s',
        idle_close: '0',
        storage: { type: 'memory' },
        reference: { profile: out },
      },
      'processors::ml',
    );
    assert.deepEqual([...problems, ...mlProcessorFactory.validate(config)], []);
    const sink = {
      consumeTraces: async () => {},
      consumeLogs: async () => {},
      consumeMetrics: async () => {},
    };
    const proc = mlProcessorFactory.createProcessor(
      { id: 'ml', pipeline: 'traces' },
      config,
      'traces',
      sink,
    ) as MlProcessor;
    await proc.start({ reportFatalError: () => {}, telemetry: { add() {} } });
    await proc.consumeTraces(toTracesData(liveSpans(3, 12)));
    const windows = proc.core.stateStore!.windows();
    assert.equal(windows.length, 2, 'two windows closed by the third');
    assert.ok(windows.every((w) => w.referenceSource === 'profile'));
    assert.ok(windows[0]!.findings.some((f) => f.detector === 'numeric_drift' && f.feature === 'age'));
    await proc.shutdown();
  });

  it('profiles JSON lines, with declared kinds and prediction columns', async () => {
    const file = join(dir, 'train.jsonl');
    const lines = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({
        zip: String(10_000 + (i % 7)),
        amount: i % 10 === 0 ? null : i,
        score: (i % 100) / 100,
      }),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    const out = join(dir, 'new', 'folder', 'train.profile.json');
    const cli = io();
    const code = await profileCommand.run(
      [file, '-o', out, '--schema', 'zip:categorical', '-p', 'score'],
      cli,
    );
    assert.equal(code, 0, cli.err.join(''));
    const p = parseProfile(readFileSync(out, 'utf8'));
    assert.deepEqual([...p.features.keys()], ['zip', 'amount']);
    assert.deepEqual([...p.predictions.keys()], ['score']);
    assert.equal(p.features.get('zip')!.kind, 'categorical');
    assert.equal(p.features.get('amount')!.nullCount, 30);
    assert.deepEqual(p.schema.get('zip'), { kind: 'categorical', nullable: false });
  });

  it('stops with the line of a record with the wrong number of fields', async () => {
    const { code, cli } = await profileOf('a,b\r\n1,2\r\n3,4,5\r\n');
    assert.equal(code, 1);
    assert.match(cli.err.join(''), /\.csv:3: malformed CSV: 3 fields, the header has 2/);
  });

  it('stops with the line of an unterminated quote', async () => {
    const { code, cli } = await profileOf('a,b\n1,"2\n3,4\n');
    assert.equal(code, 1);
    assert.match(cli.err.join(''), /\.csv:2: malformed CSV: .*unterminated quote/);
  });

  it('stops with the line of a malformed JSON line', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"a":1}\n{"a":2}\n{"a":\n');
    const cli = io();
    assert.equal(await profileCommand.run([file, '--out', join(dir, 'x.json')], cli), 1);
    assert.match(cli.err.join(''), /bad\.jsonl:3: malformed JSON line/);
  });

  it('refuses a bad schema naming the column, and a schema column the file does not have', async () => {
    const bad = await profileOf('a,b\n1,2\n', '--schema', 'a:numeric,b:colour');
    assert.equal(bad.code, 1);
    assert.match(
      bad.cli.err.join(''),
      /column "b": kind must be one of numeric, categorical, text, vector, got "colour"/,
    );
    const schemaFile = join(dir, 'schema.json');
    writeFileSync(schemaFile, JSON.stringify({ a: 'numeric', c: { kind: 'categorical' } }));
    const missing = await profileOf('a,b\n1,2\n', '--schema', schemaFile);
    assert.equal(missing.code, 1);
    assert.match(missing.cli.err.join(''), /column "c" is not in the header/);
  });

  it('exits 2 on usage errors', async () => {
    const cli = io();
    assert.equal(await profileCommand.run([join(dir, 'x.csv')], cli), 2);
    assert.match(cli.err.join(''), /--out <profile\.json> is required/);
  });
});
