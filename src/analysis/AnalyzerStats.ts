/**
 * Counters of the Analyzer and its memory caps. Everything a cap or a bad input drops is
 * counted here, so adapters can export it as self-telemetry and warn once.
 */

/** Memory caps of the Analyzer. */
export interface AnalyzerLimits {
  /** Streams tracked (default 1000); spans of further streams are dropped and counted. */
  maxStreams?: number;
  /** Feature and prediction-output names per stream (default 1000). */
  maxFeaturesPerStream?: number;
  /** Exemplar trace ids per window and finding (default 5). */
  maxExemplars?: number;
  /** `ml.io.outputs` references remembered for input staleness (default 10 000). */
  maxIoReferences?: number;
}

/** Applies defaults; the error names the limit. */
export function resolveLimits(o: AnalyzerLimits = {}): Required<AnalyzerLimits> {
  const r = {
    maxStreams: o.maxStreams ?? 1000,
    maxFeaturesPerStream: o.maxFeaturesPerStream ?? 1000,
    maxExemplars: o.maxExemplars ?? 5,
    maxIoReferences: o.maxIoReferences ?? 10_000,
  };
  for (const [k, v] of Object.entries(r))
    if (!Number.isInteger(v) || v < (k === 'maxExemplars' ? 0 : 1))
      throw new RangeError(`limits.${k}: must be a positive integer, got ${v}`);
  return r;
}

/** What the Analyzer processed and dropped, cumulative. */
export class AnalyzerStats {
  /** Spans ingested. */
  spans = 0;
  /** Streams whose profile did not fit their features (refused when it named no stream). */
  profileMismatches = 0;
  /** Spans without a usable end time (missing, zero or not finite), dropped. */
  invalidSpans = 0;
  /** Spans ending too far in the future (see `futureGuard`), dropped. */
  futureSpans = 0;
  /** Spans that were neither component runs nor carried labels. */
  ignoredSpans = 0;
  /** Spans that arrived after their window closed. */
  lateSpans = 0;
  /** Spans of new streams dropped because `maxStreams` were tracked. */
  droppedStreamSpans = 0;
  /** Summary events that could not be decoded. */
  decodeErrors = 0;
  /** Detector calls that threw. */
  detectorErrors = 0;
  /** Listener calls that threw. */
  listenerErrors = 0;
  /** Incidents whose diagnosis failed (they keep their previous causes). */
  diagnosisErrors = 0;
  /** Windows closed. */
  windowsClosed = 0;
  /** Findings made. */
  findings = 0;
  /** Predictions remembered for the label join. */
  predictionsRemembered = 0;
  /** Labels joined with their prediction. */
  labelsJoined = 0;
  /** Labels whose prediction was unknown, expired or evicted. */
  labelsUnmatched = 0;
  /** Joined labels whose window had already closed. */
  labelsLate = 0;
  /** Predictions expired from the label store (TTL). */
  predictionsExpired = 0;
  /** Feature observations dropped because a stream already tracked `maxFeaturesPerStream` names. */
  droppedFeatureValues = 0;
  /** Summaries whose kind changed within a window and could not be merged (the first kind is kept). */
  kindConflicts = 0;
  /** Label-joined outcomes dropped because a window's outcome buffer was full. */
  droppedOutcomes = 0;
  /** Output references forgotten because `maxIoReferences` were remembered. */
  droppedIoReferences = 0;
  /** The last listener error, for adapters that log it. */
  lastListenerError: { where: string; error: unknown } | undefined;

  /** Counts a listener failure. */
  listenerError(where: string, error: unknown): void {
    this.listenerErrors++;
    this.lastListenerError = { where, error };
  }
}
