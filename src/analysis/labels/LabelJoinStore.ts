/**
 * The delayed-label join: predictions are remembered by `ml.prediction.id` until their label
 * arrives or they expire. Kept small and synchronous so an in-memory map and an embedded
 * SQLite table can both implement it on the hot path.
 */
import type { StreamKey } from '../../model/finding.js';

/** A remembered prediction. */
export interface StoredPrediction {
  /** Stream (model/component) that made the prediction: outcomes are judged there. */
  stream: StreamKey;
  /** Task, when known. */
  task: 'classification' | 'regression' | undefined;
  /** Predicted class (classification), '' when unknown. */
  predictedClass: string;
  /** Score (probability) or regression value; NaN when unknown. */
  score: number;
  /** When the prediction was made (span end), ms since the epoch. */
  atMs: number;
}

/** Bounded store of predictions awaiting labels. */
export interface LabelJoinStore {
  /** Remembers a prediction (a repeated id replaces the older entry). */
  put(id: string, prediction: StoredPrediction): void;
  /** Removes and returns the prediction for an id, if still held. */
  take(id: string): StoredPrediction | undefined;
  /** Drops predictions made before `beforeMs`; returns how many were dropped. */
  expire(beforeMs: number): number;
  /** Predictions held. */
  readonly size: number;
  /** Predictions evicted because the store was full (cumulative). */
  readonly evicted: number;
}
