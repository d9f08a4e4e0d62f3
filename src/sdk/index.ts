/** The recording SDK: component spans and feature / prediction / label summaries on them. */

export type { Reaction, ReactionAction, ReactionHandler, ReactionStatus } from '../model/reaction.js';
export { ComponentRun } from './ComponentRun.js';
export { activeBatchId, activePipeline, component, ioLinks } from './component.js';
export { DropCounter, sdkDrops } from './DropCounter.js';
export { DEFAULT_IO_LINK_CAPACITY, IoLinkRegistry } from './IoLinkRegistry.js';
export { DEFAULT_JOIN_SAMPLE_SIZE, hashId, sampleJoinRows } from './joinSampler.js';
export { DEFAULT_MAX_SCORE_CLASSES, RecordInputError } from './predictionColumns.js';
export {
  configurePrivacy,
  type FeaturePrivacy,
  keyedHash,
  type PrivacyOptions,
  privacyFromEnv,
  privacySettings,
} from './privacy.js';
export { recordFeatures } from './recordFeatures.js';
export { recordLabels } from './recordLabels.js';
export { recordPredictions } from './recordPredictions.js';
export { recordLabel, recordPrediction } from './recordRequest.js';
export type {
  ComponentKind,
  ComponentOptions,
  FeatureOptions,
  IoRef,
  LabelInputs,
  LabelOptions,
  ModelInfo,
  PredictionOptions,
  PredictionOutputs,
  RecordOptions,
  RequestLabel,
  RequestPrediction,
  SpanLike,
  Tensor2D,
  TracerLike,
} from './types.js';
export { MLOBS_VERSION } from './version.js';
export { type ReactionWatcher, type WatchReactionsOptions, watchReactions } from './watchReactions.js';
