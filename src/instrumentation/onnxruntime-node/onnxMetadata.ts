/**
 * Reads the few fields of an ONNX `ModelProto` the instrumentation names runs with: the model
 * version, the graph's name and the `metadata_props` map. onnxruntime-node does not expose
 * custom metadata to JavaScript, so the model bytes are scanned once when a session is created.
 * Only top-level fields are decoded; the graph's nodes and weights are skipped by length.
 */

/** What the instrumentation uses from an ONNX model file. */
export interface OnnxMetadata {
  /** `model_version` (0 when unset). */
  modelVersion: number;
  /** `graph.name` ('' when unset). */
  graphName: string;
  /** `metadata_props`, key → value. */
  props: Map<string, string>;
}

/** Decodes `bytes` as a ModelProto's top level; throws on truncated or malformed input. */
export function readOnnxMetadata(bytes: Uint8Array): OnnxMetadata {
  const out: OnnxMetadata = { modelVersion: 0, graphName: '', props: new Map() };
  const r = new Reader(bytes, 0, bytes.length);
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 5 && wire === 0) out.modelVersion = r.varint();
    else if (field === 7 && wire === 2) {
      const g = r.sub();
      while (g.more()) {
        const t = g.tag();
        if (t.field === 2 && t.wire === 2) out.graphName = g.string();
        else g.skip(t.wire);
      }
    } else if (field === 14 && wire === 2) {
      const e = r.sub();
      let key = '';
      let value = '';
      while (e.more()) {
        const t = e.tag();
        if (t.field === 1 && t.wire === 2) key = e.string();
        else if (t.field === 2 && t.wire === 2) value = e.string();
        else e.skip(t.wire);
      }
      out.props.set(key, value);
    } else r.skip(wire);
  }
  return out;
}

const utf8 = new TextDecoder();

class Reader {
  constructor(
    private readonly bytes: Uint8Array,
    private pos: number,
    private readonly end: number,
  ) {}

  more(): boolean {
    return this.pos < this.end;
  }

  tag(): { field: number; wire: number } {
    const t = this.varint();
    return { field: Math.floor(t / 8), wire: t % 8 };
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new RangeError('ONNX model truncated inside a varint');
      const b = this.bytes[this.pos++];
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    throw new RangeError('ONNX model has a varint longer than 10 bytes');
  }

  sub(): Reader {
    const n = this.varint();
    if (this.pos + n > this.end) throw new RangeError('ONNX model truncated inside a field');
    const r = new Reader(this.bytes, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  string(): string {
    const r = this.sub();
    return utf8.decode(this.bytes.subarray(r.pos, r.end));
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.advance(8);
    else if (wire === 2) this.sub();
    else if (wire === 5) this.advance(4);
    else throw new RangeError(`ONNX model has an unsupported protobuf wire type ${wire}`);
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new RangeError('ONNX model truncated');
    this.pos += n;
  }
}
