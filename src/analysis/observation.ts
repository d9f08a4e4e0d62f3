/**
 * What one span tells the analysis: which stream it belongs to and the decoded summaries,
 * rows, timing, provenance and join keys it carries. Extraction never throws: a corrupt
 * summary event is reported in `decodeErrors` and the rest of the span is still used.
 */
import type { StreamKey } from '../model/finding.js';
import type { SpanRecord, SpanRecordEvent } from '../model/spanRecord.js';
import {
  ATTR_ML_BATCH_ROWS,
  ATTR_ML_COMPONENT_KIND,
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_IO_INPUTS,
  ATTR_ML_IO_OUTPUTS,
  ATTR_ML_LABEL_CLASS,
  ATTR_ML_LABEL_CLASSES,
  ATTR_ML_LABEL_IDS,
  ATTR_ML_LABEL_VALUE,
  ATTR_ML_LABEL_VALUES,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_MODEL_TRAINED_AT,
  ATTR_ML_MODEL_VERSION,
  ATTR_ML_PIPELINE_NAME,
  ATTR_ML_PIPELINE_RUN_ID,
  ATTR_ML_PREDICTION_CLASS,
  ATTR_ML_PREDICTION_CLASSES,
  ATTR_ML_PREDICTION_ID,
  ATTR_ML_PREDICTION_IDS,
  ATTR_ML_PREDICTION_SCORE,
  ATTR_ML_PREDICTION_SCORES,
  ATTR_ML_PREDICTION_TASK,
  ATTR_ML_PREDICTION_VALUE,
  ATTR_ML_PREDICTION_VALUES,
  ATTR_ML_SAMPLING_SKIPPED_ERRORS,
  ATTR_ML_SAMPLING_SKIPPED_ROWS,
  ATTR_ML_SAMPLING_SKIPPED_RUNS,
  EVENT_ML_FEATURES,
  EVENT_ML_LABELS,
  EVENT_ML_PREDICTIONS,
} from '../semconv/index.js';
import { type BatchSummary, decodeSummaryEvents } from '../summaries/index.js';
import { attrNumber, attrNumbers, attrString, attrStrings, parseTimestampMs } from './attributes.js';

/** `service.name` is OpenTelemetry's own resource key, not an mlobs one. */
const SERVICE_NAME = 'service.name';

/** One sampled prediction that may later be joined with its label. */
export interface PredictionSample {
  /** `ml.prediction.id`. */
  id: string;
  /** Predicted class (classification). */
  predictedClass?: string;
  /** Score (probability) or regression value. */
  score?: number;
  /** Task, when the producer said. */
  task?: 'classification' | 'regression';
}

/** One label (ground truth) for an earlier prediction. */
export interface LabelSample {
  /** `ml.prediction.id` the label is for. */
  id: string;
  /** True class (classification). */
  labelClass?: string;
  /** True value (regression). */
  labelValue?: number;
}

