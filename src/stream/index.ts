/**
 * `mlobs/stream`: the in-process analysis. Register {@link MlSpanProcessor} in a tracer
 * provider to detect ML incidents without running a collector:
 *
 * ```ts
 * import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
 * import { MlSpanProcessor } from 'mlobs/stream';
 *
 * const provider = new NodeTracerProvider({
 *   spanProcessors: [
 *     new MlSpanProcessor({
 *       window: { lengthMs: 5 * 60_000 },          // 5-minute tumbling windows
 *       reference: { mode: 'warmup', windows: 5 },  // or { profiles: [builder.finish()] }
 *       detectors: createDetectors({ numeric_drift: { ksFloor: 0.15 } }),
 *       listener: { onIncident: (change, incident) => console.log(change, incident.title) },
 *     }),
 *     // ...the exporting processor(s)
 *   ],
 * });
 * provider.register();
 * ```
 * Incidents also become `ml.incident` spans through the global tracer, finding counts and
 * statistics metrics through the global meter, and `ml.finding` log records when a logger
 * is given.
 *
 * Reaction policies (`reactions: { policies: [...] }`) act on incidents; the pipeline says
 * what a fallback means with `processor.onReaction('fallback', (r) => use(r.undo ? primary : r.to))`,
 * and every decision and outcome is an `ml.reaction` log record.
 */

export type { AnalysisListener, JudgedCandidate, WindowReport } from '../analysis/AnalysisListener.js';
export { Analyzer, type AnalyzerOptions } from '../analysis/Analyzer.js';
export {
  type CategoricalDriftConfig,
  createDetectors,
  DETECTOR_IDS,
  DETECTOR_SETTINGS,
  type Detector,
  type DetectorsConfig,
  type ErrorRateConfig,
  type LatencyConfig,
  type MissingRateConfig,
  type NumericDriftConfig,
  type PerformanceConfig,
  type PredictionDriftConfig,
  type SchemaConfig,
  type StalenessConfig,
  type VolumeConfig,
} from '../analysis/detectors/index.js';
export { InMemoryLabelJoinStore } from '../analysis/labels/InMemoryLabelJoinStore.js';
export type { LabelJoinStore, StoredPrediction } from '../analysis/labels/LabelJoinStore.js';
export { ProfileBuilder, type ProfileBuilderOptions } from '../analysis/ProfileBuilder.js';
export { type Profile, parseProfile, serializeProfile } from '../analysis/profile.js';
export { ReactionEngine } from '../analysis/reactions/ReactionEngine.js';
export type {
  ReactionActionConfig,
  ReactionPolicyConfig,
  ReactionsOptions,
  ReactionWhen,
} from '../analysis/reactions/ReactionPolicy.js';
export type {
  Reaction,
  ReactionAction,
  ReactionHandler,
  ReactionStatus,
} from '../model/reaction.js';
export { type LogEmitter, OtelOutput, type OtelOutputOptions } from '../signals/OtelOutput.js';
export { fromReadableSpan, type ReadableSpanLike } from './fromReadableSpan.js';
export { MlSpanProcessor, type MlSpanProcessorOptions } from './MlSpanProcessor.js';
export { Reactions } from './Reactions.js';
