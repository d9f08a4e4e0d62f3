/**
 * Admission control for request bodies, after the OpenTelemetry Collector's otel-arrow
 * receiver (`admission::request_limit_mib` / `waiting_limit_mib`): a receiver reserves a
 * request's bytes before it reads (HTTP) or decodes (gRPC) it, so the bytes being turned into
 * objects at once are bounded, whatever clients send. Decoding costs a multiple of the body, so
 * bounding bodies in flight bounds the decoder's memory; a request that does not fit waits in a
 * FIFO line that is itself bounded in bytes, and beyond that it is refused at once (the client
 * retries after Retry-After). One controller is shared by the whole process (the service's) and
 * each receiver has its own; a request must get both.
 */

/** A granted reservation; release it once the request's data has been handed on. */
export interface AdmissionTicket {
  /** Bytes held by this ticket. */
  readonly bytes: number;
  /** Adds `extra` bytes without waiting (e.g. once a gzip body is inflated); false if they do not fit. A negative `extra` gives bytes back. */
  grow(extra: number): boolean;
  /** Gives the bytes back (once; later calls do nothing) and admits waiters that now fit. */
  release(): void;
}

/** Why a reservation was refused. */
export type AdmissionRefusal =
  /** The request alone is larger than the in-flight limit: it can never be admitted. */
  | 'too_large'
  /** The waiting line is full: retry later. */
  | 'busy'
  /** The caller gave up (client gone) while waiting. */
  | 'aborted';

interface Waiter {
  bytes: number;
  grant: (t: AdmissionTicket | AdmissionRefusal) => void;
}

/** A byte budget for requests in flight, with a bounded FIFO line of waiters. */
export class AdmissionController {
  private inFlight = 0;
  private waitingBytes = 0;
  private readonly line: Waiter[] = [];

  /**
   * `limitBytes`: most bytes admitted at once. `waitingLimitBytes`: most bytes of requests
   * waiting for room (0 = refuse at once when full).
   */
  constructor(
    readonly limitBytes: number,
    readonly waitingLimitBytes: number,
  ) {
    if (!(limitBytes > 0))
      throw new RangeError(`AdmissionController: limitBytes must be > 0, got ${limitBytes}`);
    if (!(waitingLimitBytes >= 0))
      throw new RangeError(`AdmissionController: waitingLimitBytes must be >= 0, got ${waitingLimitBytes}`);
  }

  /** Bytes admitted and not yet released. */
  get bytesInFlight(): number {
    return this.inFlight;
  }

  /** Bytes of requests waiting for room. */
  get bytesWaiting(): number {
    return this.waitingBytes;
  }

  /**
   * Reserves `bytes`: at once when they fit and nobody waits (FIFO is kept so a large request
   * is not starved by small ones), after waiting when the line has room, otherwise refused.
   */
  acquire(bytes: number, abort?: AbortSignal): Promise<AdmissionTicket | AdmissionRefusal> {
    const n = Math.max(0, Math.ceil(bytes));
    if (n > this.limitBytes) return Promise.resolve('too_large');
    if (this.line.length === 0 && this.inFlight + n <= this.limitBytes) return Promise.resolve(this.grant(n));
    if (this.waitingBytes + n > this.waitingLimitBytes) return Promise.resolve('busy');
    if (abort?.aborted) return Promise.resolve('aborted');
    return new Promise((resolve) => {
      const waiter: Waiter = { bytes: n, grant: resolve };
      this.line.push(waiter);
      this.waitingBytes += n;
      abort?.addEventListener(
        'abort',
        () => {
          const i = this.line.indexOf(waiter);
          if (i < 0) return;
          this.line.splice(i, 1);
          this.waitingBytes -= n;
          resolve('aborted');
          // The aborted waiter may have been the one blocking the head of the line.
          this.admitWaiters();
        },
        { once: true },
      );
    });
  }

  private grant(n: number): AdmissionTicket {
    this.inFlight += n;
    let held = n;
    let released = false;
    const ticket: AdmissionTicket = {
      get bytes() {
        return held;
      },
      grow: (extra: number) => {
        if (released) return false;
        // Negative growth gives bytes back (used to undo a partial grow across controllers).
        const e = Math.max(-held, Math.ceil(extra));
        if (e > 0 && this.inFlight + e > this.limitBytes) return false;
        this.inFlight += e;
        held += e;
        if (e < 0) this.admitWaiters();
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.inFlight -= held;
        this.admitWaiters();
      },
    };
    return ticket;
  }

  private admitWaiters(): void {
    while (this.line.length > 0 && this.inFlight + this.line[0].bytes <= this.limitBytes) {
      const w = this.line.shift()!;
      this.waitingBytes -= w.bytes;
      w.grant(this.grant(w.bytes));
    }
  }
}

/**
 * Takes a ticket from every controller in order (the receiver's, then the process's), or none:
 * on a refusal what was already granted is given back.
 */
export async function acquireAll(
  controllers: readonly AdmissionController[],
  bytes: number,
  abort?: AbortSignal,
): Promise<AdmissionTicket | AdmissionRefusal> {
  const held: AdmissionTicket[] = [];
  for (const c of controllers) {
    const t = await c.acquire(bytes, abort);
    if (typeof t === 'string') {
      for (const h of held) h.release();
      return t;
    }
    held.push(t);
  }
  return {
    get bytes() {
      return held[0]?.bytes ?? 0;
    },
    grow(extra: number) {
      const grown: AdmissionTicket[] = [];
      for (const h of held) {
        if (!h.grow(extra)) {
          // Undo the growth already applied; release-then-regrant would lose the place.
          for (const g of grown) g.grow(-extra);
          return false;
        }
        grown.push(h);
      }
      return true;
    },
    release() {
      for (const h of held) h.release();
    },
  };
}