/** Everything the analysis uses from one span. */
export interface Observation {
  /** The stream, when the span is a component run (has `ml.component.name`). */
  stream: StreamKey | undefined;
  /** Trace of the span, for exemplars. */
  traceId: string;
  /** `ml.pipeline.run_id` of the run, when it carries one. */
  runId?: string;
  /** The span itself, for exemplar links. */
  spanId: string;
  /** Parent span id, '' for a root (topology). */
  parentSpanId: string;
  /** Start time, ms since the epoch. */
  startMs: number;
  /** Span links (topology: a run linked to the run that wrote its input). */
  links: { traceId: string; spanId: string }[];
  /** `ml.component.kind`, '' when absent. */
  componentKind: string;
  /** `ml.model.version`, undefined when absent. */
  modelVersion: string | undefined;
  /** End time, ms since the epoch: the time windows use. */
  endMs: number;
  /** Duration in ms (never negative). */
  durationMs: number;
  /** Whether the run ended with status ERROR. */
  error: boolean;
  /** Rows in the batch (`ml.batch.rows`, else the rows of the feature summary, else 0). */
  rows: number;
  /**
   * Runs of the same component a sampled instrumentation did not record since its previous
   * recorded one (`ml.sampling.skipped_runs`), with their rows and errors: the span stands for
   * them as well in run, row and error counts. 0 for a span that stands for itself alone.
   */
  skippedRuns: number;
  /** Rows of the skipped runs. */
  skippedRows: number;
  /** Failed runs among the skipped ones. */
  skippedErrors: number;
  /** Decoded `ml.features` events. */
  features: BatchSummary | undefined;
  /** Decoded `ml.predictions` events. */
  predictions: BatchSummary | undefined;
  /** Model training time, ms since the epoch. */
  modelTrainedAtMs: number | undefined;
  /** `ml.io.inputs`. */
  inputs: string[];
  /** `ml.io.outputs`. */
  outputs: string[];
  /** Sampled predictions to remember for the label join. */
  predictionSamples: PredictionSample[];
  /** Labels carried by this span (attributes or `ml.labels` events). */
  labelSamples: LabelSample[];
  /** One message per summary event that could not be decoded. */
  decodeErrors: string[];
}

/** The `ml.sampling.skipped_*` counts; a bad or absent value counts nothing, errors never more than runs. */
function skipped(
  a: SpanRecord['attributes'],
): Pick<Observation, 'skippedRuns' | 'skippedRows' | 'skippedErrors'> {
  const count = (key: string): number => {
    const v = attrNumber(a, key);
    return v !== undefined && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
  };
  const skippedRuns = count(ATTR_ML_SAMPLING_SKIPPED_RUNS);
  return {
    skippedRuns,
    skippedRows: skippedRuns > 0 ? count(ATTR_ML_SAMPLING_SKIPPED_ROWS) : 0,
    skippedErrors: Math.min(skippedRuns, count(ATTR_ML_SAMPLING_SKIPPED_ERRORS)),
  };
}

/** Stable string form of a stream key, for maps. */
export function streamIdOf(k: StreamKey): string {
  return JSON.stringify([k.service, k.pipeline, k.component, k.model]);
}

