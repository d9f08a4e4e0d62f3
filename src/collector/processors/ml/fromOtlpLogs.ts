/**
 * Labels that arrive as OTLP log records (`ml.prediction.id` with `ml.label.class` or
 * `ml.label.value`, or an `ml.labels` event record with parallel arrays) are turned into
 * the analysis core's SpanRecord shape, so the same label join handles spans and logs.
 * Records that carry no label are skipped: the Analyzer would ignore them anyway.
 */
import { nanosToMs, plainFromKeyValues } from '../../../analysis/adapters/fromOtlp.js';
import type { LogRecord, LogsData } from '../../../model/otlp.js';
import type { PlainAttributes, SpanRecord } from '../../../model/spanRecord.js';
import {
  ATTR_ML_LABEL_CLASS,
  ATTR_ML_LABEL_IDS,
  ATTR_ML_LABEL_VALUE,
  EVENT_ML_LABELS,
} from '../../../semconv/index.js';

function carriesLabels(r: LogRecord, attrs: PlainAttributes): boolean {
  if (r.eventName === EVENT_ML_LABELS) return attrs[ATTR_ML_LABEL_IDS] !== undefined;
  return attrs[ATTR_ML_LABEL_CLASS] !== undefined || attrs[ATTR_ML_LABEL_VALUE] !== undefined;
}

/** The label-carrying log records of a batch as SpanRecords, in order. */
export function labelRecordsFromLogs(data: LogsData): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (const rl of data.resourceLogs) {
    let resource: PlainAttributes | undefined;
    for (const sl of rl.scopeLogs)
      for (const r of sl.logRecords) {
        const attributes = plainFromKeyValues(r.attributes);
        if (!carriesLabels(r, attributes)) continue;
        resource ??= plainFromKeyValues(rl.resource.attributes);
        const t = nanosToMs(r.timeUnixNano !== 0n ? r.timeUnixNano : r.observedTimeUnixNano);
        const asEvent = r.eventName === EVENT_ML_LABELS;
        out.push({
          traceId: r.traceId,
          spanId: r.spanId,
          parentSpanId: '',
          name: r.eventName,
          startMs: t,
          endMs: t,
          status: 'unset',
          resource,
          attributes: asEvent ? {} : attributes,
          events: asEvent ? [{ name: EVENT_ML_LABELS, timeMs: t, attributes }] : [],
          links: [],
        });
      }
  }
  return out;
}
