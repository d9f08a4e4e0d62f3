/**
 * A deterministic churn pipeline recorded with the real OpenTelemetry SDK: a `featurize`
 * component whose `monthly_spend` turns 30% null from window `faultFrom`, and a `score`
 * component with prediction ids. Summary events are built with the summaries library, so
 * the fixture does not depend on the SDK helpers' buffering.
 */
import type { Attributes, Tracer } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { decodeTracesJson } from '../../../../src/collector/otlp/index.js';
import type { TracesData } from '../../../../src/model/otlp.js';
import {
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_PIPELINE_NAME,
  ATTR_ML_PREDICTION_CLASS,
  ATTR_ML_PREDICTION_ID,
  EVENT_ML_FEATURES,
} from '../../../../src/semconv/index.js';
import { encodeSummaryEvents, summarize } from '../../../../src/summaries/index.js';
import { normals, rng, withNulls } from '../../../analysis/fixtures.js';

/** Window length of the fixture. */
export const MIN = 60_000;
/** Start of the fixture's time. */
export const T0 = Date.UTC(2026, 0, 1);

/** Records `windows` windows of the pipeline (4 runs of each component per window). */
export function recordPipeline(tracer: Tracer, windows: number, faultFrom: number, seed = 7): void {
  const r = rng(seed);
  const plans = ['basic', 'plus', 'pro'];
  for (let w = 0; w < windows; w++)
    for (let b = 0; b < 4; b++) {
      const end = T0 + w * MIN + b * (MIN / 4) + 500;
      const span = tracer.startSpan('featurize', {
        startTime: end - 120,
        attributes: { [ATTR_ML_PIPELINE_NAME]: 'churn', [ATTR_ML_COMPONENT_NAME]: 'featurize' },
      });
      const cols = {
        tenure: normals(150, r, 24, 6),
        monthly_spend: withNulls(normals(150, r, 50, 10), w >= faultFrom ? 0.3 : 0),
        plan: Array.from({ length: 150 }, () => plans[Math.floor(r() * 3)]!),
      };
      for (const e of encodeSummaryEvents(summarize(cols), EVENT_ML_FEATURES))
        span.addEvent(e.name, e.attributes as Attributes, end - 1);
      span.end(end);
      const score = tracer.startSpan('score', {
        startTime: end,
        attributes: {
          [ATTR_ML_PIPELINE_NAME]: 'churn',
          [ATTR_ML_COMPONENT_NAME]: 'score',
          [ATTR_ML_PREDICTION_ID]: `req-${w}-${b}`,
          [ATTR_ML_PREDICTION_CLASS]: r() < 0.5 ? 'stay' : 'churn',
        },
      });
      score.end(end + 50);
    }
}

/** Records the pipeline through `processors` (plus an in-memory exporter) and returns the spans. */
export async function pipelineSpans(
  windows: number,
  faultFrom: number,
  processors: SpanProcessor[] = [],
): Promise<{ spans: ReadableSpan[]; provider: BasicTracerProvider }> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop' }),
    spanProcessors: [...processors, new SimpleSpanProcessor(memory)],
  });
  recordPipeline(provider.getTracer('pipeline'), windows, faultFrom);
  await provider.forceFlush();
  return { spans: memory.getFinishedSpans(), provider };
}

/** SDK spans in our OTLP model, through the official OTLP/JSON serializer. */
export function toTracesData(spans: ReadableSpan[]): TracesData {
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  if (bytes === undefined) throw new Error('serializer returned nothing');
  return decodeTracesJson(new TextDecoder().decode(bytes));
}
