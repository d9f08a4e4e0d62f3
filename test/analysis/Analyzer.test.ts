import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WindowReport } from '../../src/analysis/AnalysisListener.js';
import { Analyzer } from '../../src/analysis/Analyzer.js';
import type { Candidate, Detector } from '../../src/analysis/detectors/detector.js';
import { createDetectors } from '../../src/analysis/detectors/index.js';
import type { Finding, Incident } from '../../src/model/finding.js';
import { componentSpan, NullRateTestDetector, normals, rng, withNulls } from './fixtures.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);

function collect(a: { windows: WindowReport[]; findings: Finding[]; incidents: [string, Incident][] }) {
  return {
    onWindow: (r: WindowReport) => a.windows.push(r),
    onFinding: (f: Finding) => a.findings.push(f),
    onIncident: (c: string, i: Incident) => a.incidents.push([c, structuredClone(i)]),
  };
}

function sink() {
  return { windows: [] as WindowReport[], findings: [] as Finding[], incidents: [] as [string, Incident][] };
}

describe('Analyzer windows', () => {
  it('closes a tumbling window once a span ends past it, with the runs and rows of that window', () => {
    const out = sink();
    const a = new Analyzer({ window: { lengthMs: MIN }, detectors: [], listener: collect(out) });
    a.ingest(componentSpan({ endMs: T0 + 1000, features: { x: [1, 2, 3] } }));
    a.ingest(componentSpan({ endMs: T0 + 2000, features: { x: [4, 5] } }));
    assert.equal(out.windows.length, 0, 'nothing closes before the watermark passes the window end');
    a.ingest(componentSpan({ endMs: T0 + MIN + 5, features: { x: [6] } }));
    assert.equal(out.windows.length, 1);
    const w = out.windows[0]!;
    assert.equal(w.startMs, T0);
    assert.equal(w.endMs, T0 + MIN);
    assert.equal(w.runs, 2);
    assert.equal(w.rows, 5);
  });

  it('merges a late span within allowed lateness and counts and drops a later one', () => {
    const out = sink();
    const a = new Analyzer({
      window: { lengthMs: MIN, allowedLatenessMs: 10_000 },
      detectors: [],
      listener: collect(out),
    });
    a.ingest(componentSpan({ endMs: T0 + 50_000, features: { x: [1] } }));
    a.ingest(componentSpan({ endMs: T0 + MIN + 5_000, features: { x: [1] } }));
    // 5 s after the window end, within 10 s lateness: joins the first window.
    a.ingest(componentSpan({ endMs: T0 + 59_000, features: { x: [1, 1] } }));
    a.ingest(componentSpan({ endMs: T0 + MIN + 11_000, features: { x: [1] } }));
    assert.equal(out.windows.length, 1);
    assert.equal(out.windows[0]!.runs, 2);
    assert.equal(out.windows[0]!.rows, 3);
    a.ingest(componentSpan({ endMs: T0 + 30_000, features: { x: [1] } }));
    assert.equal(a.stats.lateSpans, 1);
  });

  it('rolls panes into sliding windows without losing or double-counting runs', () => {
    const out = sink();
    const a = new Analyzer({
      window: { lengthMs: 3 * MIN, stepMs: MIN },
      detectors: [],
      listener: collect(out),
    });
    for (let m = 0; m < 6; m++) a.ingest(componentSpan({ endMs: T0 + m * MIN + 1000, features: { x: [m] } }));
    a.flush();
    // Windows start every minute from the first data; each covers three one-minute panes.
    const starts = out.windows.map((w) => (w.startMs - T0) / MIN);
    assert.deepEqual(starts, [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(
      out.windows.map((w) => w.runs),
      [3, 3, 3, 3, 2, 1],
    );
    for (const w of out.windows) assert.equal(w.endMs - w.startMs, 3 * MIN);
  });

  it('flush closes open windows and later spans for them count as late', () => {
    const out = sink();
    const a = new Analyzer({ window: { lengthMs: MIN }, detectors: [], listener: collect(out) });
    a.ingest(componentSpan({ endMs: T0 + 1000 }));
    a.flush();
    assert.equal(out.windows.length, 1);
    a.ingest(componentSpan({ endMs: T0 + 2000 }));
    assert.equal(a.stats.lateSpans, 1);
  });

  it('keeps separate windows per stream (service, pipeline, component, model)', () => {
    const out = sink();
    const a = new Analyzer({ window: { lengthMs: MIN }, detectors: [], listener: collect(out) });
    a.ingest(componentSpan({ endMs: T0 + 1, component: 'a' }));
    a.ingest(componentSpan({ endMs: T0 + 2, component: 'b', model: 'm1' }));
    a.ingest(componentSpan({ endMs: T0 + 3, component: 'b', model: 'm2' }));
    a.flush();
    assert.deepEqual(out.windows.map((w) => `${w.stream.component}/${w.stream.model}`).sort(), [
      'a/',
      'b/m1',
      'b/m2',
    ]);
  });

  it('rejects a step that does not divide the length, naming the option', () => {
    assert.throws(
      () => new Analyzer({ window: { lengthMs: MIN, stepMs: 7_000 }, detectors: [] }),
      /window\.stepMs: must divide lengthMs/,
    );
  });
});

describe('Analyzer detection', () => {
  function feed(a: Analyzer, windows: number, nullShareAt: (w: number) => number, seed = 1) {
    const r = rng(seed);
    for (let w = 0; w < windows; w++)
      for (let b = 0; b < 3; b++)
        a.ingest(
          componentSpan({
            endMs: T0 + w * MIN + b * 10_000 + 1,
            features: { x: withNulls(normals(200, r), nullShareAt(w)), y: normals(200, r) },
          }),
        );
    a.flush();
  }

  it('judges nothing during warm-up and then flags the feature whose null rate jumped', () => {
    const out = sink();
    const a = new Analyzer({
      window: { lengthMs: MIN },
      detectors: [new NullRateTestDetector(0.1)],
      listener: collect(out),
    });
    feed(a, 9, (w) => (w >= 7 ? 0.3 : 0));
    assert.equal(out.windows.length, 9);
    assert.ok(
      out.windows.slice(0, 5).every((w) => w.referenceSource === undefined && w.candidates.length === 0),
    );
    assert.ok(out.windows.slice(5).every((w) => w.referenceSource === 'warmup'));
    assert.deepEqual(
      out.findings.map((f) => [f.feature, (f.windowStartMs - T0) / MIN]),
      [
        ['x', 7],
        ['x', 8],
      ],
    );
    const f = out.findings[0]!;
    assert.equal(f.statistic, 'null_rate');
    assert.ok(Math.abs(f.value - 0.3) < 0.01, `null rate ${f.value}`);
    assert.ok(f.exemplarTraceIds.length > 0 && f.exemplarTraceIds.length <= 5);
    assert.match(f.id, /^[0-9a-f]{16}$/);
    assert.ok(Math.abs((out.windows[7]!.missingRates.get('x') ?? 0) - 0.3) < 0.01);
    // Two windows in a row: k=2 of n=3 opens one incident naming the feature.
    assert.equal(out.incidents.length, 1);
    assert.equal(out.incidents[0]![0], 'opened');
    assert.deepEqual(out.incidents[0]![1].features, ['x']);
  });

  it('gives the same finding the same id when the same data is analysed twice', () => {
    const ids = [1, 2].map(() => {
      const out = sink();
      const a = new Analyzer({
        window: { lengthMs: MIN },
        detectors: [new NullRateTestDetector()],
        listener: collect(out),
      });
      feed(a, 7, (w) => (w === 6 ? 0.5 : 0), 3);
      return out.findings.map((f) => f.id);
    });
    assert.equal(ids[0]!.length, 1);
    assert.deepEqual(ids[0], ids[1]);
  });

  it('applies Benjamini–Hochberg across features: a p-value significant alone is not after correction', () => {
    const features = Array.from({ length: 20 }, (_, i) => `f${i}`);
    const detector: Detector = {
      id: 'fixed_p',
      detect: (_ref, cur): Candidate[] =>
        [...cur.features.keys()].map((feature) => ({
          feature,
          statistic: 'p',
          value: 0,
          threshold: 0,
          // f0 alone has p = 0.01 < 0.05; with 20 tests its BH q-value is 0.2.
          pValue: feature === 'f0' ? 0.01 : 0.9,
          effectSize: 1,
          anomalous: feature === 'f0',
          severity: 'warning',
          referenceCount: 1,
          currentCount: 1,
          message: '',
          details: {},
        })),
    };
    const out = sink();
    const a = new Analyzer({ window: { lengthMs: MIN }, detectors: [detector], listener: collect(out) });
    for (let w = 0; w < 7; w++)
      a.ingest(
        componentSpan({
          endMs: T0 + w * MIN + 1,
          features: Object.fromEntries(features.map((f) => [f, [1]])),
        }),
      );
    a.flush();
    assert.equal(out.findings.length, 0);
    const judged = out.windows[6]!.candidates.find((c) => c.candidate.feature === 'f0')!;
    assert.ok(Math.abs((judged.adjustedPValue ?? 0) - 0.2) < 1e-12);
    assert.equal(judged.anomalous, false);
  });

  it('counts a detector that throws and keeps running the others', () => {
    const out = sink();
    const broken: Detector = {
      id: 'broken',
      detect: () => {
        throw new Error('boom');
      },
    };
    const a = new Analyzer({
      window: { lengthMs: MIN },
      detectors: [broken, new NullRateTestDetector()],
      listener: collect(out),
    });
    feed(a, 7, (w) => (w === 6 ? 0.5 : 0));
    assert.equal(out.findings.length, 1);
    assert.ok(a.stats.detectorErrors >= 2);
  });

  it('caps streams and features and counts what it dropped', () => {
    const out = sink();
    const a = new Analyzer({
      window: { lengthMs: MIN },
      detectors: [],
      listener: collect(out),
      limits: { maxStreams: 2, maxFeaturesPerStream: 2 },
    });
    a.ingest(componentSpan({ endMs: T0 + 1, component: 'a', features: { p: [1], q: [1], r: [1] } }));
    a.ingest(componentSpan({ endMs: T0 + 2, component: 'b' }));
    a.ingest(componentSpan({ endMs: T0 + 3, component: 'c' }));
    a.flush();
    assert.equal(out.windows.length, 2);
    assert.equal(a.stats.droppedStreamSpans, 1);
    const w = out.windows.find((x) => x.stream.component === 'a')!;
    assert.deepEqual([...w.missingRates.keys()], ['p', 'q']);
    assert.equal(a.stats.droppedFeatureValues, 1);
  });

  it('survives a listener that throws and counts it', () => {
    const a = new Analyzer({
      window: { lengthMs: MIN },
      detectors: [],
      listener: {
        onWindow: () => {
          throw new Error('listener bug');
        },
      },
    });
    a.ingest(componentSpan({ endMs: T0 + 1 }));
    a.flush();
    assert.equal(a.stats.listenerErrors, 1);
  });

  it('drops a span without an end time instead of opening a window in 1970', () => {
    const out = sink();
    const a = new Analyzer({ window: { lengthMs: MIN }, detectors: [], listener: collect(out) });
    a.ingest(componentSpan({ endMs: 0 }));
    a.ingest(componentSpan({ endMs: Number.NaN }));
    a.ingest(componentSpan({ endMs: T0 + 1 }));
    a.flush();
    assert.equal(a.stats.invalidSpans, 2);
    assert.deepEqual(
      out.windows.map((w) => w.startMs),
      [T0],
    );
  });

  it('ignores spans that are not component runs', () => {
    const a = new Analyzer({ window: { lengthMs: MIN }, detectors: [] });
    const s = componentSpan({ endMs: T0 + 1 });
    s.attributes = {};
    a.ingest(s);
    assert.equal(a.stats.ignoredSpans, 1);
    assert.equal(a.watermarkMs, Number.NEGATIVE_INFINITY);
  });
});

describe('Analyzer empty windows', () => {
  it('reports windows without runs for a stream that stopped, when asked to', () => {
    const out = sink();
    const a = new Analyzer({
      window: { lengthMs: MIN, emitEmptyWindows: true },
      detectors: [],
      listener: collect(out),
    });
    a.ingest(componentSpan({ endMs: T0 + 1, component: 'stops' }));
    a.ingest(componentSpan({ endMs: T0 + 2, component: 'keeps' }));
    for (let m = 1; m <= 4; m++) a.ingest(componentSpan({ endMs: T0 + m * MIN + 1, component: 'keeps' }));
    const stops = out.windows.filter((w) => w.stream.component === 'stops');
    assert.deepEqual(
      stops.map((w) => [(w.startMs - T0) / MIN, w.runs]),
      [
        [0, 1],
        [1, 0],
        [2, 0],
        [3, 0],
      ],
    );
  });

  it('does not report empty windows by default', () => {
    const out = sink();
    const a = new Analyzer({ window: { lengthMs: MIN }, detectors: [], listener: collect(out) });
    a.ingest(componentSpan({ endMs: T0 + 1, component: 'stops' }));
    for (let m = 0; m <= 4; m++) a.ingest(componentSpan({ endMs: T0 + m * MIN + 1, component: 'keeps' }));
    assert.equal(out.windows.filter((w) => w.stream.component === 'stops').length, 1);
  });

  it('with the default detectors, turns a stopped stream into a volume incident that resolves when data returns', () => {
    const out = sink();
    const a = new Analyzer({
      window: { lengthMs: MIN, emitEmptyWindows: true },
      detectors: createDetectors(),
      listener: collect(out),
    });
    const rows = Array.from({ length: 100 }, (_, i) => i);
    for (let m = 0; m < 20; m++) {
      // etl stops for windows 10-13; another stream keeps time moving.
      if (m < 10 || m >= 14)
        a.ingest(componentSpan({ endMs: T0 + m * MIN + 1, component: 'etl', features: { x: rows } }));
      a.ingest(componentSpan({ endMs: T0 + m * MIN + 2, component: 'clock' }));
    }
    a.flush();
    assert.deepEqual(
      out.findings.map((f) => [f.detector, f.stream.component, (f.windowStartMs - T0) / MIN]),
      [10, 11, 12, 13].map((m) => ['volume', 'etl', m]),
    );
    assert.deepEqual(
      out.incidents.map(([c, i]) => [c, i.components]),
      [
        ['opened', ['etl']],
        ['resolved', ['etl']],
      ],
    );
  });
});

describe('Analyzer flush', () => {
  it('judges windows closed together in time order, so incidents open and resolve as if live', () => {
    const out = sink();
    const a = new Analyzer({
      // With 20 minutes of lateness nothing closes before the flush.
      window: { lengthMs: MIN, allowedLatenessMs: 20 * MIN },
      detectors: [new NullRateTestDetector(0.1)],
      incidents: { resolveAfterWindows: 2 },
      listener: collect(out),
    });
    const clean = Array.from({ length: 50 }, (_, i) => i);
    // Two streams; featurize breaks in windows 6-7 (critical: 60% nulls), then recovers.
    for (let m = 0; m < 14; m++)
      for (const component of ['featurize', 'score'])
        a.ingest(
          componentSpan({
            endMs: T0 + m * MIN + 1,
            component,
            features: {
              x: component === 'featurize' && (m === 6 || m === 7) ? withNulls(clean, 0.6) : clean,
            },
          }),
        );
    assert.equal(out.windows.length, 0);
    a.flush();
    assert.equal(out.windows.length, 28);
    const all = out.incidents.map(([c, i]) => [c, ((i.resolvedAtMs ?? i.openedAtMs) - T0) / MIN]);
    assert.deepEqual(all, [
      ['opened', 7],
      ['resolved', 10],
    ]);
  });
});
