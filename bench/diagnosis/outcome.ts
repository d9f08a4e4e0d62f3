/**
 * Turns a replayed case into its outcome: the ranking of mlobs and of every baseline on the
 * same incident, scored against the ground truth, plus what the failure report needs.
 * Outcomes are plain data so worker threads can send them back.
 */
import type { Cause } from '../../src/model/finding.js';
import {
  anomalousComponents,
  incidentComponentsOrder,
  mlobsRanking,
  mltraceFrequency,
  mostAnomalous,
  mostUpstream,
  type Ranking,
  randomAnomalous,
} from './baselines.js';
import { type CaseScore, MISS, scoreRanking } from './metrics.js';
import type { CaseRun, CaseSpec } from './simulate.js';

/** Methods in report order; the last is the pre-diagnosis incident order, shown for reference. */
export const METHODS = [
  'mlobs',
  'random',
  'most-anomalous',
  'most-upstream',
  'mltrace',
  'components-order',
] as const;
/** One ranking method. */
export type Method = (typeof METHODS)[number];
/** The baselines the goal compares mlobs with. */
export const BASELINES: readonly Method[] = ['random', 'most-anomalous', 'most-upstream', 'mltrace'];

/** mlobs' top cause as the incident states it. */
export interface TopCause {
  /** Component blamed. */
  component: string;
  /** Kind of cause. */
  kind: string;
  /** Score in [0, 1]. */
  score: number;
  /** The sentence for people. */
  explanation: string;
  /** Path from cause to symptom. */
  path: string[];
  /** Features that moved at the cause. */
  features: string[];
  /** Share of the incident's anomalous components it explains. */
  explains: number;
}

function topCause(c: Cause): TopCause {
  return {
    component: c.component,
    kind: c.kind,
    score: c.score,
    explanation: c.explanation,
    path: c.evidence.path,
    features: c.evidence.features,
    explains: c.evidence.explains,
  };
}

/** The scored result of one case. */
export interface CaseOutcome {
  /** The case. */
  spec: CaseSpec;
  /** Ground truth. */
  truth: string;
  /** Components in the pipeline (root, stages, jobs, label recorder). */
  components: number;
  /** Whether an incident opened at or after the fault. */
  detected: boolean;
  /** Incidents opened before the fault (false alarms). */
  falseAlarms: number;
  /** Score per method (all misses when nothing was detected). */
  scores: Record<Method, CaseScore>;
  /** Rankings per method (tie groups), for the failure report. */
  rankings: Record<Method, Ranking>;
  /** mlobs' first cause, when diagnosis produced one. */
  top?: TopCause;
  /** 1-based rank of the truth among mlobs' causes, 0 when absent. */
  truthRank: number;
  /** mlobs' cause for the truth, when it ranked it at all. */
  truthCause?: TopCause;
  /** Components with findings in the incident, and their detectors. */
  anomalous: { component: string; detectors: string[] }[];
  /** Spans through the processor. */
  spans: number;
  /** µs in `MlSpanProcessor`. */
  processorUs: number;
  /** Process CPU µs during those calls. */
  processorCpuUs: number;
  /** µs for the whole replay. */
  totalUs: number;
  /** Encoded state bytes. */
  stateBytes: number;
  /** Streams in the state. */
  streams: number;
  /** The component graph's share of the state. */
  topology: { bytes: number; nodes: number; edges: number };
}

/** Scores a replayed case for every method. */
export function scoreCase(run: CaseRun): CaseOutcome {
  const truth = run.fault.target;
  const inc = run.incident;
  const empty = {} as Record<Method, Ranking>;
  for (const m of METHODS) empty[m] = [];
  const rankings: Record<Method, Ranking> = inc
    ? {
        mlobs: mlobsRanking(inc),
        random: randomAnomalous(inc),
        'most-anomalous': mostAnomalous(inc),
        'most-upstream': mostUpstream(inc, run.seen),
        mltrace: mltraceFrequency(inc, run.seen),
        'components-order': incidentComponentsOrder(inc),
      }
    : empty;
  const scores = {} as Record<Method, CaseScore>;
  for (const m of METHODS)
    scores[m] = inc ? scoreRanking(rankings[m], truth) : { ...MISS, ac: [...MISS.ac] as CaseScore['ac'] };
  const causes = inc?.causes ?? [];
  const first = causes[0];
  const truthCause = causes.find((c) => c.component === truth);
  const anomalous = inc
    ? anomalousComponents(inc).map((component) => ({
        component,
        detectors: [
          ...new Set(inc.findings.filter((f) => f.stream.component === component).map((f) => f.detector)),
        ],
      }))
    : [];
  return {
    spec: run.spec,
    truth,
    components: 2 + run.pipeline.stages.length + run.pipeline.jobs.length,
    detected: inc !== undefined,
    falseAlarms: run.incidentsBeforeFault,
    scores,
    rankings,
    ...(first ? { top: topCause(first) } : {}),
    ...(truthCause ? { truthCause: topCause(truthCause) } : {}),
    truthRank: causes.findIndex((c) => c.component === truth) + 1,
    anomalous,
    spans: run.spans,
    processorUs: run.processorUs,
    processorCpuUs: run.processorCpuUs,
    totalUs: run.totalUs,
    stateBytes: run.stateBytes,
    streams: run.streams,
    topology: run.topology,
  };
}
