import { ByteReader } from './ByteReader.js';
import { ByteWriter } from './ByteWriter.js';
import { CategoricalSummary } from './CategoricalSummary.js';
import { crc32 } from './crc32.js';
import { NumericSummary } from './NumericSummary.js';
import { SummaryDecodeError } from './SummaryDecodeError.js';
import { SummaryMergeError } from './SummaryMergeError.js';
import { TextSummary } from './TextSummary.js';
import type { BatchSummary, FeatureKind, FeatureSummary } from './types.js';
import { VectorSummary } from './VectorSummary.js';

/*
 * Wire format of one feature summary:
 *   'M' 'L' 'S'  version(1 byte)  kind(1 byte)  payloadLength(varint)  payload  crc32(4 bytes LE)
 * The CRC covers every byte before it, so any single corrupted byte (and any burst up to 32
 * bits) is detected; the explicit length makes truncation and trailing garbage detectable
 * before the payload is parsed.
 */
const MAGIC = [0x4d, 0x4c, 0x53];
/**
 * Current wire-format version. Version 2 adds, at the end of each numeric payload, how many
 * finite values were whole numbers; version 3 then a distinct-value counter (so repeated rows
 * show on numeric features too). Older payloads still decode, those fields unknown.
 */
export const SUMMARY_FORMAT_VERSION = 3;
/** Oldest version this build reads. */
const OLDEST_READABLE_VERSION = 1;
const KIND_TAGS: Record<FeatureKind, number> = { numeric: 1, categorical: 2, text: 3, vector: 4 };
const TAG_KINDS: FeatureKind[] = ['numeric', 'numeric', 'categorical', 'text', 'vector'];

// Reused by every serialization (it is synchronous, so never re-entered): a summary costs no
// buffer allocation beyond its result. Allocating and slicing fresh buffers was a third of
// the cost of encoding a small batch's summaries.
const PAYLOAD = new ByteWriter(1024);
const FRAME = new ByteWriter(1024);

/** The framed bytes of `s` in a shared buffer: valid until the next serialization. */
function frame(s: FeatureSummary): Uint8Array {
  PAYLOAD.reset();
  s.encode(PAYLOAD);
  const body = PAYLOAD.written();
  FRAME.reset();
  for (const b of MAGIC) FRAME.u8(b);
  FRAME.u8(SUMMARY_FORMAT_VERSION);
  FRAME.u8(KIND_TAGS[s.kind]);
  FRAME.varint(body.length);
  FRAME.bytes(body);
  FRAME.u32(crc32(FRAME.written()));
  return FRAME.written();
}

/** Serializes a feature summary to versioned, checksummed bytes. */
export function serializeFeature(s: FeatureSummary): Uint8Array {
  return frame(s).slice();
}

/** Parses bytes from `serializeFeature`; throws `SummaryDecodeError` saying what was wrong and where. */
export function deserializeFeature(bytes: Uint8Array): FeatureSummary {
  if (!(bytes instanceof Uint8Array)) throw new SummaryDecodeError('summary bytes must be a Uint8Array');
  const r = new ByteReader(bytes);
  for (let i = 0; i < MAGIC.length; i++) {
    if (r.u8('magic') !== MAGIC[i])
      throw new SummaryDecodeError(`bad magic at byte ${i}: not an mlobs summary`);
  }
  const version = r.u8('version');
  if (version < OLDEST_READABLE_VERSION || version > SUMMARY_FORMAT_VERSION) {
    throw new SummaryDecodeError(
      `unsupported summary format version ${version} (this build reads ${OLDEST_READABLE_VERSION} to ${SUMMARY_FORMAT_VERSION})`,
    );
  }
  const tag = r.u8('kind tag');
  if (tag < 1 || tag > 4) throw new SummaryDecodeError(`unknown summary kind tag ${tag} at byte 4`);
  const length = r.varint('payload length');
  const start = r.pos;
  const end = start + length;
  if (end + 4 > bytes.length) {
    throw new SummaryDecodeError(
      `truncated at byte ${bytes.length}: header announces ${length} payload bytes, need ${end + 4} bytes in total`,
    );
  }
  if (end + 4 < bytes.length) {
    throw new SummaryDecodeError(
      `${bytes.length - end - 4} trailing byte(s) after the checksum at byte ${end + 4}`,
    );
  }
  const stored = new DataView(bytes.buffer, bytes.byteOffset + end, 4).getUint32(0, true);
  const actual = crc32(bytes, 0, end);
  if (stored !== actual) {
    throw new SummaryDecodeError(
      `checksum mismatch: stored ${stored.toString(16)}, computed ${actual.toString(16)} (corrupted bytes)`,
    );
  }
  const body = new ByteReader(bytes, start, end);
  body.formatVersion = version;
  const kind = TAG_KINDS[tag];
  let summary: FeatureSummary;
  if (kind === 'numeric') summary = NumericSummary.decode(body);
  else if (kind === 'categorical') summary = CategoricalSummary.decode(body);
  else if (kind === 'text') summary = TextSummary.decode(body);
  else summary = VectorSummary.decode(body);
  if (!body.done)
    throw new SummaryDecodeError(`${end - body.pos} unread payload byte(s) at byte ${body.pos}`);
  return summary;
}

