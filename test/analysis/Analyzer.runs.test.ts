/**
 * Non-data causes on batch pipelines, end to end through the Analyzer: a stage that runs once
 * or twice a window becomes slow or starts failing, and the finding must name that stage
 * (not only the root span whose duration and status contain it), while clean few-run windows
 * with realistic jitter stay within the false-alarm budget.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Analyzer } from '../../src/analysis/Analyzer.js';
import { createDetectors } from '../../src/analysis/detectors/index.js';
import type { Finding } from '../../src/model/finding.js';
import type { SpanRecord } from '../../src/model/spanRecord.js';
import { ATTR_ML_BATCH_ROWS, ATTR_ML_IO_INPUTS, ATTR_ML_IO_OUTPUTS } from '../../src/semconv/index.js';
import { componentSpan, hexId, normals, rng } from './fixtures.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const STAGES = ['extract', 'featurize', 'predict'] as const;
type Stage = (typeof STAGES)[number];

/** How one pipeline run goes; every field has a clean default. */
interface RunPlan {
  /** Duration of a stage in ms, before jitter. */
  medianMs?: Partial<Record<Stage, number>>;
  /** The stage that throws (the run stops there; its parent fails with the rethrown error). */
  failAt?: Stage;
}

/**
 * One pipeline run as a trace: a root `pipeline` span around extract → featurize → predict,
 * durations log-normal (sd 0.25) with a 3× outlier in 2% of stage runs, as batch jobs jitter.
 * A stage that throws records no rows and ends with status ERROR, and so does the root.
 */
function pipelineRun(endMs: number, next: () => number, plan: RunPlan = {}): SpanRecord[] {
  const traceId = hexId(32);
  const spans: SpanRecord[] = [];
  let t = endMs - 2_000;
  const startMs = t;
  let failed = false;
  for (const stage of STAGES) {
    if (failed) break;
    const median = plan.medianMs?.[stage] ?? 5;
    const jitter = Math.exp(normals(1, next, 0, 0.25)[0]!) * (next() < 0.02 ? 3 : 1);
    const duration = median * jitter;
    failed = plan.failAt === stage;
    const rows = 200 + Math.floor(next() * 5);
    const span = componentSpan({
      endMs: t + duration,
      durationMs: duration,
      component: stage,
      traceId,
      error: failed,
      ...(failed
        ? {}
        : {
            features: { [`${stage}_x`]: normals(rows, next, 10, 2) },
            attributes: { [ATTR_ML_BATCH_ROWS]: rows },
          }),
    });
    spans.push(span);
    t += duration;
  }
  const root = componentSpan({
    endMs: t + 1,
    durationMs: t + 1 - startMs,
    component: 'pipeline',
    traceId,
    error: failed,
  });
  return [...spans, root];
}

/** Runs `windows` one-minute windows of `runsPerWindow` pipeline runs; returns every finding. */
function replay(
  windows: number,
  runsPerWindow: number,
  seed: number,
  plan: (window: number, run: number, next: () => number) => RunPlan,
): Finding[] {
  const findings: Finding[] = [];
  const a = new Analyzer({
    window: { lengthMs: MIN },
    detectors: createDetectors(),
    listener: { onFinding: (f) => findings.push(f) },
  });
  const next = rng(seed);
  for (let w = 0; w < windows; w++)
    for (let r = 0; r < runsPerWindow; r++) {
      const end = T0 + w * MIN + ((r + 1) * MIN) / (runsPerWindow + 1);
      for (const s of pipelineRun(end, next, plan(w, r, next))) a.ingest(s);
    }
  a.flush();
  return findings;
}

const windowOf = (f: Finding): number => (f.windowStartMs - T0) / MIN;
const about = (findings: Finding[], detector: string, component: string): Finding[] =>
  findings.filter((f) => f.detector === detector && f.stream.component === component);

