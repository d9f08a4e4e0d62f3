/**
 * The contract between windows/references (which gather data) and detectors (which
 * judge it). A detector is a pure function of a reference and a current window; it never
 * does I/O, keeps no state between calls and returns candidate findings, which the
 * engine corrects for multiple testing, stamps with ids and hands to incidents.
 */
import type { Severity, StreamKey } from '../../model/finding.js';
import type { FeatureSummary, NumericSummary } from '../../summaries/index.js';

/** The declared or learned schema of one feature. */
export interface FeatureSchema {
  /** Summary kind the feature must have. */
  kind: FeatureSummary['kind'];
  /** Whether nulls are expected at all (a null rate above the reference's is judged either way). */
  nullable: boolean;
  /** Allowed numeric range (training range by default), inclusive. */
  min?: number;
  /** Upper end of the allowed range, inclusive. */
  max?: number;
  /** Known categories for categorical features (from the reference's top values). */
  categories?: string[];
}

/** Label-joined outcomes of one window, for performance detectors. */
export interface JoinedOutcomes {
  /** `classification` or `regression`. */
  task: 'classification' | 'regression';
  /** Predicted class per joined prediction (classification). */
  predictedClasses: string[];
  /** Score per joined prediction (probability of the positive class; regression value). */
  scores: number[];
  /** True class per joined prediction (classification). */
  labelClasses: string[];
  /** True value per joined prediction (regression). */
  labelValues: number[];
}

/** Everything gathered for one stream over one window. */
export interface WindowData {
  /** Which stream. */
  stream: StreamKey;
  /** Window start, ms since the epoch, inclusive. */
  startMs: number;
  /** Window end, ms since the epoch, exclusive. */
  endMs: number;
  /** Component runs (spans) that ended in the window. */
  runs: number;
  /** Runs whose span status was ERROR. */
  errorRuns: number;
  /** Durations of the runs in milliseconds, as a mergeable summary. */
  durationMs: NumericSummary | undefined;
  /** Rows summarized (sum of `ml.batch.rows`). */
  rows: number;
  /** Merged feature summaries by feature name. */
  features: Map<string, FeatureSummary>;
  /** Merged prediction-output summaries by output name (`class`, `confidence`, ...). */
  predictions: Map<string, FeatureSummary>;
  /** Label-joined outcomes that became available in this window. */
  outcomes: JoinedOutcomes | undefined;
  /** Latest `ml.model.trained_at` seen, ms since the epoch. */
  modelTrainedAtMs: number | undefined;
  /** Latest time each input reference was last written by an upstream run, ms since the epoch. */
  inputLastWrittenMs: Map<string, number>;
  /** A few trace ids of the runs in the window. */
  exemplarTraceIds: string[];
  /**
   * `ml.pipeline.run_id` of the window's runs, first seen first, at most `MAX_RUN_IDS` (windows/merge.ts);
   * absent when none carried one.
   */
  runIds?: string[];
  /**
   * Usual time between writes of each input reference (the longest recent gap between its
   * upstream writes), ms, when at least two gaps were seen; staleness judges an input against it.
   */
  inputWritePeriodMs?: Map<string, number>;
  /**
   * Run counts and durations of this stream's earlier windows that had runs, newest first and
   * not overlapping this one, so few-run detectors can add up consecutive windows while staying
   * pure. Set by the windows on closing; absent on reference and merged windows.
   */
  previousRuns?: RunWindow[];
}

/** The runs of one closed window, kept for the few-run detectors' consecutive-window evidence. */
export interface RunWindow {
  /** Window start, ms since the epoch. */
  startMs: number;
  /** Window end, ms since the epoch. */
  endMs: number;
  /** Component runs that ended in the window. */
  runs: number;
  /** Runs whose span status was ERROR. */
  errorRuns: number;
  /** Durations of the runs in milliseconds. */
  durationMs: NumericSummary | undefined;
}

