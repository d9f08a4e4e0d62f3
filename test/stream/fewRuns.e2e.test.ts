/**
 * Non-data causes end to end, in-process: a batch pipeline recorded with the SDK's `component()`
 * runs each stage once or twice a window through `MlSpanProcessor`. When a middle stage turns
 * 180× slower, or starts throwing in half its runs (the SDK records status ERROR and rethrows,
 * so the pipeline's root span fails too, and the stage records no rows), the stage must have a
 * finding of its own and be among the incident's causes with the matching kind; a slow stage
 * must come first, not the root span that contains it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Finding, Incident } from '../../src/model/finding.js';
import { component } from '../../src/sdk/index.js';
import { MlSpanProcessor } from '../../src/stream/index.js';
import { normals, rng } from '../analysis/fixtures.js';
import { type ManualClock, VirtualTracer } from './virtualTime.js';

const MIN = 60_000;
const T0 = Date.UTC(2020, 0, 1);
const ROWS = 100;

/** What goes wrong in `featurize` from window `from` on. */
type Fault = { kind: 'slow' | 'fail'; from: number };

async function runPipeline(
  tracer: VirtualTracer,
  clock: ManualClock,
  windows: number,
  runs: number,
  fault: Fault,
) {
  const r = rng(3);
  // Log-normal jitter around each stage's usual duration, as batch jobs vary.
  const take = (ms: number) => {
    clock.now += ms * Math.exp(0.2 * (normals(1, r)[0] ?? 0));
  };
  for (let w = 0; w < windows; w++)
    for (let b = 0; b < runs; b++) {
      clock.now = T0 + w * MIN + 5_000 + b * 20_000;
      const faulty = w >= fault.from;
      try {
        await component('batch', { tracer, pipeline: 'nightly', runId: `r${w}-${b}` }, async () => {
          const raw = await component('load', { tracer, kind: 'source' }, (run) => {
            take(5);
            const cols = { amount: normals(ROWS, r, 50, 10) };
            run.recordFeatures(cols);
            return cols;
          });
          const features = await component('featurize', { tracer, kind: 'features' }, (run) => {
            take(faulty && fault.kind === 'slow' ? 900 : 5);
            if (faulty && fault.kind === 'fail' && b === 0) throw new Error('feature store timed out');
            const cols = { log_amount: raw.amount.map((x) => Math.log(Math.max(1, x))) };
            run.recordFeatures(cols);
            return cols;
          });
          await component('predict', { tracer, kind: 'inference' }, (run) => {
            take(5);
            run.recordFeatures(features);
          });
        });
      } catch {
        // The scheduler logs the failed run and tries again next time.
      }
    }
}

async function replay(runs: number, fault: Fault) {
  const incidents: [string, Incident][] = [];
  const findings: Finding[] = [];
  let provider: NodeTracerProvider | undefined;
  const clock: ManualClock = { now: T0 };
  const processor = new MlSpanProcessor({
    window: { lengthMs: MIN },
    meter: null,
    clock: () => clock.now,
    tracer: () => provider!.getTracer('mlobs'),
    listener: {
      onIncident: (c, i) => incidents.push([c, structuredClone(i)]),
      onFinding: (f) => findings.push(f),
    },
  });
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'batch' }),
    spanProcessors: [processor],
  });
  const tracer = new VirtualTracer(provider.getTracer('pipeline'), clock);
  await runPipeline(tracer, clock, 14, runs, fault);
  clock.now += 5 * MIN;
  await provider.forceFlush();
  await provider.shutdown();
  const opened = incidents.filter(([c]) => c === 'opened').map(([, i]) => i);
  const last = opened.length > 0 ? incidents.filter(([, i]) => i.id === opened[0]!.id).at(-1)![1] : undefined;
  return { last, opened, findings };
}

describe('few-run stages through MlSpanProcessor', () => {
  it('names a stage that went from 5 ms to 900 ms, one run a window, as a latency cause', async () => {
    const { last, opened, findings } = await replay(1, { kind: 'slow', from: 8 });
    const own = findings.filter((f) => f.detector === 'latency' && f.stream.component === 'featurize');
    assert.ok(own.length > 0, 'the slow stage has its own latency finding');
    assert.ok(own[0]!.windowStartMs <= T0 + 9 * MIN, 'within 2 windows of the change');
    assert.ok(last !== undefined, 'an incident opened');
    assert.ok(opened[0]!.openedAtMs >= T0 + 8 * MIN, 'nothing before the fault');
    assert.equal(
      last.causes[0]?.component,
      'featurize',
      JSON.stringify(last.causes.map((c) => [c.component, c.kind])),
    );
    assert.equal(last.causes[0]?.kind, 'latency');
  });

  it('finds a stage failing 1 of its 2 runs a window as an errors cause of its own, with the rows it never wrote left to it', async () => {
    const { last, findings } = await replay(2, { kind: 'fail', from: 8 });
    const own = findings.filter((f) => f.detector === 'error_rate' && f.stream.component === 'featurize');
    assert.ok(own.length > 0, 'the failing stage has its own error finding');
    assert.ok(own[0]!.windowStartMs <= T0 + 9 * MIN, 'within 2 windows of the change');
    assert.deepEqual(
      findings
        .filter((f) => f.detector === 'volume' && f.stream.component === 'featurize')
        .map((f) => f.message),
      [],
      'no volume finding on the failing stage',
    );
    // predict ran once instead of twice: its drop is a finding that says where it came from.
    const downstream = findings.filter((f) => f.detector === 'volume' && f.stream.component === 'predict');
    assert.ok(
      downstream.every((f) => f.details.missingRuns === 1),
      JSON.stringify(downstream.map((f) => f.details)),
    );
    assert.ok(last !== undefined, 'an incident opened');
    assert.ok(
      last.causes.some((c) => c.component === 'featurize' && c.kind === 'errors'),
      JSON.stringify(last.causes.map((c) => [c.component, c.kind])),
    );
  });
});
