/** The recording SDK: component spans and feature / prediction / label summaries on them. */

export type { Reaction, ReactionAction, ReactionHandler, ReactionStatus } from '../model/reaction.js';
export { activeBatchId, activePipeline, component, ioLinks } from './component.js';
export { ComponentRun } from './component-run.js';
export { DropCounter, sdkDrops } from './drop-counter.js';
export { DEFAULT_IO_LINK_CAPACITY, IoLinkRegistry } from './io-link-registry.js';
export { DEFAULT_JOIN_SAMPLE_SIZE, hashId, sampleJoinRows } from './join-sampler.js';
export { DEFAULT_MAX_SCORE_CLASSES, RecordInputError } from './prediction-columns.js';
export {
  configurePrivacy,
  type FeaturePrivacy,
  keyedHash,
  type PrivacyOptions,
  privacyFromEnv,
  privacySettings,
} from './privacy.js';
export { recordFeatures } from './record-features.js';
export { recordLabels } from './record-labels.js';
export { recordPredictions } from './record-predictions.js';
export { recordLabel, recordPrediction } from './record-request.js';
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
export { type ReactionWatcher, type WatchReactionsOptions, watchReactions } from './watch-reactions.js';