/**
 * Every run of the reference windows taken together, so a stream with one run a window can
 * be judged against the reference's own run distribution instead of per-window statistics.
 */
export interface RunProfile {
  /** Runs in the reference windows. */
  runs: number;
  /** Of those, runs whose span status was ERROR. */
  errorRuns: number;
  /** Durations of all reference runs, ms (a mergeable summary). */
  durationMs: NumericSummary | undefined;
  /** Reference windows the runs came from. */
  windows: number;
}

/** Per-statistic spread across reference windows, for NannyML-style calibrated thresholds. */
export interface Calibration {
  /** Mean of the statistic across reference windows. */
  mean: number;
  /** Standard deviation of the statistic across reference windows. */
  sd: number;
  /** Number of reference windows it was computed from. */
  windows: number;
  /**
   * Sampling noise of the calibration comparisons: the mean over reference windows of
   * 1/n + 1/m (the two sides' counts), so a window of another size can rescale the spread.
   * Absent for statistics that carry no counts (run-level ones).
   */
  noise?: number;
}

/** What the current window is compared with. */
export interface Reference {
  /** Where it came from. */
  source: 'profile' | 'warmup' | 'trailing';
  /** Merged feature summaries. */
  features: Map<string, FeatureSummary>;
  /** Merged prediction-output summaries. */
  predictions: Map<string, FeatureSummary>;
  /** Schema per feature (learned from the reference, overridable by the user). */
  schema: Map<string, FeatureSchema>;
  /** Rows per window across the reference windows (for volume), when known. */
  rowsPerWindow?: Calibration;
  /** All reference runs, when the reference came from live windows that had runs. */
  runs?: RunProfile;
  /** Calibration per `detector/feature/statistic` key, when reference windows were kept. */
  calibration: Map<string, Calibration>;
  /** Performance on the reference (e.g. accuracy), when labels were joined there. */
  performance?: Record<string, number>;
}

/** A detector's verdict before the engine stamps it into a {@link Finding}. */
export interface Candidate {
  /** Feature or output name; '' for stream-level detectors. */
  feature: string;
  /** Statistic name. */
  statistic: string;
  /** Observed value. */
  value: number;
  /** Threshold applied. */
  threshold: number;
  /** Raw (uncorrected) p-value when the detector has one; the engine applies Benjamini–Hochberg. */
  pValue?: number;
  /**
   * The test that produced `pValue`, when several statistics of one feature are decided by the
   * same test (KS distance, PSI and Wasserstein by the KS test): such candidates share one
   * p-value and count as one hypothesis in the window's correction. Default: `statistic`.
   */
  test?: string;
  /** Effect size; the decision requires it to exceed the detector's floor. */
  effectSize: number;
  /** Whether the detector judges this an anomaly (before multiple-testing correction). */
  anomalous: boolean;
  /** How bad, if anomalous. */
  severity: Severity;
  /** Values compared on each side. */
  referenceCount: number;
  /** Values in the current window. */
  currentCount: number;
  /** One-line explanation. */
  message: string;
  /** Detector-specific extras. */
  details: Record<string, unknown>;
  /** The two summaries compared, when the candidate is about one feature; findings carry them. */
  compared?: { reference?: FeatureSummary; current?: FeatureSummary };
}

/** One detector: pure, stateless, one file each under `src/analysis/detectors/`. */
export interface Detector {
  /** Stable id used in findings and config (`numeric_drift`). */
  readonly id: string;
  /**
   * Relative share of the window's false-alarm budget per hypothesis of this detector (default
   * 1). The window's correction is a weighted Benjamini–Hochberg (weights normalized to mean 1
   * over the window's hypotheses), so the bound on false findings holds whatever the weights;
   * they only move power between detectors. Data-quality detectors whose breaks are gross
   * (p-values of 10⁻⁶ and below) give budget to the drift detectors, whose shifts are subtle.
   */
  readonly weight?: number;
  /** Judges the current window against the reference. Never throws on odd data. */
  detect(reference: Reference, current: WindowData): Candidate[];
}
