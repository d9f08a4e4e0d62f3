/**
 * The handle a component function receives: its span plus the record functions bound to it,
 * and the io declarations made while the run is under way. Outputs are published to the io
 * link registry only when the run succeeds, so a failed run never becomes a link target.
 */
import { isSpanContextValid, type SpanContext } from '@opentelemetry/api';
import {
  ATTR_ML_IO_INPUT_FINGERPRINTS,
  ATTR_ML_IO_INPUTS,
  ATTR_ML_IO_OUTPUT_FINGERPRINTS,
  ATTR_ML_IO_OUTPUTS,
} from '../semconv/index.js';
import { sdkDrops } from './DropCounter.js';
import type { IoLinkRegistry } from './IoLinkRegistry.js';
import { recordFeatures } from './recordFeatures.js';
import { recordLabels } from './recordLabels.js';
import { recordPredictions } from './recordPredictions.js';
import type {
  FeatureOptions,
  IoRef,
  LabelInputs,
  LabelOptions,
  PredictionOptions,
  PredictionOutputs,
  SpanLike,
} from './types.js';

/** One component run in progress. */
export class ComponentRun {
  private readonly inputs: IoRef[] = [];
  private readonly outputs: IoRef[] = [];

  /** @internal Built by `component()`; `inputs` are those already linked at span start. */
  constructor(
    /** The run's span. */
    readonly span: SpanLike,
    private readonly links: IoLinkRegistry,
    inputs: readonly IoRef[],
    outputs: readonly IoRef[],
  ) {
    this.inputs.push(...inputs);
    this.outputs.push(...outputs);
  }

  /** Summarises a batch of features onto this run's span (`ml.features` events). */
  recordFeatures(data: unknown, options: Omit<FeatureOptions, 'span'> = {}): void {
    recordFeatures(data, { ...options, span: this.span });
  }

  /** Summarises model outputs onto this run's span (`ml.predictions` events). */
  recordPredictions(outputs: PredictionOutputs, options: Omit<PredictionOptions, 'span'> = {}): void {
    recordPredictions(outputs, { ...options, span: this.span });
  }

  /** Summarises delayed feedback onto this run's span (`ml.labels` events). */
  recordLabels(labels: LabelInputs, options: Omit<LabelOptions, 'span'> = {}): void {
    recordLabels(labels, { ...options, span: this.span });
  }

  /** Declares something the run read, linking to its writer when this process saw the write. */
  addInput(ref: string, fingerprint?: string): void {
    const io = checkedRef(ref, fingerprint, 'addInput');
    if (!io) return;
    this.inputs.push(io);
    this.writeIoAttributes(ATTR_ML_IO_INPUTS, ATTR_ML_IO_INPUT_FINGERPRINTS, this.inputs);
    const writer = this.links.findWriter(io.ref, io.fingerprint ?? '');
    if (writer && this.span.addLink) this.span.addLink(ioLink(writer, io.ref));
  }

  /** Declares something the run wrote; later readers in this process link to this run. */
  addOutput(ref: string, fingerprint?: string): void {
    const io = checkedRef(ref, fingerprint, 'addOutput');
    if (!io) return;
    this.outputs.push(io);
    this.writeIoAttributes(ATTR_ML_IO_OUTPUTS, ATTR_ML_IO_OUTPUT_FINGERPRINTS, this.outputs);
  }

  /** @internal Called by `component()` when the function succeeded, before the span ends. */
  publishOutputs(): void {
    // A link to a span that is never exported (sampled out, or no SDK) would dangle.
    if (!this.span.isRecording()) return;
    const ctx = this.span.spanContext();
    if (!isSpanContextValid(ctx)) return;
    for (const o of this.outputs) this.links.recordWrite(o.ref, o.fingerprint ?? '', ctx);
  }

  private writeIoAttributes(refsKey: string, fingerprintsKey: string, refs: readonly IoRef[]): void {
    this.span.setAttribute(
      refsKey,
      refs.map((r) => r.ref),
    );
    if (refs.some((r) => r.fingerprint !== undefined)) {
      this.span.setAttribute(
        fingerprintsKey,
        refs.map((r) => r.fingerprint ?? ''),
      );
    }
  }
}

/** The span link from a reader to the writer of `ref`; the attribute says which input it is. */
export function ioLink(
  writer: SpanContext,
  ref: string,
): { context: SpanContext; attributes: { [k: string]: string[] } } {
  return { context: writer, attributes: { [ATTR_ML_IO_INPUTS]: [ref] } };
}

/** Normalises a string or IoRef, reporting (not throwing) a bad one. */
export function checkedRef(ref: unknown, fingerprint: unknown, where: string): IoRef | undefined {
  if (typeof ref !== 'string' || ref === '') {
    sdkDrops.drop(
      'invalid io reference',
      `${where}: reference must be a non-empty string, got ${JSON.stringify(ref)}`,
    );
    return undefined;
  }
  if (fingerprint !== undefined && typeof fingerprint !== 'string') {
    sdkDrops.drop('invalid io reference', `${where}: fingerprint of '${ref}' must be a string`);
    return { ref };
  }
  return fingerprint === undefined ? { ref } : { ref, fingerprint };
}
