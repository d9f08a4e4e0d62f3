/**
 * Simulated time for SDK-level tests: a tracer that starts and ends real SDK spans at a clock
 * the test moves, so a pipeline can run for hours of windows in milliseconds and always
 * produce the same spans. It is passed to `component()` through its public `tracer` option.
 */
import type { Context, Span, SpanOptions, Tracer } from '@opentelemetry/api';
import type { SpanLike, TracerLike } from '../../src/sdk/types.js';

/** A clock the test moves by hand, ms since the epoch. */
export interface ManualClock {
  /** Current time. */
  now: number;
}

/** Starts spans at `clock.now` and ends them at the clock's time when `end()` is called. */
export class VirtualTracer implements TracerLike {
  constructor(
    private readonly real: Tracer,
    private readonly clock: ManualClock,
  ) {}

  /** Starts a real SDK span at the clock's time. */
  startSpan(name: string, options: SpanOptions = {}, context?: Context): SpanLike {
    const span = this.real.startSpan(name, { ...options, startTime: this.clock.now }, context);
    const clock = this.clock;
    return new Proxy(span, {
      get(target: Span, prop, receiver) {
        if (prop === 'end') return () => target.end(clock.now);
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  }
}