describe('Analyzer on few-run batch stages', () => {
  it('finds a stage that went from 5 ms to 900 ms, one run a window, within 2 windows and not before', () => {
    const change = 10;
    const findings = replay(14, 1, 7, (w) => (w >= change ? { medianMs: { featurize: 900 } } : {}));
    const slow = about(findings, 'latency', 'featurize');
    assert.ok(slow.length > 0, 'the slow stage has a latency finding of its own');
    assert.ok(
      slow.every((f) => windowOf(f) >= change),
      `nothing before the change: ${slow.map(windowOf)}`,
    );
    assert.ok(windowOf(slow[0]!) <= change + 1, `found at window ${windowOf(slow[0]!)}`);
    assert.equal(slow[0]!.statistic, 'slowest_run');
    assert.ok(slow[0]!.effectSize > 50, `ratio to the reference p95: ${slow[0]!.effectSize}`);
    assert.ok(slow[0]!.exemplarTraceIds.length > 0);
    assert.deepEqual(about(findings, 'latency', 'extract'), [], 'the stage before it is not blamed');
    assert.deepEqual(about(findings, 'latency', 'predict'), [], 'the stage after it is not blamed');
  });

  it('finds a stage failing 1 of its 2 runs a window, as that stage, without a volume finding there', () => {
    const change = 8;
    const findings = replay(13, 2, 11, (w, r) => (w >= change && r === 0 ? { failAt: 'featurize' } : {}));
    const failing = about(findings, 'error_rate', 'featurize');
    assert.ok(failing.length > 0, 'the failing stage has an error finding of its own');
    assert.ok(
      failing.every((f) => windowOf(f) >= change),
      `nothing before the change: ${failing.map(windowOf)}`,
    );
    assert.ok(windowOf(failing[0]!) <= change + 1, `found at window ${windowOf(failing[0]!)}`);
    assert.equal(failing[0]!.statistic, 'failed_runs');
    assert.match(failing[0]!.message, /1 of 2 runs failed/);
    assert.deepEqual(
      about(findings, 'volume', 'featurize').map(windowOf),
      [],
      'the rows the failed runs never wrote are not reported as a volume drop of the failing stage',
    );
  });

  it('keeps clean few-run stages within the 1% false-alarm budget over 200 windows', () => {
    // Realistic jitter (log-normal, 2% of runs 3× slower) and 1% of extract runs failing now and then.
    let stageWindows = 0;
    let alarmed = 0;
    for (const [seed, runs] of [
      [101, 1],
      [202, 2],
      [303, 3],
    ] as const) {
      const findings = replay(200, runs, seed, (_w, _r, next) =>
        next() < 0.01 ? { failAt: 'extract' } : {},
      );
      const windowsWithAlarm = new Set(
        findings
          .filter((f) => f.detector === 'latency' || f.detector === 'error_rate')
          .map((f) => `${f.stream.component}@${f.windowStartMs}`),
      );
      // Four streams (three stages and the root), judged after the 5 warm-up windows.
      stageWindows += 4 * (200 - 5);
      alarmed += windowsWithAlarm.size;
    }
    assert.ok(alarmed / stageWindows <= 0.01, `${alarmed} of ${stageWindows} stage windows alarmed`);
  });
});

describe('Analyzer on a reader whose input stopped being rewritten', () => {
  it('reports the stale table at the reader within 2 windows of the writer missing its hourly write', () => {
    const step = 5 * MIN;
    const hour = 60 * MIN;
    const findings: Finding[] = [];
    const a = new Analyzer({
      window: { lengthMs: step },
      detectors: createDetectors(),
      listener: { onFinding: (f) => findings.push(f) },
    });
    const lastWrite = T0 + 3 * hour + 30_000;
    for (let t = T0; t < T0 + 6 * hour; t += MIN) {
      // The nightly-style ETL job writes the table on the hour, in a trace of its own, and stops after 03:00.
      if ((t - T0) % hour === 0 && t + 30_000 <= lastWrite)
        a.ingest(
          componentSpan({
            endMs: t + 30_000,
            component: 'etl',
            attributes: { [ATTR_ML_IO_OUTPUTS]: ['table:features'] },
          }),
        );
      a.ingest(
        componentSpan({
          endMs: t + 45_000,
          component: 'predict',
          features: { x: [1, 2, 3] },
          attributes: { [ATTR_ML_IO_INPUTS]: ['table:features'] },
        }),
      );
    }
    a.flush();
    const stale = findings.filter((f) => f.detector === 'staleness' && f.stream.component === 'predict');
    assert.ok(stale.length > 0, 'the reader has a staleness finding');
    const first = stale[0]!;
    const overdueAt = lastWrite + hour;
    assert.ok(first.windowEndMs > overdueAt, 'nothing while the hourly write is not yet overdue');
    assert.ok(
      first.windowEndMs <= overdueAt + 2 * step,
      `found ${(first.windowEndMs - overdueAt) / MIN} min after the write was due`,
    );
    assert.equal(first.feature, 'table:features');
    assert.equal(first.details.input, 'table:features');
    assert.equal(first.details.lastWrittenMs, lastWrite);
    assert.equal(first.details.writePeriodMs, hour);
    assert.match(first.message, /last at 2026-01-01T03:00:30\.000Z/);
  });
});
