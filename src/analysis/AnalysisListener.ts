/**
 * What the Analyzer tells the outside world. The core only returns data; adapters (the
 * in-process processor, the collector's ml processor) turn it into spans, log records,
 * metrics and alerts.
 */
import type { Finding, Incident, StreamKey } from '../model/finding.js';
import type { Candidate, Reference } from './detectors/detector.js';
import type { IncidentChange } from './incidents/IncidentManager.js';

/** Classes per prediction output reported in {@link WindowReport.predictionShares}; the rest are left out. */
export const MAX_REPORTED_CLASSES = 20;

/** One detector verdict of a window, after multiple-testing correction. */
export interface JudgedCandidate {
  /** Detector id. */
  detector: string;
  /** The detector's candidate as returned (raw p-value). */
  candidate: Candidate;
  /** Benjamini–Hochberg adjusted p-value, when the candidate had a p-value. */
  adjustedPValue: number | undefined;
  /** Final decision: the detector's verdict and, when it had a p-value, BH rejection. */
  anomalous: boolean;
}

/** Everything computed for one closed window, findings or not (for metrics and dashboards). */
export interface WindowReport {
  /** The stream. */
  stream: StreamKey;
  /** Window start, ms since the epoch. */
  startMs: number;
  /** Window end (exclusive). */
  endMs: number;
  /** Component runs in the window. */
  runs: number;
  /** Rows in the window. */
  rows: number;
  /** The reference source, or undefined while the reference is still being gathered. */
  referenceSource: Reference['source'] | undefined;
  /** Every candidate of every detector (empty while there is no reference). */
  candidates: JudgedCandidate[];
  /** Share of null values per feature in the window. */
  missingRates: Map<string, number>;
  /**
   * The prediction mix: per categorical prediction output, the share of each of its most
   * frequent classes (at most {@link MAX_REPORTED_CLASSES}); absent when nothing was predicted.
   */
  predictionShares?: Map<string, Map<string, number>>;
  /** Mean of each numeric prediction output (scores, regression values) in the window. */
  predictionMeans?: Map<string, number>;
  /** The findings stamped from the anomalous candidates. */
  findings: Finding[];
  /** Set once per stream when its profile does not fit its features (refused or kept; see `StreamReference.admit`). */
  referenceWarning?: string;
}

/** Receives the Analyzer's output. Every member is optional; exceptions are caught and counted. */
export interface AnalysisListener {
  /** A window closed and was judged. */
  onWindow?(report: WindowReport): void;
  /** A finding was made (before incident handling). */
  onFinding?(finding: Finding): void;
  /** An incident opened, changed materially, or resolved. */
  onIncident?(change: IncidentChange, incident: Incident): void;
}
