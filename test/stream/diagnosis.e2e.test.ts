/**
 * Diagnosis end to end, in-process: a pipeline recorded with the SDK's `component()` (kinds,
 * `ml.io` inputs and outputs, a scheduled job in its own traces writing a table the pipeline
 * joins) runs through `MlSpanProcessor` in a Node SDK provider. A fault injected in a middle
 * stage must come out as that stage first, and the incident span must link to traces that
 * contain the faulty run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Incident } from '../../src/model/finding.js';
import { component } from '../../src/sdk/index.js';
import {
  ATTR_ML_INCIDENT_ROOT_CAUSE_COMPONENT,
  ATTR_ML_INCIDENT_ROOT_CAUSE_KIND,
  EVENT_ML_INCIDENT,
} from '../../src/semconv/index.js';
import { MlSpanProcessor } from '../../src/stream/index.js';
import { normals, rng, withNulls } from '../analysis/fixtures.js';
import { type ManualClock, VirtualTracer } from './virtualTime.js';

const MIN = 60_000;
const T0 = Date.UTC(2020, 0, 1);
const ROWS = 200;
const SEGMENTS = ['a', 'b', 'c', 'd'];

/** Runs the pipeline `windows` windows long; `enrich` loses its join from window `faultFrom`. */
async function runAll(tracer: VirtualTracer, clock: ManualClock, windows: number, faultFrom: number) {
  const r = rng(5);
  const step = async <T>(ms: number, f: () => T): Promise<T> => {
    const out = f();
    clock.now += ms;
    return out;
  };
  for (let w = 0; w < windows; w++) {
    if (w % 3 === 0) {
      clock.now = T0 + w * MIN + 1000;
      await component(
        'refresh_segments',
        { tracer, pipeline: 'segments', kind: 'source', outputs: ['table:segments'] },
        () => step(2000, () => undefined),
      );
    }
    for (let b = 0; b < 4; b++) {
      clock.now = T0 + w * MIN + 5000 + b * 12_000;
      const broken = w >= faultFrom;
      await component('scoring', { tracer, pipeline: 'churn', runId: `r${w}-${b}` }, async () => {
        const raw = await component(
          'load',
          { tracer, kind: 'source', outputs: [`table:customers@${w}.${b}`] },
          (run) =>
            step(300, () => {
              const cols = { tenure: normals(ROWS, r, 24, 6), spend: normals(ROWS, r, 50, 10) };
              run.recordFeatures(cols);
              return cols;
            }),
        );
        const joined = await component(
          'enrich',
          {
            tracer,
            kind: 'transform',
            inputs: [`table:customers@${w}.${b}`, 'table:segments'],
            outputs: [`table:enriched@${w}.${b}`],
          },
          (run) =>
            step(500, () => {
              const segment = withNulls(
                Array.from({ length: ROWS }, () => SEGMENTS[Math.floor(r() * 4)]!),
                broken ? 0.4 : 0,
              );
              const cols = { ...raw, segment };
              run.recordFeatures(cols);
              return cols;
            }),
        );
        const features = await component(
          'featurize',
          { tracer, kind: 'features', inputs: [`table:enriched@${w}.${b}`], outputs: [`features@${w}.${b}`] },
          (run) =>
            step(400, () => {
              const risk = joined.segment.map((s) => (s === null ? 0 : SEGMENTS.indexOf(s) / 3));
              const cols = { tenure: joined.tenure, spend: joined.spend, segment_risk: risk };
              run.recordFeatures(cols);
              return cols;
            }),
        );
        await component(
          'predict',
          {
            tracer,
            kind: 'inference',
            inputs: [`features@${w}.${b}`],
            model: { name: 'churn', version: '3' },
          },
          (run) =>
            step(600, () => {
              const p = features.segment_risk.map((x, i) => {
                const z = 2 * x - 1 + 0.02 * ((features.tenure[i] ?? 24) - 24);
                const churn = 1 / (1 + Math.exp(-z));
                return [churn, 1 - churn];
              });
              run.recordFeatures(features);
              run.recordPredictions({ probabilities: p, classNames: ['churn', 'stay'] });
            }),
        );
      });
    }
  }
}

describe('diagnosis through MlSpanProcessor', () => {
  it('names the stage a fault started in, and the incident span links to its runs', async () => {
    const exporter = new InMemorySpanExporter();
    const incidents: [string, Incident][] = [];
    let provider: NodeTracerProvider | undefined;
    const clock: ManualClock = { now: T0 };
    const processor = new MlSpanProcessor({
      window: { lengthMs: MIN },
      meter: null,
      clock: () => clock.now,
      tracer: () => provider!.getTracer('mlobs'),
      listener: { onIncident: (c, i) => incidents.push([c, structuredClone(i)]) },
    });
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop' }),
      spanProcessors: [processor, new SimpleSpanProcessor(exporter)],
    });
    const tracer = new VirtualTracer(provider.getTracer('pipeline'), clock);
    await runAll(tracer, clock, 14, 8);
    // Let the wall clock close the last windows, and read the spans before shutdown clears them.
    clock.now += 5 * MIN;
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    await provider.shutdown();

    const opened = incidents.filter(([c]) => c === 'opened').map(([, i]) => i);
    assert.ok(opened.length >= 1, 'an incident opened');
    const last = incidents.filter(([, i]) => i.id === opened[0]!.id).at(-1)![1];
    assert.equal(
      last.causes[0]?.component,
      'enrich',
      JSON.stringify(last.causes.map((c) => [c.component, c.score])),
    );
    assert.equal(last.causes[0]?.kind, 'data');
    assert.equal(last.components[0], 'enrich');
    assert.ok(last.causes[0]!.evidence.features.includes('segment'));
    assert.match(last.causes[0]!.explanation, /^enrich started emitting different data/);
    assert.ok(last.openedAtMs >= T0 + 8 * MIN, 'nothing before the fault');

    const incidentSpans = spans.filter(
      (s) => s.name === EVENT_ML_INCIDENT && s.attributes[ATTR_ML_INCIDENT_ROOT_CAUSE_COMPONENT] === 'enrich',
    );
    assert.ok(incidentSpans.length >= 1, 'the incident span names the root cause');
    assert.equal(incidentSpans[0]!.attributes[ATTR_ML_INCIDENT_ROOT_CAUSE_KIND], 'data');
    const enrichRuns = new Set(
      spans
        .filter((s: ReadableSpan) => s.name === 'enrich')
        .map((s) => `${s.spanContext().traceId}/${s.spanContext().spanId}`),
    );
    const links = incidentSpans[0]!.links.map((l) => `${l.context.traceId}/${l.context.spanId}`);
    assert.ok(links.length >= 1);
    assert.ok(enrichRuns.has(links[0]!), 'the first link leads to a run of the faulty stage');
  });
});
