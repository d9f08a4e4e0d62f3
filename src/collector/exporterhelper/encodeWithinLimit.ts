/**
 * Cuts a batch into export requests whose encoded size stays within a byte limit, so a
 * batch of large spans (summary events make 8,192 spans ~105 MB) is not refused whole by a
 * receiver's body limit. Either way each item keeps its resource and scope, and an item that
 * alone exceeds the limit cannot be sent.
 *
 * Protobuf traces and logs are written in one pass ({@link encodeEnvelopesWithinLimit}):
 * item by item into pooled buffers, starting a new request when the next item would not fit.
 * Anything else (metrics, JSON) goes through {@link encodeWithinLimit}: a request over the
 * limit is cut into as many equal parts (by item count, at least two) as it is times over the
 * limit, so one re-encode usually suffices, and each part still over is cut again (see `splitBatch`).
 */
import type { InstrumentationScope, Resource } from '../../model/otlp.js';
import type { Signal } from '../component.js';
import { encodeResource, encodeScope } from '../otlp/commonProto.js';
import { ProtoWriter, varintSize } from '../otlp/ProtoWriter.js';
import { type AnyData, splitBatch } from '../processors/batch/splitBatch.js';
import type { BufferPool } from './BufferPool.js';

/** One encoded request and how many items it holds. */
export interface EncodedPart {
  /** The encoded request (joined from `segments` on first read when there are several). */
  readonly body: Uint8Array;
  /** Its size in bytes (known without joining segments). */
  size: number;
  /** Items (spans, log records, data points) in it. */
  count: number;
  /**
   * The request as consecutive pieces, when it refers to large verbatim blocks (kept span
   * event attributes) instead of copying them; a transport that can write pieces sends these.
   */
  segments?: readonly Uint8Array[];
  /** Hands the body's pooled buffers back; call once when done with the part. Absent when not pooled. */
  release?: () => void;
}

/** The requests to send, and what could not be sent because a single item is over the limit. */
export interface EncodedParts {
  /** Requests within the limit, in the batch's order. */
  parts: EncodedPart[];
  /** Items refused for being over the limit on their own. */
  oversized: number;
  /** Encoded size of the largest refused single-item request, in bytes (0 when none). */
  largest: number;
}

/** Encodes `data` (`count` items) as requests of at most `maxBytes` each. */
export function encodeWithinLimit(
  signal: Signal,
  data: AnyData,
  count: number,
  maxBytes: number,
  encode: (d: AnyData) => Uint8Array,
): EncodedParts {
  const out: EncodedParts = { parts: [], oversized: 0, largest: 0 };
  const visit = (d: AnyData, n: number, body: Uint8Array): void => {
    if (body.length <= maxBytes) {
      out.parts.push({ body, size: body.length, count: n });
      return;
    }
    if (n <= 1) {
      out.oversized += n;
      out.largest = Math.max(out.largest, body.length);
      return;
    }
    cut(d, n, Math.ceil(body.length / maxBytes));
  };
  const cut = (d: AnyData, n: number, parts: number): void => {
    const pieces = Math.min(n, Math.max(2, parts));
    let rest = d;
    let left = n;
    for (let i = pieces; i > 0; i--) {
      const take = Math.ceil(left / i);
      const [head, tail] = i === 1 ? [rest, rest] : splitBatch(signal, rest, take);
      visit(head, take, encode(head));
      rest = tail;
      left -= take;
    }
  };
  const first = estimateParts(signal, data, count, maxBytes, encode);
  if (first <= 1) visit(data, count, encode(data));
  else cut(data, count, first);
  return out;
}

const SAMPLE = 64;

/**
 * How many parts a large batch should start as, judged from the encoded size of its first
 * {@link SAMPLE} items, so a batch many times over the limit is not encoded whole only to be
 * thrown away. 1 means "encode it whole and see". Parts come out 10% under the limit on the
 * estimate; one that still does not fit is cut again.
 */
function estimateParts(
  signal: Signal,
  data: AnyData,
  count: number,
  maxBytes: number,
  encode: (d: AnyData) => Uint8Array,
): number {
  if (count <= SAMPLE * 2) return 1;
  const [head] = splitBatch(signal, data, SAMPLE);
  const estimate = (encode(head).length / SAMPLE) * count;
  return estimate <= maxBytes ? 1 : Math.ceil(estimate / (maxBytes * 0.9));
}

