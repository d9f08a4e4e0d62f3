/**
 * Builds waiting references off the hot path: one stream's per event-loop turn
 * (`setImmediate`), so an application's spans and a collector's requests get a turn between
 * two builds. Without it, the window that first needs a stream's reference builds it inside
 * the processing of whichever span closed the window, and every stream's first judged window
 * closes at the same watermark: all references in one go (hundreds of milliseconds).
 */
import type { Analyzer } from '../Analyzer.js';

/** Schedules {@link Analyzer.prepareReference} until nothing waits. */
export class ReferencePreparer {
  private scheduled = false;
  private stopped = false;

  constructor(
    /** The analyzer to prepare for, asked each time (a durable one may be rebuilt). */
    private readonly analyzer: () => Analyzer | undefined,
    /** Called with what a build threw; the preparation stops until the next `poke`. */
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Schedules preparation when a reference waits; cheap enough to call after every batch or span. */
  poke(): void {
    if (this.scheduled || this.stopped) return;
    if ((this.analyzer()?.referencesWaiting ?? 0) === 0) return;
    this.scheduled = true;
    setImmediate(() => this.step()).unref();
  }

  /** Stops scheduling (shutdown); a build already scheduled does nothing. */
  stop(): void {
    this.stopped = true;
  }

  private step(): void {
    this.scheduled = false;
    if (this.stopped) return;
    try {
      this.analyzer()?.prepareReference();
    } catch (err) {
      this.onError(err);
      return;
    }
    this.poke();
  }
}
