/**
 * Cuts a batch into export requests whose encoded size stays within a byte limit, so a
 * batch of large spans (summary events make 8,192 spans ~105 MB) is not refused whole by a
 * receiver's body limit. A request over the limit is cut into as many equal parts (by item
 * count, at least two) as it is times over the limit, so one re-encode usually suffices, and
 * each part still over is cut again. Splitting keeps each item's
 * resource and scope (see `splitBatch`). An item that alone exceeds the limit cannot be sent.
 */
import type { Signal } from '../component.js';
import { type AnyData, splitBatch } from '../processors/batch/splitBatch.js';

/** One encoded request and how many items it holds. */
export interface EncodedPart {
  /** The encoded request. */
  body: Uint8Array;
  /** Items (spans, log records, data points) in it. */
  count: number;
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
      out.parts.push({ body, count: n });
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