/** What {@link encodeEnvelopesWithinLimit} needs of a `Resource*` message. */
interface ResourceGroup {
  resource: Resource;
  schemaUrl: string;
}

/** What {@link encodeEnvelopesWithinLimit} needs of a `Scope*` message. */
interface ScopeGroup {
  scope: InstrumentationScope;
  schemaUrl: string;
}

/** Room a request may take past the limit while the item that does not fit is written. */
const OVERSHOOT = 1024 * 1024;

/** Verbatim blocks (kept span event attributes) of this size or more are referenced, not copied. */
const REFERENCE_MIN = 2048;

/** A request written with references: its own buffer plus the blocks, joined only if asked. */
class SegmentedPart implements EncodedPart {
  private joined: Buffer | undefined;
  readonly release: (() => void) | undefined;

  constructor(
    readonly segments: readonly Uint8Array[],
    readonly size: number,
    readonly count: number,
    own: Buffer,
    private readonly pool: BufferPool | undefined,
  ) {
    this.release = pool
      ? () => {
          pool.give(own);
          if (this.joined) pool.give(this.joined);
          this.joined = undefined;
        }
      : undefined;
  }

  get body(): Uint8Array {
    if (this.segments.length === 1) return this.segments[0];
    if (!this.joined) {
      const joined = this.pool ? this.pool.take(this.size) : Buffer.allocUnsafe(this.size);
      let at = 0;
      for (const s of this.segments) {
        joined.set(s, at);
        at += s.length;
      }
      this.joined = joined;
    }
    return this.joined.subarray(0, this.size);
  }
}

/**
 * One request being written: `Resource* { resource 1, scope_* 2, schema_url 3 }` messages
 * (field 1 of the request), each with `Scope* { scope 1, items 2, schema_url 3 }` messages.
 * A group opens with its first item and can be rolled back with it. Group lengths reserve
 * as many bytes as a request at the limit needs, so only groups far below it move on closing.
 */
class RequestWriter {
  readonly w: ProtoWriter;
  /** Items written and kept. */
  count = 0;
  private rs: ResourceGroup | undefined;
  private rsMark = 0;
  private rsStart = 0;
  private ss: ScopeGroup | undefined;
  private ssMark = 0;
  private ssStart = 0;

  constructor(
    maxBytes: number,
    private readonly reserve: number,
    pool: BufferPool | undefined,
    expectedBytes: number,
  ) {
    const limit = maxBytes + OVERSHOOT;
    // An idle buffer smaller than expected would only be outgrown (copied) into another.
    const size = Math.max(64 * 1024, Math.min(limit, expectedBytes));
    this.w = new ProtoWriter(size, pool, limit, REFERENCE_MIN);
  }

  /** Opens the groups of an item of `rs`/`ss` unless open; returns the size to roll back to. */
  open(rs: ResourceGroup, ss: ScopeGroup): number {
    const w = this.w;
    const mark = w.size;
    if (this.rs === undefined) {
      this.rs = rs;
      this.rsMark = mark;
      w.tag(1, 2);
      this.rsStart = w.fork(this.reserve);
      encodeResource(w, 1, rs.resource);
    }
    if (this.ss === undefined) {
      this.ss = ss;
      this.ssMark = w.size;
      w.tag(2, 2);
      this.ssStart = w.fork(this.reserve);
      encodeScope(w, 1, ss.scope);
    }
    return mark;
  }

  /** Drops everything from `mark` (a size) on, and the groups opened there. */
  rollBack(mark: number): void {
    this.w.truncateSize(mark);
    if (this.ss !== undefined && this.ssMark >= mark) this.ss = undefined;
    if (this.rs !== undefined && this.rsMark >= mark) this.rs = undefined;
  }

  /** Encoded size of the request if the open groups were closed now. */
  closedSize(): number {
    // What closing adds: trailing schema_url fields and length bytes beyond those reserved.
    let extra = 0;
    if (this.ss !== undefined) {
      extra += stringFieldSize(this.ss.schemaUrl);
      extra += varintSize(this.w.bytesSince(this.ssStart) + extra) - this.reserve;
    }
    if (this.rs !== undefined) {
      extra += stringFieldSize(this.rs.schemaUrl);
      extra += varintSize(this.w.bytesSince(this.rsStart) + extra) - this.reserve;
    }
    return this.w.size + extra;
  }

