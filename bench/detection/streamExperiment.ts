/**
 * Detection delay on a stream: component-run spans carrying real summary events go through
 * the Analyzer itself (windows, warm-up reference, detectors, BH, incidents). The first
 * windows are the reference, then clean windows, then a change point from which every
 * window is shifted. Delay = windows from the change point to the first window with a
 * finding (0 = the change window itself), and to the first incident opened.
 */
import { Analyzer } from '../../src/analysis/Analyzer.js';
import { createDetectors } from '../../src/analysis/detectors/index.js';
import type { SpanRecord } from '../../src/model/spanRecord.js';
import {
  ATTR_ML_BATCH_ROWS,
  ATTR_ML_COMPONENT_NAME,
  ATTR_ML_PIPELINE_NAME,
  EVENT_ML_FEATURES,
} from '../../src/semconv/index.js';
import { encodeSummaryEvents } from '../../src/summaries/index.js';
import type { Dataset } from './dataset.js';
import { summarizeBatch } from './MlobsJudge.js';
import { Random, seedOf } from './Random.js';
import { allShifts, CLEAN_SHIFTS, shiftContext } from './shifts.js';

/** Shape of every simulated stream. */
export interface StreamPlan {
  /** Rows per window. */
  rowsPerWindow: number;
  /** Spans (batches) per window. */
  spansPerWindow: number;
  /** Warm-up windows (the Analyzer's reference; its default is 5). */
  warmup: number;
  /** Clean windows judged before the change point. */
  clean: number;
  /** Shifted windows after the change point. */
  after: number;
  /** Streams per shift. */
  seeds: number;
  /** Shift ids. */
  shiftIds: string[];
}

/** Result of one shift on one dataset, over all seeds. */
export interface StreamResult {
  /** Dataset. */
  dataset: string;
  /** Shift id. */
  shift: string;
  /** Streams run. */
  streams: number;
  /** Per stream: windows from change to first finding (Infinity = never). */
  findingDelays: number[];
  /** Per stream: windows from change to the window whose close opened an incident (Infinity = never). */
  incidentDelays: number[];
  /** Clean (judged, pre-change) windows with a finding, summed over streams. */
  cleanWindowsWithFinding: number;
  /** Clean windows judged, summed over streams. */
  cleanWindows: number;
}

const STEP_MS = 60_000;
const T0 = Date.UTC(2026, 0, 1);

let spanSeq = 0;
function hex(n: number, digits: number): string {
  return n.toString(16).padStart(digits, '0');
}

function span(endMs: number, b: Parameters<typeof summarizeBatch>[0]): SpanRecord {
  spanSeq++;
  const events = encodeSummaryEvents(summarizeBatch(b), EVENT_ML_FEATURES).map((e) => ({
    name: e.name,
    timeMs: endMs,
    attributes: e.attributes as SpanRecord['attributes'],
  }));
  return {
    traceId: hex(spanSeq, 32),
    spanId: hex(spanSeq, 16),
    parentSpanId: '',
    name: 'featurize',
    startMs: endMs - 5,
    endMs,
    status: 'unset',
    resource: { 'service.name': 'bench' },
    attributes: {
      [ATTR_ML_PIPELINE_NAME]: 'detection',
      [ATTR_ML_COMPONENT_NAME]: 'features',
      [ATTR_ML_BATCH_ROWS]: b.n,
    },
    events,
    links: [],
  };
}

/** Runs every configured shift on one dataset. */
export function runStreams(dataset: Dataset, plan: StreamPlan): StreamResult[] {
  const ctxRef = dataset.sample(20_000, new Random(seedOf(dataset.name, 'stream-context')));
  const ctx = shiftContext(dataset, ctxRef);
  const shifts = allShifts().filter((s) => plan.shiftIds.includes(s.id));
  const total = plan.warmup + plan.clean + plan.after;
  const change = plan.warmup + plan.clean;
  const out: StreamResult[] = [];
  for (const shift of shifts) {
    // A clean condition (rows repeated) holds from the first window: every judged window is clean.
    const everywhere = CLEAN_SHIFTS.has(shift.id);
    const res: StreamResult = {
      dataset: dataset.name,
      shift: shift.id,
      streams: plan.seeds,
      findingDelays: [],
      incidentDelays: [],
      cleanWindowsWithFinding: 0,
      cleanWindows: 0,
    };
    for (let seed = 0; seed < plan.seeds; seed++) {
      const withFinding = new Set<number>();
      const judged = new Set<number>();
      let incidentAt = Number.POSITIVE_INFINITY;
      const analyzer = new Analyzer({
        window: { lengthMs: STEP_MS },
        detectors: createDetectors(),
        reference: { windows: plan.warmup },
        listener: {
          onWindow(report) {
            const w = Math.round((report.startMs - T0) / STEP_MS);
            if (report.referenceSource !== undefined) judged.add(w);
            if (report.findings.length > 0) withFinding.add(w);
          },
          onIncident(changeKind, incident) {
            if (changeKind !== 'opened') return;
            // An incident opens when a window closes: openedAtMs is that window's end.
            const w = Math.floor((incident.openedAtMs - 1 - T0) / STEP_MS);
            incidentAt = Math.min(incidentAt, w);
          },
        },
      });
      const rng = new Random(seedOf(dataset.name, 'stream', shift.id, seed));
      for (let w = 0; w < total; w++) {
        const shifted = everywhere || w >= change;
        const per = Math.floor(plan.rowsPerWindow / plan.spansPerWindow);
        for (let s = 0; s < plan.spansPerWindow; s++) {
          const b = dataset.sample(per, rng, shifted ? shift.accept?.(ctx, rng) : undefined);
          if (shifted) shift.apply?.(b, ctx, rng);
          const endMs = T0 + w * STEP_MS + ((s + 1) * STEP_MS) / (plan.spansPerWindow + 1);
          analyzer.ingest(span(endMs, b));
        }
      }
      analyzer.flush();
      for (let w = plan.warmup; w < (everywhere ? total : change); w++) {
        if (!judged.has(w)) continue;
        res.cleanWindows++;
        if (withFinding.has(w)) res.cleanWindowsWithFinding++;
      }
      let first = Number.POSITIVE_INFINITY;
      for (let w = change; w < total; w++) {
        if (withFinding.has(w)) {
          first = w - change;
          break;
        }
      }
      res.findingDelays.push(first);
      res.incidentDelays.push(incidentAt >= change ? incidentAt - change : Number.POSITIVE_INFINITY);
    }
    out.push(res);
  }
  return out;
}
