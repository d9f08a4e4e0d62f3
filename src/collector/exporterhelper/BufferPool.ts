/**
 * A bounded pool of large byte buffers. Filling freshly allocated memory costs a page fault
 * per 4 KiB on first touch, which for multi-megabyte export requests and request bodies costs
 * more than encoding or decoding them; a buffer that is handed back and reused has its pages
 * already mapped. The pool keeps at most `maxBytes` of idle buffers (what is in use is not
 * counted or bounded) and allocates fresh memory when it has nothing big enough.
 */

/** Every pool in the process, so memory pressure can see and empty their idle buffers. */
const POOLS = new Set<BufferPool>();

/** Every named pool of the process, so the collector's metrics can show what they hold. */
export function bufferPools(): BufferPool[] {
  return [...POOLS].filter((p) => p.name !== undefined);
}

/** Idle buffers for reuse, capped in total bytes. */
export class BufferPool {
  private readonly idle: Buffer[] = [];
  private idleBytes = 0;
  private lastUse = 0;
  private releaseTimer: NodeJS.Timeout | undefined;

  constructor(
    /** Most bytes kept idle; a buffer given back beyond this is left to the garbage collector. */
    readonly maxBytes: number,
    /** Smallest buffer allocated, so small requests still yield reusable buffers. */
    readonly minSize = 64 * 1024,
    /** Names a process-wide pool: listed by {@link bufferPools} (pools made by tests stay unnamed). */
    readonly name?: string,
    /**
     * Idle buffers are let go once the pool has not been used for this long, so a collector
     * that went quiet gives its memory back instead of holding `maxBytes` for the next burst.
     */
    readonly releaseAfterMs = 10_000,
  ) {
    POOLS.add(this);
  }

  /** Idle bytes held by every pool in the process (they count as external memory). */
  static idleBytesAll(): number {
    let n = 0;
    for (const p of POOLS) n += p.idleBytes;
    return n;
  }

  /** Lets go of every pool's idle buffers (under memory pressure); returns the bytes released. */
  static trimAll(): number {
    let n = 0;
    for (const p of POOLS) n += p.trim();
    return n;
  }

  /** Lets go of this pool's idle buffers; returns the bytes released. */
  trim(): number {
    const n = this.idleBytes;
    this.idle.length = 0;
    this.idleBytes = 0;
    clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    return n;
  }

  /** Bytes held idle right now. */
  get idleSize(): number {
    return this.idleBytes;
  }

  /**
   * A buffer of at least `size` bytes with unspecified contents: the largest idle one when it
   * is big enough (so a growing writer rarely needs a second), else a fresh one of `freshSize`
   * (a writer that expects to need more asks for it up front rather than growing into fresh
   * memory), rounded up to an eighth of a power of two so that slightly different sizes share buffers.
   */
  take(size: number, freshSize = size): Buffer {
    this.lastUse = Date.now();
    let best = -1;
    for (let i = 0; i < this.idle.length; i++)
      if (this.idle[i].length >= size && (best < 0 || this.idle[i].length > this.idle[best].length)) best = i;
    if (best < 0) return Buffer.allocUnsafeSlow(roundUp(Math.max(size, freshSize, this.minSize)));
    const buf = this.idle[best];
    this.idle[best] = this.idle[this.idle.length - 1];
    this.idle.pop();
    this.idleBytes -= buf.length;
    return buf;
  }

  /**
   * Hands a buffer back; the caller must not use it (or views of it) afterwards. When the pool
   * is full, smaller idle buffers make way for a bigger one; otherwise the buffer is let go.
   */
  give(buf: Buffer): void {
    if (buf.length < this.minSize || buf.byteOffset !== 0 || buf.buffer.byteLength !== buf.length) return;
    if (buf.length > this.maxBytes) return;
    while (this.idleBytes + buf.length > this.maxBytes) {
      let smallest = 0;
      for (let i = 1; i < this.idle.length; i++)
        if (this.idle[i].length < this.idle[smallest].length) smallest = i;
      if (this.idle[smallest].length >= buf.length) return;
      this.idleBytes -= this.idle[smallest].length;
      this.idle[smallest] = this.idle[this.idle.length - 1];
      this.idle.pop();
    }
    this.idle.push(buf);
    this.idleBytes += buf.length;
    this.lastUse = Date.now();
    this.scheduleRelease(this.releaseAfterMs);
  }

  private scheduleRelease(afterMs: number): void {
    if (this.releaseTimer !== undefined) return;
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = undefined;
      const quietFor = Date.now() - this.lastUse;
      if (quietFor >= this.releaseAfterMs) this.trim();
      else if (this.idle.length > 0) this.scheduleRelease(this.releaseAfterMs - quietFor);
    }, afterMs);
    // A timer of its own must not keep the process alive.
    this.releaseTimer.unref();
  }
}

/** `n` rounded up to a multiple of an eighth of the power of two at or below it. */
function roundUp(n: number): number {
  const step = Math.max(1, 2 ** Math.floor(Math.log2(n)) / 8);
  return Math.ceil(n / step) * step;
}
