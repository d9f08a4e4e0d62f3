/**
 * The simulated churn pipeline shared by the MlSpanProcessor tests: a `featurize` component
 * whose upstream can start sending 30% nulls in one feature, in simulated time.
 */
import type { Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Finding, Incident } from '../../src/model/finding.js';
import { recordFeatures } from '../../src/sdk/index.js';
import {
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_PIPELINE_NAME,
  ATTR_ML_PIPELINE_RUN_ID,
} from '../../src/semconv/index.js';
import { MlSpanProcessor } from '../../src/stream/index.js';
import { normals, rng, withNulls } from '../analysis/fixtures.js';

/** Window length of the simulated pipeline. */
export const MIN = 60_000;
// In the past on any machine: processors drop spans from far in the future (clock skew guard).
/** Start of simulated time. */
export const T0 = Date.UTC(2020, 0, 1);
/** Component runs per window. */
export const BATCHES_PER_WINDOW = 4;
const ROWS = 100;

/** Runs a churn pipeline's `featurize` component for `windows` windows of simulated time. */
export function runPipeline(
  tracer: Tracer,
  windows: number,
  faultFrom: number,
  seed: number,
  fromWindow = 0,
): void {
  const r = rng(seed);
  const plans = ['basic', 'plus', 'pro'];
  for (let w = fromWindow; w < windows; w++)
    for (let b = 0; b < BATCHES_PER_WINDOW; b++) {
      const end = T0 + w * MIN + b * (MIN / BATCHES_PER_WINDOW) + 500;
      const span = tracer.startSpan('featurize', {
        startTime: end - 120,
        // One pipeline run a window (a scheduled job), named as an orchestrator would.
        attributes: {
          [ATTR_ML_PIPELINE_NAME]: 'churn',
          [ATTR_ML_PIPELINE_RUN_ID]: `run-${w}`,
          [ATTR_ML_COMPONENT_NAME]: 'featurize',
        },
      });
      const tenure = normals(ROWS, r, 24, 6);
      // Upstream breaks: from `faultFrom` on, 30% of monthly_spend arrives null.
      const spend = withNulls(normals(ROWS, r, 50, 10), w >= faultFrom ? 0.3 : 0);
      const plan = Array.from({ length: ROWS }, () => plans[Math.floor(r() * 3)]!);
      recordFeatures({ tenure, monthly_spend: spend, plan }, { span });
      span.end(end);
    }
}

/** An MlSpanProcessor with the default detectors in a Node SDK provider, recording its output. */
export function setup() {
  const exporter = new InMemorySpanExporter();
  const findings: Finding[] = [];
  const incidents: [string, Incident][] = [];
  let provider: NodeTracerProvider | undefined;
  const processor = new MlSpanProcessor({
    // No detectors option: the default set, every detector with its defaults.
    window: { lengthMs: MIN },
    meter: null,
    tracer: () => provider!.getTracer('mlobs'),
    listener: {
      onFinding: (f) => findings.push(f),
      onIncident: (c, i) => incidents.push([c, structuredClone(i)]),
    },
  });
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop' }),
    spanProcessors: [processor, new SimpleSpanProcessor(exporter)],
  });
  return { provider, processor, exporter, findings, incidents, tracer: provider.getTracer('pipeline') };
}
