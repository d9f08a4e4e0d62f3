/**
 * A churn-scoring pipeline that falls back to a rules model while its input is broken, and
 * returns to its own model when mlobs says the incident is over — without a redeploy.
 *
 *   npx mlobs collector --config examples/fallback/collector.yaml     # terminal 1
 *   npx tsx examples/fallback/pipeline.ts                             # terminal 2
 *
 * Each batch is one pipeline run: `load` reads customers (tenure, monthly_spend, plan) and
 * `score` runs the current model. From batch `--fault-from` to `--fault-until` the billing feed
 * loses 30% of `monthly_spend`. The collector finds it, opens an incident, and its policy
 * `rules-when-spend-breaks` decides a fallback; this pipeline follows the collector's reaction
 * endpoint with `watchReactions` and its `onReaction('fallback', …)` handler swaps the model —
 * to `churn-rules-v1`, which does not read `monthly_spend`, and back to `churn-gbm` when the
 * incident resolves. The handler's success goes back to the collector, which records it: the
 * collector's logs show `ml.reaction` records for both switches. If the collector cannot be
 * reached, the pipeline keeps the model it runs and the SDK warns once.
 *
 * Options: `--batches N` (56), `--interval MS` (500: four batches per 2-second window),
 * `--fault-from K` (17) and `--fault-until K` (32, the first clean batch again), `--rows N` (400).
 * Environment: `OTEL_EXPORTER_OTLP_ENDPOINT` (http://127.0.0.1:4318), `MLOBS_REACTIONS_URL`
 * (http://127.0.0.1:4320), `MLOBS_REACTIONS_TOKEN` when the endpoint has one.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { component, watchReactions } from '../../src/index.js';

/** A model: probabilities of churn and stay for each customer. */
interface Model {
  name: string;
  version: string;
  score(c: Customers, row: number): number;
}

interface Customers {
  tenure: number[];
  monthly_spend: (number | null)[];
  plan: string[];
}

const PLANS = ['basic', 'plus', 'pro'];

/** The pipeline's own model: leans on monthly_spend, so it misjudges rows where it is missing. */
const GBM: Model = {
  name: 'churn-gbm',
  version: '14',
  score: (c, i) => logistic(0.08 * ((c.monthly_spend[i] ?? 0) - 50) - 0.06 * ((c.tenure[i] ?? 24) - 24)),
};

/** The fallback the policy names: rules on tenure and plan, which the broken feed does not touch. */
const RULES: Model = {
  name: 'churn-rules-v1',
  version: '1',
  score: (c, i) => ((c.tenure[i] ?? 24) < 12 ? 0.6 : c.plan[i] === 'basic' ? 0.35 : 0.15),
};

/** Models a fallback may name, by name. */
const FALLBACKS: Record<string, Model> = { [RULES.name]: RULES };

function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Deterministic PRNG (mulberry32), so every run draws the same customers. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function loadCustomers(rand: () => number, rows: number, broken: boolean): Customers {
  const c: Customers = { tenure: [], monthly_spend: [], plan: [] };
  for (let i = 0; i < rows; i++) {
    c.tenure.push(Math.max(0, Math.round(24 + 10 * gaussian(rand))));
    c.monthly_spend.push(broken && rand() < 0.3 ? null : 50 + 10 * gaussian(rand));
    c.plan.push(PLANS[Math.floor(rand() * PLANS.length)] as string);
  }
  return c;
}

function intOption(args: string[], name: string, dflt: number): number {
  const at = args.indexOf(name);
  if (at < 0) return dflt;
  const v = Number(args[at + 1]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name}: give a whole number, got ${args[at + 1]}`);
  return v;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const batches = intOption(args, '--batches', 56);
  const intervalMs = intOption(args, '--interval', 500);
  const faultFrom = intOption(args, '--fault-from', 17);
  const faultUntil = intOption(args, '--fault-until', 32);
  const rows = intOption(args, '--rows', 400);
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT ??= 'http://127.0.0.1:4318';

  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? 'churn-service' }),
    // Spans reach the collector within 100 ms, so its windows close on time.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 100 })],
  });
  provider.register({ contextManager: new AsyncLocalStorageContextManager() });

  // Closing the loop: follow the reactions the collector decides for this pipeline.
  let model = GBM;
  const reactions = watchReactions({
    endpoint: process.env.MLOBS_REACTIONS_URL ?? 'http://127.0.0.1:4320',
    pipeline: 'churn',
    ...(process.env.MLOBS_REACTIONS_TOKEN ? { token: process.env.MLOBS_REACTIONS_TOKEN } : {}),
    waitMs: 5000,
  });
  reactions.onReaction('fallback', (r) => {
    const next = r.undo ? GBM : FALLBACKS[r.to ?? ''];
    // Throwing makes the outcome `failed` in the collector's ml.reaction record.
    if (next === undefined) throw new Error(`no fallback model named ${r.to}`);
    console.log(
      `switch: ${model.name} → ${next.name} (${r.undo ? 'incident resolved' : `policy ${r.policy}`}: ${r.reason})`,
    );
    model = next;
  });

  try {
    for (let b = 1; b <= batches; b++) {
      if (b > 1) await new Promise((r) => setTimeout(r, intervalMs));
      const broken = b >= faultFrom && b < faultUntil;
      const rand = seeded(1000 + b);
      const used = model; // one model per batch, even if a switch arrives mid-batch
      await component('churn-scoring', { pipeline: 'churn', runId: `run-${b}` }, async () => {
        const customers = await component('load', { kind: 'source' }, async (run) => {
          const data = loadCustomers(rand, rows, broken);
          run.recordFeatures(data, { batchId: `b${b}` });
          return data;
        });
        await component(
          'score',
          { kind: 'inference', model: { name: used.name, version: used.version } },
          async (run) => {
            const probabilities = new Float64Array(rows * 2);
            for (let i = 0; i < rows; i++) {
              const p = used.score(customers, i);
              probabilities[2 * i] = p;
              probabilities[2 * i + 1] = 1 - p;
            }
            run.recordPredictions(
              { probabilities: { data: probabilities, shape: [rows, 2] }, classNames: ['churn', 'stay'] },
              { batchId: `b${b}` },
            );
          },
        );
      });
      console.log(`batch ${b}: scored with ${used.name}${broken ? ' (monthly_spend feed broken)' : ''}`);
    }
  } finally {
    await reactions.stop();
    await provider.shutdown();
    trace.disable();
    context.disable();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
