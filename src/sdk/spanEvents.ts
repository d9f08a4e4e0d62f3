/**
 * Adds summary events to a span without anything being lost silently. The OTel SDK enforces
 * span limits by dropping the oldest events, dropping extra event attributes and truncating long
 * strings (a truncated sketch no longer decodes). The limits are not part of the API, so they
 * are read structurally from what the SDK span exposes (`events`, `_spanLimits`,
 * `_attributeValueLengthLimit`); when a limit would bite, the event is not added and the drop is
 * counted and warned about instead.
 */
import type { Attributes } from '@opentelemetry/api';
import { sdkDrops } from './DropCounter.js';
import type { SpanLike } from './types.js';

/** An event ready to add. */
export interface PendingEvent {
  /** Event name. */
  name: string;
  /** Event attributes. */
  attributes: Attributes;
}

interface VisibleLimits {
  events?: unknown;
  _spanLimits?: {
    eventCountLimit?: number;
    attributePerEventCountLimit?: number;
    attributeValueLengthLimit?: number;
  };
  _attributeValueLengthLimit?: number;
}

/** Adds `events` to `span`; returns how many were added. */
export function addEventsWithinLimits(span: SpanLike, events: readonly PendingEvent[]): number {
  const visible = span as unknown as VisibleLimits;
  const limits = visible._spanLimits ?? {};
  const existing = Array.isArray(visible.events) ? visible.events.length : undefined;
  const eventLimit = finiteLimit(limits.eventCountLimit);
  const perEvent = finiteLimit(limits.attributePerEventCountLimit);
  // The SDK treats a value-length limit <= 0 as "no limit".
  const rawLength = visible._attributeValueLengthLimit ?? limits.attributeValueLengthLimit;
  const valueLength = rawLength !== undefined && rawLength > 0 ? finiteLimit(rawLength) : undefined;
  let room = existing !== undefined && eventLimit !== undefined ? eventLimit - existing : Infinity;
  let added = 0;
  for (const event of events) {
    if (room <= 0) {
      sdkDrops.drop(
        'summary event dropped: span event count limit reached',
        `span already has ${existing} events (eventCountLimit ${eventLimit}); '${event.name}' not added`,
      );
      continue;
    }
    const keys = Object.keys(event.attributes);
    if (perEvent !== undefined && keys.length > perEvent) {
      sdkDrops.drop(
        'summary event dropped: attributePerEventCountLimit too low',
        `'${event.name}' has ${keys.length} attributes, limit ${perEvent}`,
      );
      continue;
    }
    if (valueLength !== undefined && longestString(event.attributes) > valueLength) {
      sdkDrops.drop(
        'summary event dropped: attributeValueLengthLimit would truncate it',
        `'${event.name}' holds a string of ${longestString(event.attributes)} chars, limit ${valueLength}`,
      );
      continue;
    }
    span.addEvent(event.name, event.attributes);
    room--;
    added++;
  }
  return added;
}

function finiteLimit(x: number | undefined): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : undefined;
}

function longestString(attributes: Attributes): number {
  let longest = 0;
  for (const value of Object.values(attributes)) {
    if (typeof value === 'string') longest = Math.max(longest, value.length);
    else if (Array.isArray(value)) {
      for (const v of value) if (typeof v === 'string') longest = Math.max(longest, v.length);
    }
  }
  return longest;
}
