/**
 * What detection produces: a finding is one detector's verdict on one window of one
 * stream (and one feature, where the detector is per feature). Incidents group findings.
 * These are plain data so they can be stored, exported as log records and compared in tests.
 */

/** How bad a finding is. Mirrors the `ml.finding.severity` enum. */
export type Severity = 'info' | 'warning' | 'critical';

/** Identifies one analysed stream: a component (or model) of a pipeline of a service. */
export interface StreamKey {
  /** `service.name` of the resource that emitted the spans. */
  service: string;
  /** `ml.pipeline.name`, '' when absent. */
  pipeline: string;
  /** `ml.component.name`. */
  component: string;
  /** `ml.model.name`, '' when absent. */
  model: string;
}

/** One statistic that fired in a finding (the decisive one and any other of the same feature and detector). */
export interface FindingStatistic {
  /** Statistic name, e.g. `ks`, `psi`. */
  name: string;
  /** Its value on the current window. */
  value: number;
  /** The threshold it was compared with. */
  threshold: number;
  /** Its p-value after the window's correction, when it has one. */
  pValue?: number;
}

/**
 * One detector's verdict on one feature (or stream) in one window. `statistic`, `value`,
 * `threshold`, `pValue` and `effectSize` are the decisive statistic's; `statistics` lists every
 * statistic that fired, decisive first.
 */
export interface Finding {
  /** Stable id: detector, stream, feature and window start hashed together. */
  id: string;
  /** Detector id, e.g. `numeric_drift`, `missing_rate`. */
  detector: string;
  /** The stream the window belongs to. */
  stream: StreamKey;
  /** Feature (or prediction output) name; '' for stream-level detectors (volume, latency). */
  feature: string;
  /** Name of the statistic, e.g. `ks`, `psi`, `null_rate`, `chi2`. */
  statistic: string;
  /** Observed value of the statistic on the current window. */
  value: number;
  /** The threshold the value was compared with (after sketch-error and calibration adjustments). */
  threshold: number;
  /** p-value when the detector has one (after multiple-testing correction), else undefined. */
  pValue?: number;
  /** Effect size the decision also required (e.g. KS distance, PSI, rate difference). */
  effectSize: number;
  /** How bad it is. */
  severity: Severity;
  /** Window bounds, milliseconds since the epoch (end exclusive). */
  windowStartMs: number;
  /** End of the window, exclusive. */
  windowEndMs: number;
  /** Sample sizes compared. */
  referenceCount: number;
  /** Values in the current window. */
  currentCount: number;
  /** Up to a few trace ids of spans that contributed to the current window. */
  exemplarTraceIds: string[];
  /** `ml.pipeline.run_id` of the runs judged (a bounded few), when they carried one. */
  runIds?: string[];
  /**
   * The reference summary the detector compared, base64 of the summaries' versioned binary form
   * (`deserializeFeatureBase64` reads it); absent for stream-level findings.
   */
  referenceSummary?: string;
  /** The current window's summary the detector compared, in the same form. */
  currentSummary?: string;
  /** Human-readable one-line explanation. */
  message: string;
  /** Detector-specific extras (reference and current summary projections, categories, ...). */
  details: Record<string, unknown>;
  /** Every statistic that fired for this detector and feature in the window, decisive first. */
  statistics?: FindingStatistic[];
}

/** Lifecycle of an incident. */
export type IncidentStatus = 'open' | 'resolved';

/** A group of related findings that is opened, held and resolved as one. */
export interface Incident {
  /** Stable id. */
  id: string;
  /** Open until the quiet period passes without findings. */
  status: IncidentStatus;
  /** One-line summary for people. */
  title: string;
  /** The highest severity among its findings. */
  severity: Severity;
  /** Pipeline the incident belongs to. */
  service: string;
  /** `ml.pipeline.name` of the pipeline, '' when absent. */
  pipeline: string;
  /** When it opened, ms since the epoch. */
  openedAtMs: number;
  /** When it resolved, ms since the epoch; undefined while open. */
  resolvedAtMs?: number;
  /** When a finding last joined it. */
  lastFindingAtMs: number;
  /** Components involved, the most likely root cause first (see `causes`). */
  components: string[];
  /** Features involved. */
  features: string[];
  /** The findings, newest last, bounded. */
  findings: Finding[];
  /** Number of findings that joined it (may exceed `findings.length`). */
  findingCount: number;
  /**
   * Candidate root causes, most likely first, recomputed whenever findings join; empty until
   * the diagnosis has something to say. `components` lists the same components in this order.
   */
  causes: Cause[];
}

/** What kind of thing broke, as the diagnosis names it. Mirrors `ml.incident.root_cause.kind`. */
export type CauseKind =
  | 'data'
  | 'model'
  | 'staleness'
  | 'schedule'
  | 'errors'
  | 'latency'
  | 'volume'
  | 'labels';

/** The evidence behind a {@link Cause}. */
export interface CauseEvidence {
  /** Findings of the blamed component that support it. */
  findingIds: string[];
  /** Features that moved at the blamed component. */
  features: string[];
  /** Traces that contain a run of the blamed component during the anomaly. */
  exemplarTraceIds: string[];
  /** The blamed component's span in each of `exemplarTraceIds` ('' when unknown), for span links. */
  exemplarSpanIds: string[];
  /** Components from the cause to the farthest symptom it explains, cause first. */
  path: string[];
  /** When the cause's anomaly started (start of its first anomalous window), ms since the epoch. */
  onsetMs: number;
  /** Share of the incident's anomalous components this cause explains (itself included), [0, 1]. */
  explains: number;
}

/** One candidate root cause of an incident. */
export interface Cause {
  /** `ml.component.name` of the component blamed. */
  component: string;
  /** Its `service.name`. */
  service: string;
  /** Its `ml.pipeline.name`, '' when absent. */
  pipeline: string;
  /** What kind of thing broke there. */
  kind: CauseKind;
  /** Confidence in [0, 1]; causes are sorted by it, highest first. */
  score: number;
  /** One sentence a person can act on. */
  explanation: string;
  /** Why the diagnosis thinks so. */
  evidence: CauseEvidence;
}