function decodeKind(events: SpanRecordEvent[], name: string, errors: string[]): BatchSummary | undefined {
  const mine = events.filter((e) => e.name === name);
  if (mine.length === 0) return undefined;
  try {
    return decodeSummaryEvents(mine);
  } catch (err) {
    errors.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/** A string attribute, or a number one as text (`ml.model.version` = 7). */
function attrScalarString(a: SpanRecord['attributes'], key: string): string | undefined {
  const v = a[key];
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}

function task(s: string | undefined): 'classification' | 'regression' | undefined {
  return s === 'classification' || s === 'regression' ? s : undefined;
}

function samplesFromEvents(span: SpanRecord, out: Observation): void {
  for (const e of span.events) {
    const a = e.attributes;
    if (e.name === EVENT_ML_PREDICTIONS) {
      const ids = attrStrings(a, ATTR_ML_PREDICTION_IDS) ?? [];
      const classes = attrStrings(a, ATTR_ML_PREDICTION_CLASSES);
      const scores = attrNumbers(a, ATTR_ML_PREDICTION_SCORES);
      const values = attrNumbers(a, ATTR_ML_PREDICTION_VALUES);
      const t = task(attrString(a, ATTR_ML_PREDICTION_TASK));
      ids.forEach((id, i) => {
        if (id === '') return;
        const score = values?.[i] ?? scores?.[i];
        out.predictionSamples.push({
          id,
          task: t,
          predictedClass: classes?.[i] || undefined,
          score: score !== undefined && Number.isFinite(score) ? score : undefined,
        });
      });
    } else if (e.name === EVENT_ML_LABELS) {
      const ids = attrStrings(a, ATTR_ML_LABEL_IDS) ?? [];
      const classes = attrStrings(a, ATTR_ML_LABEL_CLASSES);
      const values = attrNumbers(a, ATTR_ML_LABEL_VALUES);
      ids.forEach((id, i) => {
        if (id === '') return;
        const v = values?.[i];
        out.labelSamples.push({
          id,
          labelClass: classes?.[i] || undefined,
          labelValue: v !== undefined && Number.isFinite(v) ? v : undefined,
        });
      });
    }
  }
}

function samplesFromAttributes(span: SpanRecord, out: Observation): void {
  const a = span.attributes;
  const id = attrString(a, ATTR_ML_PREDICTION_ID);
  if (id === undefined || id === '') return;
  const labelClass = attrString(a, ATTR_ML_LABEL_CLASS);
  const labelValue = attrNumber(a, ATTR_ML_LABEL_VALUE);
  if (labelClass !== undefined || labelValue !== undefined) {
    out.labelSamples.push({ id, labelClass, labelValue });
    return;
  }
  const predictedClass = attrString(a, ATTR_ML_PREDICTION_CLASS);
  const value = attrNumber(a, ATTR_ML_PREDICTION_VALUE);
  const score = value ?? attrNumber(a, ATTR_ML_PREDICTION_SCORE);
  if (predictedClass !== undefined || score !== undefined) {
    out.predictionSamples.push({
      id,
      predictedClass,
      score,
      task: value !== undefined ? 'regression' : predictedClass !== undefined ? 'classification' : undefined,
    });
  }
}

function runIdOf(a: SpanRecord['attributes']): string | undefined {
  const id = attrString(a, ATTR_ML_PIPELINE_RUN_ID);
  return id === '' ? undefined : id;
}

/** Extracts what the analysis needs from a span. Never throws. */
export function extractObservation(span: SpanRecord): Observation {
  const a = span.attributes;
  const component = attrString(a, ATTR_ML_COMPONENT_NAME);
  const stream: StreamKey | undefined =
    component === undefined
      ? undefined
      : {
          service: attrString(span.resource, SERVICE_NAME) ?? '',
          pipeline: attrString(a, ATTR_ML_PIPELINE_NAME) ?? '',
          component,
          model: attrString(a, ATTR_ML_MODEL_NAME) ?? '',
        };
  const decodeErrors: string[] = [];
  const features = stream ? decodeKind(span.events, EVENT_ML_FEATURES, decodeErrors) : undefined;
  const predictions = stream ? decodeKind(span.events, EVENT_ML_PREDICTIONS, decodeErrors) : undefined;
  const rowsAttr = attrNumber(a, ATTR_ML_BATCH_ROWS);
  const out: Observation = {
    stream,
    traceId: span.traceId,
    ...(runIdOf(a) !== undefined ? { runId: runIdOf(a) } : {}),
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    startMs: span.startMs,
    links: span.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
    componentKind: attrString(a, ATTR_ML_COMPONENT_KIND) ?? '',
    modelVersion: attrScalarString(a, ATTR_ML_MODEL_VERSION),
    endMs: span.endMs,
    durationMs: Math.max(0, span.endMs - span.startMs),
    error: span.status === 'error',
    rows: rowsAttr !== undefined && rowsAttr >= 0 ? rowsAttr : (features?.rows ?? 0),
    ...skipped(a),
    features,
    predictions,
    modelTrainedAtMs: parseTimestampMs(attrString(a, ATTR_ML_MODEL_TRAINED_AT)),
    inputs: (attrStrings(a, ATTR_ML_IO_INPUTS) ?? []).filter((s) => s !== ''),
    outputs: (attrStrings(a, ATTR_ML_IO_OUTPUTS) ?? []).filter((s) => s !== ''),
    predictionSamples: [],
    labelSamples: [],
    decodeErrors,
  };
  samplesFromAttributes(span, out);
  samplesFromEvents(span, out);
  return out;
}
