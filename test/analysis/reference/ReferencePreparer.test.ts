import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WindowReport } from '../../../src/analysis/AnalysisListener.js';
import { Analyzer } from '../../../src/analysis/Analyzer.js';
import { createDetectors } from '../../../src/analysis/detectors/index.js';
import { ReferencePreparer } from '../../../src/analysis/reference/ReferencePreparer.js';
import type { Finding } from '../../../src/model/finding.js';
import { componentSpan, normals, rng, withNulls } from '../fixtures.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const STREAMS = 6;

function analyzer(out: { findings: Finding[]; windows: WindowReport[] }) {
  return new Analyzer({
    window: { lengthMs: MIN },
    detectors: createDetectors(),
    listener: { onFinding: (f) => out.findings.push(f), onWindow: (w) => out.windows.push(w) },
  });
}

/** Windows 0..8 of several streams; stream 0's feature x gets 40% nulls from window 7. */
function* spans() {
  const r = rng(3);
  for (let w = 0; w < 9; w++)
    for (let s = 0; s < STREAMS; s++)
      yield componentSpan({
        endMs: T0 + w * MIN + 1000 + s,
        component: `c${s}`,
        features: { x: withNulls(normals(300, r), s === 0 && w >= 7 ? 0.4 : 0), y: normals(300, r, 5) },
      });
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('reference preparation', () => {
  it('builds every waiting reference one stream per turn, before the window that needs it, with the same findings', async () => {
    const inline = { findings: [] as Finding[], windows: [] as WindowReport[] };
    const a = analyzer(inline);
    for (const s of spans()) a.ingest(s);
    a.flush();

    const prepared = { findings: [] as Finding[], windows: [] as WindowReport[] };
    const b = analyzer(prepared);
    const preparer = new ReferencePreparer(
      () => b,
      (err) => assert.fail(String(err)),
    );
    let waitingMax = 0;
    let builtPerTurn = 0;
    for (const s of spans()) {
      b.ingest(s);
      waitingMax = Math.max(waitingMax, b.referencesWaiting);
      preparer.poke();
      if (b.referencesWaiting > 0) {
        const before = b.referencesWaiting;
        await tick();
        builtPerTurn = Math.max(builtPerTurn, before - b.referencesWaiting);
        while (b.referencesWaiting > 0) await tick();
      }
    }
    b.flush();
    assert.equal(waitingMax, STREAMS, 'every stream completed its warm-up at the same watermark');
    assert.equal(builtPerTurn, 1, 'one reference per event-loop turn');
    assert.equal(b.referencesWaiting, 0);
    assert.ok(
      prepared.findings.some((f) => f.feature === 'x'),
      'the null jump is still found',
    );
    assert.deepEqual(
      prepared.findings.map((f) => f.id),
      inline.findings.map((f) => f.id),
    );
    assert.deepEqual(
      prepared.windows.map((w) => [w.stream.component, w.startMs, w.referenceSource]),
      inline.windows.map((w) => [w.stream.component, w.startMs, w.referenceSource]),
    );
  });
});