/** Base64 of `serializeFeature` (what the `ml.summary.sketch` attribute carries). */
export function serializeFeatureBase64(s: FeatureSummary): string {
  const bytes = frame(s);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
}

/** Inverse of `serializeFeatureBase64`; rejects text that is not canonical base64. */
export function deserializeFeatureBase64(text: string): FeatureSummary {
  if (typeof text !== 'string' || text.length % 4 !== 0 || text.includes('-') || text.includes('_'))
    throw new SummaryDecodeError('summary is not valid base64');
  // Buffer skips characters outside the alphabet and stops at '=': a decoded length short of
  // what the text's length promises means the text was not canonical base64 (checked this
  // way rather than with a regular expression, which cost more than the decode).
  const bytes = Buffer.from(text, 'base64');
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (bytes.length !== (text.length / 4) * 3 - pad)
    throw new SummaryDecodeError('summary is not valid base64');
  return deserializeFeature(bytes);
}

/** Merges two summaries of the same feature into a new one (pure); refuses different kinds or parameters. */
export function mergeFeature(a: FeatureSummary, b: FeatureSummary): FeatureSummary {
  if (a.kind === 'numeric' && b.kind === 'numeric') return a.merge(b);
  if (a.kind === 'categorical' && b.kind === 'categorical') return a.merge(b);
  if (a.kind === 'text' && b.kind === 'text') return a.merge(b);
  if (a.kind === 'vector' && b.kind === 'vector') return a.merge(b);
  throw new SummaryMergeError(`cannot merge a ${a.kind} summary with a ${b.kind} summary`);
}

/**
 * Merges `b` into `a`, changing `a` where it can (numeric and categorical summaries) and
 * returning it; otherwise returns a new summary like {@link mergeFeature}. For callers that
 * own `a` (a window's running state): merging thousands of batches then costs no copies.
 */
export function mergeFeatureInto(a: FeatureSummary, b: FeatureSummary): FeatureSummary {
  if (a.kind === 'numeric' && b.kind === 'numeric') {
    a.absorb(b);
    return a;
  }
  if (a.kind === 'categorical' && b.kind === 'categorical' && a.absorb(b)) return a;
  return mergeFeature(a, b);
}

/** Merges two batch summaries feature by feature (pure); the error names the feature that failed. */
export function mergeBatch(a: BatchSummary, b: BatchSummary): BatchSummary {
  const features = new Map<string, FeatureSummary>();
  for (const [name, s] of a.features) {
    const other = b.features.get(name);
    if (other === undefined) {
      features.set(name, mergeFeature(s, emptyLike(s)));
      continue;
    }
    try {
      features.set(name, mergeFeature(s, other));
    } catch (err) {
      if (err instanceof SummaryMergeError) throw new SummaryMergeError(`feature "${name}": ${err.message}`);
      throw err;
    }
  }
  for (const [name, s] of b.features)
    if (!a.features.has(name)) features.set(name, mergeFeature(emptyLike(s), s));
  return { rows: a.rows + b.rows, features };
}

/** An empty summary with the same parameters, so merging with it copies (keeps inputs untouched). */
function emptyLike(s: FeatureSummary): FeatureSummary {
  switch (s.kind) {
    case 'numeric':
      return new NumericSummary({
        relativeAccuracy: s.sketch.relativeAccuracy,
        maxBuckets: s.sketch.maxBuckets,
      });
    case 'categorical':
      return new CategoricalSummary({
        topK: s.frequent.k,
        hllPrecision: s.hll.precision,
        maxValueLength: s.maxValueLength,
      });
    case 'text':
      return new TextSummary({
        relativeAccuracy: s.length.sketch.relativeAccuracy,
        maxBuckets: s.length.sketch.maxBuckets,
        hllPrecision: s.hll.precision,
        maxHashLength: s.maxHashLength,
      });
    case 'vector':
      return new VectorSummary({
        relativeAccuracy: s.norm.sketch.relativeAccuracy,
        maxBuckets: s.norm.sketch.maxBuckets,
        dimension: s.dimension,
      });
  }
}
