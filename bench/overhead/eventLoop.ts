/**
 * How long the in-process analysis holds the application's event loop: an app with 16
 * streams (one component each), 20-feature summaries of 1 000-row batches, 4 runs per
 * stream per 1-minute window, through 8 windows (5 of warm-up, then judged windows). Each
 * span's `end()` (which runs `MlSpanProcessor.onEnd` synchronously: ingestion, window close,
 * judging) is timed. `yielding` gives the event loop a turn between spans, as a real app does
 * (references are then built ahead, one stream per turn); `back-to-back` never yields, so
 * every reference is built inside the onEnd that closes the first judged window, as before.
 * Goal (issue 11): no single onEnd or window close blocks the loop > 50 ms.
 * Run: `npx tsx bench/overhead/eventLoop.ts`.
 */

import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Attributes } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_ML_BATCH_ROWS,
  ATTR_ML_COMPONENT_KIND,
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_PIPELINE_NAME,
} from '../../src/semconv/index.js';
import { MlSpanProcessor } from '../../src/stream/index.js';
import { encodeSummaryEvents, summarize } from '../../src/summaries/index.js';

const STREAMS = 16;
const WINDOWS = 8;
const RUNS_PER_WINDOW = 4;
const MIN = 60_000;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A few distinct summary events, reused round-robin (building them is the app's cost, not measured). */
function summaryEvents(count: number): { name: string; attributes: Attributes }[][] {
  const rand = rng(11);
  return Array.from({ length: count }, () => {
    const columns: Record<string, unknown[]> = {};
    for (let f = 0; f < 16; f++) columns[`num_${f}`] = Array.from({ length: 1000 }, () => rand() * 100 + f);
    for (let f = 0; f < 4; f++)
      columns[`cat_${f}`] = Array.from({ length: 1000 }, () => `c${Math.floor(rand() ** 2 * 30)}`);
    return encodeSummaryEvents(summarize(columns as never), 'ml.features');
  });
}

async function run(yielding: boolean) {
  const processor = new MlSpanProcessor({ window: { lengthMs: MIN }, meter: null, tracer: null });
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('bench');
  const events = summaryEvents(8);
  const t0 = Math.floor((Date.now() - 3 * 3600_000) / MIN) * MIN;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  let longest = 0;
  let longestAt = '';
  const perWindow: number[] = new Array(WINDOWS).fill(0);
  let n = 0;
  for (let w = 0; w < WINDOWS; w++)
    for (let r = 0; r < RUNS_PER_WINDOW; r++)
      for (let s = 0; s < STREAMS; s++) {
        const end = t0 + w * MIN + (r + 1) * 10_000 + s;
        const span = tracer.startSpan('features.transform', {
          startTime: end - 40,
          attributes: {
            [ATTR_ML_PIPELINE_NAME]: 'bench',
            [ATTR_ML_COMPONENT_NAME]: `component_${s}`,
            [ATTR_ML_COMPONENT_KIND]: 'features',
            [ATTR_ML_BATCH_ROWS]: 1000,
          },
        });
        for (const e of events[n++ % events.length]!) span.addEvent(e.name, e.attributes, end - 1);
        const t = performance.now();
        span.end(end);
        const ms = performance.now() - t;
        perWindow[w] = Math.max(perWindow[w]!, ms);
        if (ms > longest) {
          longest = ms;
          longestAt = `window ${w}, run ${r}, stream ${s}`;
        }
        if (yielding) await new Promise((resolve) => setImmediate(resolve));
      }
  loop.disable();
  await provider.shutdown();
  return {
    mode: yielding ? 'yielding' : 'back-to-back',
    'longest onEnd ms': Number(longest.toFixed(1)),
    where: longestAt,
    'longest onEnd per window ms': perWindow.map((x) => x.toFixed(0)).join(' '),
    'event-loop delay max ms': yielding ? Number((loop.max / 1e6).toFixed(1)) : '-',
    'goal ≤ 50 ms': longest <= 50 ? 'met' : 'NOT met',
    failures: processor.failureCount,
  };
}

async function main(): Promise<void> {
  const rows = [await run(true), await run(false)];
  console.log(
    `\nin-process event-loop blocking: ${STREAMS} streams, 20 features, ${RUNS_PER_WINDOW} runs per stream per 1-minute window, ${WINDOWS} windows (5 warm-up), node ${process.version}\n`,
  );
  console.table(rows);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
