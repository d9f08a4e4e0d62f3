/**
 * Replays one case through the real path: generated pipeline runs call the SDK's `component()`
 * (with kind, ml.io inputs/outputs, model) and record features, predictions and delayed labels;
 * the spans end in an OTel `BasicTracerProvider` whose processors are mlobs' `MlSpanProcessor`
 * and a recorder of what the baselines may see. Time is virtual: a warm-up reference, clean
 * windows, then the fault from `FAULT_FROM` on.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createDetectors } from '../../src/analysis/detectors/index.js';
import { encodeGlobal, encodeStream } from '../../src/analysis/store/stateCodec.js';
import type { Finding, Incident } from '../../src/model/finding.js';
import { type ComponentOptions, component, ioLinks } from '../../src/sdk/index.js';
import { ATTR_ML_COMPONENT_NAME, ATTR_ML_IO_INPUTS, ATTR_ML_IO_OUTPUTS } from '../../src/semconv/index.js';
import { MlSpanProcessor } from '../../src/stream/index.js';
import { Random, seedOf } from '../detection/Random.js';
import type { SeenSpan } from './baselines.js';
import { activeAt, chooseFault, corruptFrame, type Fault, type FaultType } from './faults.js';
import { generatePipeline } from './generator.js';
import {
  computeStage,
  drawFrame,
  type Frame,
  type PipelineSpec,
  type StageSpec,
  sampleRows,
} from './pipeline.js';
import { SeededIdGenerator, VirtualClock, VirtualTracer } from './virtualTime.js';

/** Window length of every case (virtual time). */
export const WINDOW_MS = 60_000;
/** Warm-up windows that make the reference (the Analyzer's default). */
export const WARMUP_WINDOWS = 5;
/** First faulty window: one clean window is judged after the warm-up. */
export const FAULT_FROM = 6;
/** Windows per case: six faulty windows, enough for a stale table to age past its limit and open. */
export const WINDOWS = 12;
/**
 * Oldest acceptable shared-table input. Jobs rewrite their table at the start of every window,
 * so a healthy input is under one window old at any window end; a table whose job stopped is
 * over the limit at the end of the first window without a rewrite.
 */
export const MAX_INPUT_AGE_MS = 1.5 * WINDOW_MS;
// In the past on any machine, aligned to windows.
const T0 = Date.UTC(2020, 0, 1);

/** One benchmark case: a pipeline shape and cadence, a fault type, a seed. */
export interface CaseSpec {
  /** `<shape>-<mode>-<fault>-<n>`, for `--only`. */
  id: string;
  /** Seed of everything in the case. */
  seed: number;
  /** DAG layout. */
  shape: PipelineSpec['shape'];
  /** Run cadence. */
  mode: PipelineSpec['mode'];
  /** Fault type. */
  fault: FaultType;
  /** Cap on the pipeline's components (tests use small pipelines). */
  maxComponents?: number;
}

/** What a replayed case produced. */
export interface CaseRun {
  /** The case. */
  spec: CaseSpec;
  /** The generated pipeline. */
  pipeline: PipelineSpec;
  /** The injected fault (its target is the ground truth). */
  fault: Fault;
  /** The incident the fault produced (first opened after the fault's first window, last state), if any. */
  incident: Incident | undefined;
  /** Incidents opened before the fault (false alarms). */
  incidentsBeforeFault: number;
  /** Every finding, in order. */
  findings: Finding[];
  /** ML spans the recorder saw (what baselines may use). */
  seen: SeenSpan[];
  /** Spans that went through `MlSpanProcessor.onEnd`. */
  spans: number;
  /** Time spent in `MlSpanProcessor.onEnd` (and its shutdown flush), µs. */
  processorUs: number;
  /** Process CPU time during those calls, µs (this thread's only when no other thread runs). */
  processorCpuUs: number;
  /** Wall time of the whole replay (generation of data, SDK, processor), µs. */
  totalUs: number;
  /** Bytes of the Analyzer's `snapshot(true)` encoded by the state codec. */
  stateBytes: number;
  /** Streams in that state. */
  streams: number;
  /** The component graph's part of that state (JSON bytes, nodes, edges). */
  topology: { bytes: number; nodes: number; edges: number };
}

let contextReady = false;

/** Registers an AsyncLocalStorage context manager once, so nested `component()` calls nest. */
export function ensureContextManager(): void {
  if (contextReady) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  contextReady = true;
}

