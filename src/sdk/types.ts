/**
 * Public types of the recording SDK. Tracer and span are structural (only the members mlobs
 * calls), so any tracer that follows the `@opentelemetry/api` shape — the 1.x SDKs, the 2.x
 * SDKs, or a later line — can be passed in without mlobs pinning its classes.
 */
import type {
  Attributes,
  AttributeValue,
  Context,
  Exception,
  Link,
  SpanContext,
  SpanOptions,
  SpanStatus,
} from '@opentelemetry/api';
import type { SummarizeOptions } from '../summaries/index.js';
import type { PrivacyOptions } from './privacy.js';

/** The span members mlobs uses; `addLink` and `events` are optional because older spans lack them. */
export interface SpanLike {
  /** Identity of the span, used for io links and ids. */
  spanContext(): SpanContext;
  /** Sets one attribute. */
  setAttribute(key: string, value: AttributeValue): unknown;
  /** Adds a span event (summaries travel as events). */
  addEvent(name: string, attributes?: Attributes): unknown;
  /** Records the user's error. */
  recordException(exception: Exception): void;
  /** Marks the span failed. */
  setStatus(status: SpanStatus): unknown;
  /** False for non-recording (sampled-out or no-op) spans: nothing is computed for them. */
  isRecording(): boolean;
  /** Ends the span. */
  end(): void;
  /** Adds a link after start (API ≥ 1.9); used for inputs declared during the run. */
  addLink?(link: Link): unknown;
}

/** The tracer members mlobs uses: any `@opentelemetry/api` Tracer fits. */
export interface TracerLike {
  /** Starts a span with the given parent context. */
  startSpan(name: string, options?: SpanOptions, context?: Context): SpanLike;
}

/** One of the `ml.component.kind` enum values. */
export type ComponentKind =
  | 'source'
  | 'transform'
  | 'features'
  | 'inference'
  | 'postprocess'
  | 'sink'
  | 'label';

/** A data reference a run read or wrote, with an optional content fingerprint. */
export interface IoRef {
  /** `file:///data/x.csv`, `table:warehouse.sales`, `s3://bucket/key`, `endpoint:https://...`. */
  ref: string;
  /** Content hash; omit when unknown. */
  fingerprint?: string;
}

/** The model a component runs (inference components). */
export interface ModelInfo {
  /** `ml.model.name`. */
  name: string;
  /** `ml.model.version`. */
  version?: string;
  /** `ml.model.framework`, e.g. `onnxruntime`, `tfjs`, `sklearn`. */
  framework?: string;
  /** When the model was trained; a Date is written as RFC 3339. */
  trainedAt?: Date | string;
}

/** Options of `component(name, options, fn)`. */
export interface ComponentOptions {
  /** `ml.component.kind`. */
  kind?: ComponentKind;
  /** Code version of the component, `ml.component.version`. */
  version?: string;
  /** Pipeline name; inherited from an enclosing component when omitted. */
  pipeline?: string;
  /** Pipeline run id; inherited from an enclosing component when omitted. */
  runId?: string;
  /**
   * Batch id of the data this run and the runs inside it handle; inherited like `runId`. Model
   * calls recorded by mlobs' instrumentations inside the run use it as their `ml.batch.id`.
   */
  batchId?: string;
  /** Model the component runs. */
  model?: ModelInfo;
  /** What the run reads; a string is a reference without fingerprint. */
  inputs?: (string | IoRef)[];
  /** What the run writes, when known up front (more can be added with `run.addOutput`). */
  outputs?: (string | IoRef)[];
  /** Tracer to use instead of `trace.getTracer('mlobs', version)`. */
  tracer?: TracerLike;
  /** Extra span attributes. */
  attributes?: Attributes;
}

/** Options shared by the record functions. */
export interface RecordOptions {
  /** Span to attach to instead of the active one. */
  span?: SpanLike;
  /** `ml.batch.id`; also the prefix of generated prediction ids (`${batchId}:${row}`). */
  batchId?: string;
  /** What may leave the process: per-feature value treatment, id hashing, the key (see `configurePrivacy`). */
  privacy?: PrivacyOptions;
}

/** A row-major 2-D numeric tensor. */
export interface Tensor2D {
  /** Values, row-major. */
  data: ArrayLike<number>;
  /** `[rows, cols]`. */
  shape: readonly [number, number] | number[];
}

/** Model outputs for `recordPredictions`: exactly one of the three forms. */
export type PredictionOutputs =
  | {
      /** Class probabilities, one row per prediction, one column per class. */
      probabilities: ArrayLike<ArrayLike<number>> | Tensor2D;
      /** Class names by column; defaults to the column index as a string. */
      classNames?: readonly string[];
    }
  | {
      /** Predicted class labels (no probabilities). */
      classes: ArrayLike<string | number | boolean | null | undefined>;
    }
  | {
      /** Regression outputs. */
      values: ArrayLike<number | null | undefined>;
    };

/** Options of `recordPredictions`. */
export interface PredictionOptions extends RecordOptions {
  /** Prediction ids by row; otherwise `${batchId}:${row}` when a batch id is given. */
  ids?: ArrayLike<string>;
  /** Most rows written to the join arrays (sampled by id hash); default 1,000. */
  joinSampleSize?: number;
  /** Class counts up to this get a score distribution per class; default 10. */
  maxScoreClasses?: number;
}

/** Delayed feedback for `recordLabels`: class labels or regression targets. */
export type LabelInputs =
  | {
      /** True classes. */
      classes: ArrayLike<string | number | boolean | null | undefined>;
    }
  | {
      /** True regression targets. */
      values: ArrayLike<number | null | undefined>;
    };

/** Options of `recordLabels`: ids, or the batch id of the predictions plus row positions. */
export interface LabelOptions extends RecordOptions {
  /** Prediction ids the labels belong to, by row. */
  ids?: ArrayLike<string>;
  /** Row positions in the predicted batch `batchId` (default 0..n-1). */
  rows?: ArrayLike<number>;
  /** Most rows written to the join arrays (sampled by id hash); default 1,000. */
  joinSampleSize?: number;
}

/** Options of `recordFeatures`: the batch options plus `summarize`'s (schema, sketch accuracy, top-k). */
export interface FeatureOptions extends RecordOptions, SummarizeOptions {}

/** A per-request prediction for `recordPrediction`. */
export interface RequestPrediction {
  /** Predicted class. */
  class?: string;
  /** Probability of the positive class (binary) or of the predicted class. */
  score?: number;
  /** Regression output. */
  value?: number;
}

/** Per-request feedback for `recordLabel`. */
export interface RequestLabel {
  /** True class. */
  class?: string;
  /** True regression target. */
  value?: number;
}
