import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Incident } from '../src/model/finding.js';
import { component } from '../src/sdk/index.js';
import { MlSpanProcessor } from '../src/stream/index.js';
import { normals, rng, withNulls } from '../test/analysis/fixtures.js';
import { type ManualClock, VirtualTracer } from '../test/stream/virtualTime.js';

const MIN = 60_000;
const T0 = Date.UTC(2020, 0, 1);
const ROWS = 200;
const SEGMENTS = ['a', 'b', 'c', 'd'];
type Fault = 'none' | 'load-unit' | 'enrich-null' | 'enrich-remap' | 'featurize-unit' | 'predict-model' | 'stale' | 'featurize-latency' | 'enrich-errors';

async function runAll(tracer: VirtualTracer, clock: ManualClock, windows: number, faultFrom: number, fault: Fault, seed: number) {
  const r = rng(seed);
  const step = async <T>(ms: number, f: () => T): Promise<T> => { const out = f(); clock.now += ms; return out; };
  for (let w = 0; w < windows; w++) {
    const on = w >= faultFrom;
    if (w % 3 === 0 && !(fault === 'stale' && on)) {
      clock.now = T0 + w * MIN + 1000;
      await component('refresh_segments', { tracer, pipeline: 'segments', kind: 'source', outputs: ['table:segments'] }, () => step(2000, () => undefined));
    }
    for (let b = 0; b < 4; b++) {
      clock.now = T0 + w * MIN + 5000 + b * 12_000;
      try {
      await component('scoring', { tracer, pipeline: 'churn', runId: `r${w}-${b}` }, async () => {
        const raw = await component('load', { tracer, kind: 'source', outputs: [`table:customers@${w}.${b}`] }, (run) => step(300, () => {
          const spend = normals(ROWS, r, 50, 10).map((x) => (fault === 'load-unit' && on ? x * 100 : x));
          const cols = { tenure: normals(ROWS, r, 24, 6), spend };
          run.recordFeatures(cols); return cols; }));
        const joined = await component('enrich', { tracer, kind: 'transform', inputs: [`table:customers@${w}.${b}`, 'table:segments'], outputs: [`table:enriched@${w}.${b}`] }, (run) => step(500, () => {
          if (fault === 'enrich-errors' && on && r() < 0.5) throw new Error('join failed');
          let segment = withNulls(Array.from({ length: ROWS }, () => SEGMENTS[Math.floor(r() * 4)]!), fault === 'enrich-null' && on ? 0.4 : 0);
          if (fault === 'enrich-remap' && on) segment = segment.map((s) => (s === null ? null : s.toUpperCase()));
          const cols = { ...raw, segment }; run.recordFeatures(cols); return cols; }));
        const features = await component('featurize', { tracer, kind: 'features', inputs: [`table:enriched@${w}.${b}`], outputs: [`features@${w}.${b}`] }, (run) => step(fault === 'featurize-latency' && on ? 40_000 : 400, () => {
          const risk = joined.segment.map((s) => (s === null ? 0 : Math.max(0, SEGMENTS.indexOf(s.toLowerCase())) / 3));
          const spendRatio = joined.spend.map((x, i) => (x / Math.max(1, joined.tenure[i] ?? 1)) * (fault === 'featurize-unit' && on ? 1000 : 1));
          const cols = { tenure: joined.tenure, spend_ratio: spendRatio, segment_risk: risk }; run.recordFeatures(cols); return cols; }));
        const v = fault === 'predict-model' && on ? '4' : '3';
        await component('predict', { tracer, kind: 'inference', inputs: [`features@${w}.${b}`], model: { name: 'churn', version: v } }, (run) => step(600, () => {
          const p = features.segment_risk.map((x, i) => { const z = (v === '4' ? -3 : 2) * x - 1 + 0.02 * ((features.tenure[i] ?? 24) - 24); const c = 1 / (1 + Math.exp(-z)); return [c, 1 - c]; });
          run.recordFeatures(features); run.recordPredictions({ probabilities: p, classNames: ['churn', 'stay'] }); }));
      });
      } catch {}
    }
  }
}

async function one(fault: Fault, seed: number) {
  const incidents: [string, Incident][] = [];
  let provider: NodeTracerProvider | undefined;
  const clock: ManualClock = { now: T0 };
  const processor = new MlSpanProcessor({ window: { lengthMs: MIN }, meter: null, clock: () => clock.now, tracer: null,
    listener: { onIncident: (c, i) => incidents.push([c, structuredClone(i)]) } });
  provider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'shop' }), spanProcessors: [processor] });
  const tracer = new VirtualTracer(provider.getTracer('p'), clock);
  await runAll(tracer, clock, 16, 8, fault, seed);
  clock.now += 5 * MIN; await provider.forceFlush(); await provider.shutdown();
  const ids = [...new Set(incidents.map(([, i]) => i.id))];
  const out = ids.map((id) => { const last = incidents.filter(([, i]) => i.id === id).at(-1)![1];
    return `${new Date(last.openedAtMs).toISOString().slice(14,16)}m ${last.status} [${last.causes.map((c) => `${c.component}:${c.kind}:${c.score}`).join(' ')}] ${last.causes[0]?.explanation ?? ''}`.slice(0, 260); });
  console.log(`${fault} seed ${seed}: ${out.length} incident(s)\n  ${out.join('\n  ')}`);
}
const faults = (process.argv[2]?.split(',') ?? ['none','load-unit','enrich-null','enrich-remap','featurize-unit','predict-model','stale','featurize-latency','enrich-errors']) as Fault[];
(async () => { for (const f of faults) for (const s of [1, 2]) await one(f, s); })();