/** Records the ML spans baselines may look at. */
class SpanRecorder implements SpanProcessor {
  readonly seen: SeenSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    const component = span.attributes[ATTR_ML_COMPONENT_NAME];
    if (typeof component !== 'string') return;
    const ctx = span.spanContext();
    const list = (k: string) => {
      const v = span.attributes[k];
      return Array.isArray(v) ? v.map(String) : [];
    };
    this.seen.push({
      traceId: ctx.traceId,
      spanId: ctx.spanId,
      parentSpanId: span.parentSpanContext?.spanId ?? '',
      component,
      startMs: span.startTime[0] * 1000 + span.startTime[1] / 1e6,
      endMs: span.endTime[0] * 1000 + span.endTime[1] / 1e6,
      error: span.status.code === 2,
      inputs: list(ATTR_ML_IO_INPUTS),
      outputs: list(ATTR_ML_IO_OUTPUTS),
      links: span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId })),
    });
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Times the processor's hot path: the diagnosis cost is part of `onEnd` and of the flush. */
class TimedProcessor implements SpanProcessor {
  ns = 0n;
  cpuUs = 0;
  spans = 0;
  constructor(readonly inner: MlSpanProcessor) {}
  onStart(span: never, ctx: never): void {
    this.inner.onStart(span, ctx);
  }
  onEnd(span: ReadableSpan): void {
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    this.inner.onEnd(span);
    const d = process.cpuUsage(c);
    this.ns += process.hrtime.bigint() - t;
    this.cpuUs += d.user + d.system;
    this.spans++;
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  async shutdown(): Promise<void> {
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    await this.inner.shutdown();
    const d = process.cpuUsage(c);
    this.ns += process.hrtime.bigint() - t;
    this.cpuUs += d.user + d.system;
  }
}

/** Picks the pipeline and fault of a case (deterministic in the case's seed). */
export function planCase(spec: CaseSpec): { pipeline: PipelineSpec; fault: Fault } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pipeline = generatePipeline(seedOf(spec.seed, 'pipeline', attempt), spec.shape, spec.mode, {
      minJobs: spec.fault === 'stale' ? 1 : 0,
      ...(spec.maxComponents !== undefined ? { maxComponents: spec.maxComponents } : {}),
    });
    const fault = chooseFault(
      pipeline,
      spec.fault,
      FAULT_FROM,
      new Random(seedOf(spec.seed, 'fault', attempt)),
    );
    if (fault) return { pipeline, fault };
  }
  throw new Error(`case ${spec.id}: no pipeline with a place for a ${spec.fault} fault in 20 attempts`);
}

interface RunFrames {
  frames: (Frame | undefined)[];
}

/** Computes a run's frames (clean when `fault` is undefined); `failed` stages and their downstream get none. */
function evaluate(
  p: PipelineSpec,
  tables: readonly Frame[],
  runSeed: number,
  fault: Fault | undefined,
  w: number,
  failed: ReadonlySet<number>,
): RunFrames {
  const rng = new Random(runSeed);
  const corrupt = new Random(seedOf(runSeed, 'corrupt'));
  const n = p.rowsPerRun;
  const frames: (Frame | undefined)[] = [];
  for (let i = 0; i < p.stages.length; i++) {
    const s = p.stages[i] as StageSpec;
    const parents = s.parents.map((q) => frames[q]);
    // Entity look-ups and source draws consume the same numbers whether or not the run is faulty.
    const rows = s.tables.map((t) => sampleRows(tables[t] as Frame, rng.choose(p.jobs[t]!.rows, n)));
    if (failed.has(i) || parents.some((f) => f === undefined)) {
      frames.push(undefined);
      continue;
    }
    const version = s.model
      ? s.model.versions[activeAt(fault, s.name, w) && fault.type === 'model' ? 1 : 0]
      : undefined;
    let frame = computeStage(s, [...(parents as Frame[]), ...rows], version, n, rng);
    if (activeAt(fault, s.name, w)) frame = corruptFrame(fault, frame, corrupt);
    frames.push(frame);
  }
  return { frames };
}

function columns(f: Frame): {
  data: Record<string, unknown[]>;
  schema: Record<string, 'numeric' | 'categorical'>;
} {
  const data: Record<string, unknown[]> = {};
  const schema: Record<string, 'numeric' | 'categorical'> = {};
  for (const [name, c] of f) {
    data[name] = c.values;
    schema[name] = c.type;
  }
  return { data, schema };
}

