/**
 * Virtual time for the diagnosis benchmark: a clock the generator moves by simulated
 * durations, a tracer wrapper that stamps real SDK spans with that clock, and seeded span
 * ids, so a case replays identically (same ids, same times) and a day of pipeline runs
 * takes a second.
 */
import type {
  Attributes,
  Context,
  Exception,
  Link,
  SpanOptions,
  SpanStatus,
  Tracer,
} from '@opentelemetry/api';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import type { SpanLike, TracerLike } from '../../src/sdk/index.js';
import { Random } from '../detection/Random.js';

/** A clock that only moves when told to. */
export class VirtualClock {
  private t: number;

  /** @param startMs where simulated time begins, ms since the epoch. */
  constructor(startMs: number) {
    this.t = startMs;
  }

  /** Current simulated time, ms since the epoch. */
  now = (): number => this.t;

  /** Moves time forward by `ms` (never backwards). */
  advance(ms: number): void {
    if (ms > 0) this.t += ms;
  }

  /** Moves time to `ms` when that is later than now (a scheduler that never runs early). */
  waitUntil(ms: number): void {
    if (ms > this.t) this.t = ms;
  }
}

/** A real SDK span whose start, events and end are stamped with the virtual clock. */
class VirtualSpan implements SpanLike {
  constructor(
    private readonly inner: ReturnType<Tracer['startSpan']>,
    private readonly clock: VirtualClock,
  ) {}
  spanContext() {
    return this.inner.spanContext();
  }
  setAttribute(key: string, value: Attributes[string] & {}): unknown {
    return this.inner.setAttribute(key, value);
  }
  addEvent(name: string, attributes?: Attributes): unknown {
    return this.inner.addEvent(name, attributes, this.clock.now());
  }
  recordException(exception: Exception): void {
    this.inner.recordException(exception, this.clock.now());
  }
  setStatus(status: SpanStatus): unknown {
    return this.inner.setStatus(status);
  }
  isRecording(): boolean {
    return this.inner.isRecording();
  }
  end(): void {
    this.inner.end(this.clock.now());
  }
  addLink(link: Link): unknown {
    return this.inner.addLink(link);
  }
}

/** A `TracerLike` for `component()` that starts real SDK spans at the virtual time. */
export class VirtualTracer implements TracerLike {
  constructor(
    private readonly tracer: Tracer,
    private readonly clock: VirtualClock,
  ) {}

  /** Starts a span at `clock.now()`; ending it stamps `clock.now()` again. */
  startSpan(name: string, options?: SpanOptions, context?: Context): SpanLike {
    const inner = this.tracer.startSpan(name, { ...options, startTime: this.clock.now() }, context);
    return new VirtualSpan(inner, this.clock);
  }
}

/** Trace and span ids from a seeded generator, so two runs of a case share every id. */
export class SeededIdGenerator implements IdGenerator {
  private readonly random: Random;

  /** @param seed 32-bit seed of the id sequence. */
  constructor(seed: number) {
    this.random = new Random(seed);
  }

  /** 32 hex digits, never all zero. */
  generateTraceId(): string {
    return this.hex(4);
  }

  /** 16 hex digits, never all zero. */
  generateSpanId(): string {
    return this.hex(2);
  }

  private hex(words: number): string {
    let s = '';
    for (let i = 0; i < words; i++) {
      // The top word is forced odd-ish so the id can never be the invalid all-zero one.
      const w = Math.floor(this.random.next() * 0x1_0000_0000) >>> 0;
      s += (i === 0 ? w | 1 : w).toString(16).padStart(8, '0');
    }
    return s;
  }
}
