/**
 * `mlobs/stream`: the in-process analysis. Register {@link MlSpanProcessor} in a tracer
 * provider to detect ML incidents without running a collector.
 */

export type { AnalysisListener, JudgedCandidate, WindowReport } from '../analysis/AnalysisListener.js';
export { Analyzer, type AnalyzerOptions } from '../analysis/Analyzer.js';
export { InMemoryLabelJoinStore } from '../analysis/labels/InMemoryLabelJoinStore.js';
export type { LabelJoinStore, StoredPrediction } from '../analysis/labels/LabelJoinStore.js';
export { type Profile, parseProfile, serializeProfile } from '../analysis/profile.js';
export { fromReadableSpan, type ReadableSpanLike } from './fromReadableSpan.js';
export { MlSpanProcessor, type MlSpanProcessorOptions } from './MlSpanProcessor.js';
export { type LogEmitter, OtelOutput, type OtelOutputOptions } from './OtelOutput.js';