/** Replays a case through `MlSpanProcessor` and returns what it produced. */
export async function runCase(spec: CaseSpec): Promise<CaseRun> {
  ensureContextManager();
  const started = process.hrtime.bigint();
  const { pipeline: p, fault } = planCase(spec);
  const clock = new VirtualClock(T0);
  const findings: Finding[] = [];
  const last = new Map<string, Incident>();
  const opened: string[] = [];
  const processor = new MlSpanProcessor({
    window: { lengthMs: WINDOW_MS },
    reference: { windows: WARMUP_WINDOWS },
    detectors: createDetectors({ staleness: { maxInputAgeMs: MAX_INPUT_AGE_MS } }),
    // Every finding stays on its incident, so baselines see all the evidence mlobs saw.
    incidents: { maxFindingsPerIncident: 1000 },
    clock: clock.now,
    meter: null,
    tracer: null,
    listener: {
      onFinding: (f) => findings.push(f),
      onIncident: (change, i) => {
        if (change === 'opened') opened.push(i.id);
        last.set(i.id, structuredClone(i));
      },
    },
  });
  const timed = new TimedProcessor(processor);
  const recorder = new SpanRecorder();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': p.service }),
    idGenerator: new SeededIdGenerator(seedOf(spec.seed, 'ids')),
    spanProcessors: [timed, recorder],
  });
  // Scheduled jobs run elsewhere: their own service, their own traces.
  const jobsProvider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `${p.service}-etl` }),
    idGenerator: new SeededIdGenerator(seedOf(spec.seed, 'job-ids')),
    spanProcessors: [timed, recorder],
  });
  const tracer = new VirtualTracer(provider.getTracer('pipeline'), clock);
  const jobTracer = new VirtualTracer(jobsProvider.getTracer('etl'), clock);
  ioLinks.clear();
  const timing = new Random(seedOf(spec.seed, 'timing'));
  const jitter = () => Math.exp(0.15 * timing.normal());
  const tables: Frame[] = p.jobs.map((j, k) =>
    drawFrame(j.stage.generate, j.rows, new Random(seedOf(spec.seed, 'table', k, -1))),
  );
  const served: Frame[] = tables.slice();
  const predictions: { ids: string[]; p: number[] }[][] = [];
  const window = (w: number) => {
    predictions[w] ??= [];
    return predictions[w];
  };

  const runStage = (
    s: StageSpec,
    options: ComponentOptions,
    w: number,
    body: (run: Parameters<Parameters<typeof component>[2]>[0]) => void,
  ) =>
    component(s.name, { kind: s.kind, ...options }, (run) => {
      clock.advance(
        s.baseMs * jitter() * (activeAt(fault, s.name, w) && fault.type === 'latency' ? fault.factor : 1),
      );
      body(run);
    });

  const runJob = (k: number, w: number) => {
    const job = p.jobs[k]!;
    if (activeAt(fault, job.stage.name, w) && fault.type === 'stale') return;
    const rng = new Random(seedOf(spec.seed, 'table', k, w));
    const snapshot = drawFrame(job.stage.generate, job.rows, rng);
    tables[k] = snapshot;
    served[k] = activeAt(fault, job.stage.name, w) ? corruptFrame(fault, snapshot, rng) : snapshot;
    runStage(
      job.stage,
      {
        pipeline: job.pipeline,
        runId: `${job.pipeline}-${w}`,
        outputs: [job.stage.output],
        tracer: jobTracer,
      },
      w,
      (run) => {
        const { data, schema } = columns(served[k]!);
        run.recordFeatures(data, { schema });
      },
    );
  };

  const runLabels = (w: number) => {
    const preds = predictions[w - 1] ?? [];
    const ids: string[] = [];
    const classes: string[] = [];
    const rng = new Random(seedOf(spec.seed, 'labels', w));
    for (const b of preds)
      for (let i = 0; i < b.ids.length; i++) {
        let y = rng.next() < (b.p[i] as number) ? 1 : 0;
        if (activeAt(fault, p.label.name, w) && rng.next() < fault.share) y = 1 - y;
        ids.push(b.ids[i] as string);
        classes.push(String(y));
      }
    if (ids.length === 0) return;
    runStage(
      p.label,
      { pipeline: p.pipeline, runId: `${p.pipeline}-labels-${w}`, inputs: [p.label.external], tracer },
      w,
      (run) => {
        run.recordLabels({ classes }, { ids });
      },
    );
  };

  const runPipeline = (w: number, r: number) => {
    const runId = `${p.pipeline}-${w}-${r}`;
    const runSeed = seedOf(spec.seed, 'run', w, r);
    const failRng = new Random(seedOf(runSeed, 'fail'));
    const failed = new Set<number>();
    p.stages.forEach((s, i) => {
      if (activeAt(fault, s.name, w) && fault.type === 'errors' && failRng.next() < fault.share)
        failed.add(i);
    });
    const clean = evaluate(p, tables, runSeed, undefined, w, failed);
    const faulty = evaluate(p, served, runSeed, fault, w, failed);
    try {
      component(p.root.name, { pipeline: p.pipeline, runId, tracer }, () => {
        clock.advance(p.root.baseMs / 2);
        const broken = new Set<number>();
        p.stages.forEach((s, i) => {
          if (s.parents.some((q) => broken.has(q))) {
            broken.add(i);
            return;
          }
          const inputs = [
            ...(s.external ? [s.external] : []),
            ...(p.mode === 'batch' ? s.parents.map((q) => p.stages[q]!.output) : []),
            ...s.tables.map((t) => p.jobs[t]!.stage.output),
          ];
          const options: ComponentOptions = {
            inputs,
            outputs: s.output ? [s.output] : [],
            tracer,
            ...(s.model
              ? {
                  model: {
                    name: s.model.name,
                    version:
                      s.model.versions[activeAt(fault, s.name, w) && fault.type === 'model' ? 1 : 0].version,
                    framework: 'sklearn',
                  },
                }
              : {}),
          };
          try {
            runStage(s, options, w, (run) => {
              if (failed.has(i)) throw new Error(`run ${runId} failed`);
              const frame = faulty.frames[i]!;
              if (s.model) {
                const m = s.model;
                const { data, schema } = columns(
                  new Map(
                    [...m.from, ...(m.catFrom ? [m.catFrom] : [])].map((c) => [
                      c,
                      s.parents.map((q) => faulty.frames[q]!.get(c)).find((x) => x) ?? {
                        type: 'numeric' as const,
                        values: [],
                      },
                    ]),
                  ),
                );
                run.recordFeatures(data, { schema, batchId: runId });
                const probs = frame.get(m.out)!.values as number[];
                // Each model logs its own prediction ids, so labels join to the model they judge
                // (several models scoring one run would otherwise share `<runId>:<row>`).
                const predictionBatch = `${runId}/${m.name}`;
                run.recordPredictions(
                  { probabilities: probs.map((q) => [1 - q, q]), classNames: ['0', '1'] },
                  { batchId: predictionBatch },
                );
                if (i === p.labelled) {
                  const cleanP = clean.frames[i]!.get(m.out)!.values as number[];
                  window(w).push({ ids: probs.map((_, row) => `${predictionBatch}:${row}`), p: cleanP });
                }
              } else {
                const { data, schema } = columns(frame);
                run.recordFeatures(data, { schema, batchId: runId });
              }
            });
          } catch {
            broken.add(i);
          }
        });
        clock.advance(p.root.baseMs / 2);
        if (broken.size > 0) throw new Error(`run ${runId}: ${broken.size} stages did not complete`);
      });
    } catch {
      // The orchestrator marks the run failed and carries on with the next one.
    }
  };

  for (let w = 0; w < WINDOWS; w++) {
    const ws = T0 + w * WINDOW_MS;
    // One worker runs everything in scheduled order; a late run delays the ones after it.
    const events: { at: number; run: () => void }[] = [];
    p.jobs.forEach((j, k) => {
      events.push({ at: ws + j.offsetMs, run: () => runJob(k, w) });
    });
    if (w >= 1) events.push({ at: ws + 1500, run: () => runLabels(w) });
    for (let r = 0; r < p.runsPerWindow; r++)
      events.push({ at: ws + 3000 + (r * 55_000) / p.runsPerWindow, run: () => runPipeline(w, r) });
    events.sort((a, b) => a.at - b.at);
    for (const e of events) {
      clock.waitUntil(e.at);
      e.run();
    }
  }
  clock.waitUntil(T0 + WINDOWS * WINDOW_MS);
  await provider.shutdown();
  await jobsProvider.shutdown();

  const snapshot = processor.analyzer.snapshot(true);
  let stateBytes = Buffer.byteLength(encodeGlobal(snapshot));
  for (const s of snapshot.streams) stateBytes += Buffer.byteLength(encodeStream(s));
  const topo = snapshot.topology;
  const topology = topo
    ? { bytes: Buffer.byteLength(JSON.stringify(topo)), nodes: topo.nodes.length, edges: topo.edges.length }
    : { bytes: 0, nodes: 0, edges: 0 };
  // An incident opens at the end of the window that opened it: one opened at the fault's start
  // was opened by the last clean window, so the fault's incident opens strictly later.
  const faultStart = T0 + FAULT_FROM * WINDOW_MS;
  const firstId = opened.find((id) => (last.get(id)?.openedAtMs ?? -1) > faultStart);
  return {
    spec,
    pipeline: p,
    fault,
    incident: firstId === undefined ? undefined : last.get(firstId),
    incidentsBeforeFault: opened.filter((id) => (last.get(id)?.openedAtMs ?? 0) <= faultStart).length,
    findings,
    seen: recorder.seen,
    spans: timed.spans,
    processorUs: Number(timed.ns) / 1000,
    processorCpuUs: timed.cpuUs,
    totalUs: Number(process.hrtime.bigint() - started) / 1000,
    stateBytes,
    streams: snapshot.streams.length,
    topology,
  };
}