  /** Closes the open scope group, if any. */
  closeScope(): void {
    if (this.ss === undefined) return;
    if (this.ss.schemaUrl) {
      this.w.tag(3, 2);
      this.w.string(this.ss.schemaUrl);
    }
    this.w.join(this.ssStart, this.reserve);
    this.ss = undefined;
  }

  /** Closes the open scope and resource groups, if any. */
  closeResource(): void {
    this.closeScope();
    if (this.rs === undefined) return;
    if (this.rs.schemaUrl) {
      this.w.tag(3, 2);
      this.w.string(this.rs.schemaUrl);
    }
    this.w.join(this.rsStart, this.reserve);
    this.rs = undefined;
  }
}

/** Bytes of a string field with a one-byte tag, or 0 when empty (not written). */
function stringFieldSize(s: string): number {
  if (!s) return 0;
  const n = Buffer.byteLength(s, 'utf8');
  return 1 + varintSize(n) + n;
}

/** Own-buffer bytes per item of the last batch written (referenced blocks not counted). */
let bufferBytesPerItem = 0;

/**
 * Writes the `Resource*` / `Scope*` envelope shared by traces and logs (`item` writes one
 * span or log record, tag included) straight into requests of at most `maxBytes`: when an
 * item does not fit, the request is closed without it and a new one starts with it (its bytes
 * are copied over, not encoded again). An item over the limit on its own is counted in
 * `oversized`, with the size of the one-item request in `largest`. Bodies are written into
 * buffers from `pool`, sized from the last batch so they need not grow; large verbatim blocks
 * (kept span event attributes) are referenced, not copied, so a part may come as `segments`.
 * Each part's `release` gives its buffers back.
 */
export function encodeEnvelopesWithinLimit<R extends ResourceGroup, S extends ScopeGroup, T>(
  resources: readonly R[],
  scopesOf: (r: R) => readonly S[],
  itemsOf: (s: S) => readonly T[],
  item: (w: ProtoWriter, t: T) => void,
  maxBytes: number,
  pool?: BufferPool,
): EncodedParts {
  const out: EncodedParts = { parts: [], oversized: 0, largest: 0 };
  const reserve = varintSize(maxBytes);
  let items = 0;
  for (const rs of resources) for (const ss of scopesOf(rs)) items += itemsOf(ss).length;
  const expectedBytes = items * bufferBytesPerItem;
  let written = 0;
  const start = () => new RequestWriter(maxBytes, reserve, pool, Math.ceil((expectedBytes - written) * 1.1));
  let req: RequestWriter | undefined;
  const refuse = (size: number) => {
    out.oversized++;
    out.largest = Math.max(out.largest, size);
  };
  const emit = (r: RequestWriter) => {
    r.closeResource();
    if (r.count === 0) pool?.give(r.w.buffer);
    else out.parts.push(new SegmentedPart(r.w.segments(), r.w.size, r.count, r.w.buffer, pool));
    written += r.w.length;
  };
  try {
    for (const rs of resources) {
      for (const ss of scopesOf(rs)) {
        for (const t of itemsOf(ss)) {
          req ??= start();
          const mark = req.open(rs, ss);
          const itemStart = req.w.size;
          item(req.w, t);
          const size = req.closedSize();
          if (size <= maxBytes) {
            req.count++;
            continue;
          }
          if (req.count === 0) {
            refuse(size);
            req.rollBack(mark);
            continue;
          }
          // Start the next request with this item, then close this one without it.
          const next = start();
          next.open(rs, ss);
          req.w.copyTail(itemStart, next.w);
          req.rollBack(mark);
          emit(req);
          req = next;
          const alone = req.closedSize();
          if (alone <= maxBytes) req.count = 1;
          else {
            refuse(alone);
            req.rollBack(0);
          }
        }
        req?.closeScope();
      }
      req?.closeResource();
    }
    if (req) emit(req);
    if (items > 0) bufferBytesPerItem = written / items;
  } catch (err) {
    for (const p of out.parts) p.release?.();
    if (req) pool?.give(req.w.buffer);
    throw err;
  }
  return out;
}
