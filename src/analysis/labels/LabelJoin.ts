/**
 * Joins delayed labels to the predictions they judge. Predictions are remembered (per
 * `ml.prediction.id`) in a bounded store with a time-to-live; when a label arrives, the
 * outcome is added to the predicting stream's window in which the label arrived, since
 * that is when the performance became knowable.
 */
import type { StreamKey } from '../../model/finding.js';
import type { AnalyzerStats } from '../AnalyzerStats.js';
import type { LabelSample, PredictionSample } from '../observation.js';
import type { Pane } from '../windows/Pane.js';
import { InMemoryLabelJoinStore } from './InMemoryLabelJoinStore.js';
import type { LabelJoinStore } from './LabelJoinStore.js';

/** Label-join options. */
export interface LabelOptions {
  /** Where predictions wait (default: in memory, 100 000 entries). */
  store?: LabelJoinStore;
  /** How long a prediction waits for its label, ms (default 7 days). */
  ttlMs?: number;
}

/** The label join of one Analyzer. */
export class LabelJoin {
  private readonly store: LabelJoinStore;
  private readonly ttlMs: number;

  constructor(
    opts: LabelOptions = {},
    private readonly stats: AnalyzerStats,
  ) {
    this.store = opts.store ?? new InMemoryLabelJoinStore();
    this.ttlMs = opts.ttlMs ?? 7 * 24 * 3_600_000;
    if (!(this.ttlMs > 0)) throw new RangeError(`labels.ttlMs: must be > 0, got ${this.ttlMs}`);
  }

  /** Remembers sampled predictions of a stream. */
  remember(stream: StreamKey, samples: readonly PredictionSample[], atMs: number): void {
    for (const p of samples) {
      this.store.put(p.id, {
        stream,
        task: p.task,
        predictedClass: p.predictedClass ?? '',
        score: p.score ?? Number.NaN,
        atMs,
      });
      this.stats.predictionsRemembered++;
    }
  }

  /**
   * Joins labels that arrived at `atMs`; `paneOf` finds the open pane of the predicting
   * stream at that time. A prediction older than the TTL does not join even if the store
   * still holds it (stores expire lazily).
   */
  join(labels: readonly LabelSample[], atMs: number, paneOf: (stream: StreamKey) => Pane | undefined): void {
    for (const l of labels) {
      const p = this.store.take(l.id);
      if (p === undefined) {
        this.stats.labelsUnmatched++;
        continue;
      }
      if (p.atMs < atMs - this.ttlMs) {
        this.stats.predictionsExpired++;
        continue;
      }
      const pane = paneOf(p.stream);
      if (pane === undefined) {
        this.stats.labelsLate++;
        continue;
      }
      const task =
        p.task ??
        (l.labelValue !== undefined && l.labelClass === undefined ? 'regression' : 'classification');
      pane.addOutcome(task, p.predictedClass, p.score, l.labelClass ?? '', l.labelValue ?? Number.NaN);
      this.stats.labelsJoined++;
    }
  }

  /** Drops predictions older than the TTL relative to `nowMs`. */
  expire(nowMs: number): void {
    this.stats.predictionsExpired += this.store.expire(nowMs - this.ttlMs);
  }
}
