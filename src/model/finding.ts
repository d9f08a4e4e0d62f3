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

/** One detector's verdict on one window. */
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
  /** Components involved. */
  components: string[];
  /** Features involved. */
  features: string[];
  /** The findings, newest last, bounded. */
  findings: Finding[];
  /** Number of findings that joined it (may exceed `findings.length`). */
  findingCount: number;
}
