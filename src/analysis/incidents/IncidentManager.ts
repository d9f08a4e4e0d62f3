/**
 * Turns findings into incidents. A detector/stream/feature key must be anomalous in k of
 * its last n windows before it opens anything (one noisy window is not an incident), except
 * that a critical finding opens at once. While an incident is open, findings of its keys
 * join it instead of opening new ones, and so do new keys of the same pipeline that fire
 * within `groupWithinMs` of its last finding. It resolves after `resolveAfterWindows`
 * windows without a finding (checked by {@link IncidentManager.tick} once all windows due
 * at a time were processed, so one quiet stream cannot resolve an incident another stream
 * is still feeding in the same round), and new incidents are rate-limited per hour.
 */
import type { Cause, Finding, Incident, Severity, StreamKey } from '../../model/finding.js';
import { stableId } from '../ids.js';
import { streamIdOf } from '../observation.js';
import type { ResolvedIncidentOptions } from './IncidentOptions.js';

/** What happened to an incident. */
export type IncidentChange = 'opened' | 'updated' | 'resolved';

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
const HOUR_MS = 3_600_000;

interface KeyState {
  streamId: string;
  /** Last n windows, newest last: the finding of that window or undefined. */
  history: (Finding | undefined)[];
}

/** How one stream that feeds an open incident has behaved since its last finding. */
interface StreamQuiet {
  /** Windows of this stream judged without a finding of the incident since its last one. */
  quiet: number;
}

/** When a stream's windows were last judged, and how far apart they usually are. */
interface StreamTimes {
  /** End of the stream's latest judged window. */
  lastEndMs: number;
  /** Smoothed time between its judged windows (0 until two). */
  gapMs: number;
}

interface OpenState {
  incident: Incident;
  keys: Set<string>;
  /** Per stream id: quiet windows, so a stream whose windows close late cannot be outvoted. */
  streams: Map<string, StreamQuiet>;
}

/** Everything an IncidentManager remembers, as plain data (for durable state). */
export interface IncidentManagerState {
  /** Hysteresis history per key: the finding of each of the last n windows, or null. */
  keys: { key: string; streamId: string; history: (Finding | null)[] }[];
  /** Open incidents with the keys that feed them and their streams' quiet windows. */
  open: { incident: Incident; keys: string[]; streams?: [string, StreamQuiet][] }[];
  /** Open times inside the last hour (rate limit). */
  opens: number[];
  /** Sequence for incident ids. */
  seq: number;
  /** Counter, see {@link IncidentManager.suppressedByRate}. */
  suppressedByRate: number;
  /** Counter, see {@link IncidentManager.droppedKeys}. */
  droppedKeys: number;
  /** When each stream was last judged and its usual gap (absent in older state). */
  streamTimes?: [string, StreamTimes][];
}

/** Incident bookkeeping; pure and synchronous, driven by window closes. */
export class IncidentManager {
  /** Confirmed findings that could not open an incident because of the hourly limit. */
  suppressedByRate = 0;
  /** Hysteresis keys dropped because `maxKeys` were tracked. */
  droppedKeys = 0;
  private readonly keys = new Map<string, KeyState>();
  private readonly keysByStream = new Map<string, Set<string>>();
  private readonly open = new Map<string, OpenState>();
  private readonly byKey = new Map<string, OpenState>();
  private readonly opens: number[] = [];
  private readonly streamTimes = new Map<string, StreamTimes>();
  private seq = 0;

  /**
   * @param diagnose ranks an incident's causes; called whenever findings join an incident, so
   *   a cause that looked right early is replaced when more evidence arrives.
   */
  constructor(
    private readonly opts: ResolvedIncidentOptions,
    private readonly windowStepMs: number,
    private readonly emit: (change: IncidentChange, incident: Incident) => void,
    private readonly diagnose?: (incident: Incident) => Cause[],
  ) {}

  /** Open incidents, oldest first. */
  openIncidents(): Incident[] {
    return [...this.open.values()].map((s) => s.incident);
  }

  /** Feeds the findings of one closed window of one stream (possibly none). */
  processWindow(stream: StreamKey, windowEndMs: number, findings: readonly Finding[]): void {
    const sid = streamIdOf(stream);
    // One key (detector, stream, feature) may fire several statistics in a window (ks and
    // psi): hysteresis counts the window once and remembers its worst finding; an incident
    // gets every finding from the window it opens in on, and the remembered ones before.
    const fired = new Map<string, Finding[]>();
    for (const f of findings) {
      const k = keyOf(f);
      const list = fired.get(k);
      if (list) list.push(f);
      else fired.set(k, [f]);
    }
    this.advanceHistory(sid, fired);
    this.countQuiet(sid, windowEndMs, fired);
    const opened: OpenState[] = [];
    const updated = new Set<OpenState>();
    const touched = new Set<OpenState>();
    for (const [key, fs] of fired) {
      const f = worst(fs);
      const existing = this.byKey.get(key);
      if (existing) {
        touched.add(existing);
        if (this.join(existing, key, fs)) updated.add(existing);
        continue;
      }
      const st = this.keys.get(key);
      const earlier = st ? (st.history.slice(0, -1).filter((x) => x !== undefined) as Finding[]) : [];
      if (earlier.length + 1 < this.opts.openAfter && f.severity !== 'critical') continue;
      const group = this.groupFor(f, windowEndMs);
      if (group) {
        this.join(group, key, [...earlier, ...fs]);
        touched.add(group);
        if (!opened.includes(group)) updated.add(group);
        continue;
      }
      if (!this.allowOpen(windowEndMs)) {
        this.suppressedByRate++;
        continue;
      }
      const s = this.create(f, windowEndMs);
      this.join(s, key, [...earlier, ...fs]);
      touched.add(s);
      opened.push(s);
    }
    for (const s of touched) if (this.rediagnose(s.incident) && !opened.includes(s)) updated.add(s);
    for (const s of opened) this.emit('opened', s.incident);
    for (const s of updated) if (!opened.includes(s)) this.emit('updated', s.incident);
  }

  /**
   * Resolves incidents that have been quiet for `resolveAfterWindows` windows as of `nowMs`
   * (the end of the latest closed window). Time-based, so an incident whose streams stopped
   * altogether still resolves while other streams keep time moving.
   */
  tick(nowMs: number): void {
    const r = this.opts.resolveAfterWindows;
    for (const [id, s] of this.open) {
      const quietWindows = Math.floor((nowMs - s.incident.lastFindingAtMs) / this.windowStepMs);
      if (quietWindows < r) continue;
      // Every stream feeding the incident must have judged r windows without a finding, unless
      // it stopped sending (silent for r windows and three of its usual gaps): a stream whose
      // runs are late or straddle windows cannot be outvoted by streams whose windows close first.
      let waiting = false;
      for (const [sid, q] of s.streams) {
        const t = this.streamTimes.get(sid);
        const silent = t === undefined ? Number.POSITIVE_INFINITY : nowMs - t.lastEndMs;
        const gap = t?.gapMs ?? 0;
        if (q.quiet < r && !(silent >= r * this.windowStepMs && silent >= 3 * gap)) waiting = true;
      }
      if (waiting) continue;
      s.incident.status = 'resolved';
      s.incident.resolvedAtMs = nowMs;
      this.open.delete(id);
      for (const k of s.keys) if (this.byKey.get(k) === s) this.byKey.delete(k);
      this.emit('resolved', s.incident);
    }
  }

  /** The state as plain data (incidents and findings are shared, not copied). */
  snapshot(): IncidentManagerState {
    return {
      keys: [...this.keys].map(([key, st]) => ({
        key,
        streamId: st.streamId,
        history: st.history.map((f) => f ?? null),
      })),
      open: [...this.open.values()].map((s) => ({
        incident: s.incident,
        keys: [...s.keys],
        streams: [...s.streams].map(([k, q]) => [k, { ...q }] as [string, StreamQuiet]),
      })),
      opens: [...this.opens],
      seq: this.seq,
      suppressedByRate: this.suppressedByRate,
      droppedKeys: this.droppedKeys,
      streamTimes: [...this.streamTimes].map(([k, t]) => [k, { ...t }] as [string, StreamTimes]),
    };
  }

  /** Replaces the state with a snapshot (after a restart); emits nothing. */
  restore(s: IncidentManagerState): void {
    this.keys.clear();
    this.keysByStream.clear();
    this.open.clear();
    this.byKey.clear();
    for (const k of s.keys) {
      this.keys.set(k.key, { streamId: k.streamId, history: k.history.map((f) => f ?? undefined) });
      let mine = this.keysByStream.get(k.streamId);
      if (!mine) {
        mine = new Set();
        this.keysByStream.set(k.streamId, mine);
      }
      mine.add(k.key);
    }
    for (const o of s.open) {
      o.incident.causes ??= []; // stored before the diagnosis existed
      const st: OpenState = {
        incident: o.incident,
        keys: new Set(o.keys),
        streams: new Map((o.streams ?? []).map(([k, q]) => [k, { ...q }])),
      };
      this.open.set(o.incident.id, st);
      for (const k of o.keys) this.byKey.set(k, st);
    }
    this.opens.splice(0, this.opens.length, ...s.opens);
    this.seq = s.seq;
    this.suppressedByRate = s.suppressedByRate;
    this.droppedKeys = s.droppedKeys;
    this.streamTimes.clear();
    for (const [k, t] of s.streamTimes ?? []) this.streamTimes.set(k, { ...t });
  }

  private advanceHistory(sid: string, fired: Map<string, Finding[]>): void {
    let mine = this.keysByStream.get(sid);
    if (!mine) {
      mine = new Set();
      this.keysByStream.set(sid, mine);
    }
    for (const key of fired.keys()) {
      if (mine.has(key)) continue;
      if (this.keys.size >= this.opts.maxKeys) {
        this.droppedKeys++;
        continue;
      }
      mine.add(key);
      this.keys.set(key, { streamId: sid, history: [] });
    }
    for (const key of mine) {
      const st = this.keys.get(key)!;
      const fs = fired.get(key);
      st.history.push(fs ? worst(fs) : undefined);
      if (st.history.length > this.opts.ofLast) st.history.shift();
      if (st.history.every((x) => x === undefined) && !this.byKey.has(key)) {
        this.keys.delete(key);
        mine.delete(key);
      }
    }
  }

  private groupFor(f: Finding, nowMs: number): OpenState | undefined {
    for (const s of this.open.values()) {
      const i = s.incident;
      if (
        i.service === f.stream.service &&
        i.pipeline === f.stream.pipeline &&
        nowMs - i.lastFindingAtMs <= this.opts.groupWithinMs
      )
        return s;
    }
    return undefined;
  }

  private allowOpen(nowMs: number): boolean {
    while (this.opens.length > 0 && this.opens[0]! <= nowMs - HOUR_MS) this.opens.shift();
    if (this.opens.length >= this.opts.maxNewPerHour) return false;
    this.opens.push(nowMs);
    return true;
  }

  private create(f: Finding, nowMs: number): OpenState {
    const seq = this.seq++;
    const incident: Incident = {
      id: stableId('incident', f.stream.service, f.stream.pipeline, nowMs, seq),
      status: 'open',
      title: '',
      severity: f.severity,
      service: f.stream.service,
      pipeline: f.stream.pipeline,
      openedAtMs: nowMs,
      lastFindingAtMs: nowMs,
      components: [],
      features: [],
      findings: [],
      findingCount: 0,
      causes: [],
    };
    const s: OpenState = { incident, keys: new Set(), streams: new Map() };
    this.open.set(incident.id, s);
    return s;
  }

  /** Adds findings to an incident; returns whether anything people see changed. */
  private join(s: OpenState, key: string, findings: Finding[]): boolean {
    const i = s.incident;
    let changed = !s.keys.has(key);
    s.keys.add(key);
    this.byKey.set(key, s);
    const sid = this.keys.get(key)?.streamId;
    if (sid !== undefined && !s.streams.has(sid)) s.streams.set(sid, { quiet: 0 });
    for (const f of findings) {
      if (i.findings.some((x) => x.id === f.id)) continue;
      i.findings.push(f);
      if (i.findings.length > this.opts.maxFindingsPerIncident) dropOne(i.findings);
      i.findingCount++;
      i.lastFindingAtMs = Math.max(i.lastFindingAtMs, f.windowEndMs);
      if (RANK[f.severity] > RANK[i.severity]) {
        i.severity = f.severity;
        changed = true;
      }
      if (!i.components.includes(f.stream.component)) i.components.push(f.stream.component);
      if (f.feature !== '' && !i.features.includes(f.feature)) i.features.push(f.feature);
    }
    i.components.sort();
    i.features.sort();
    i.title = titleOf(i);
    return changed;
  }

  /** One more judged window of a stream: its timing, and quiet or not for each incident it feeds. */
  private countQuiet(sid: string, windowEndMs: number, fired: Map<string, Finding[]>): void {
    const t = this.streamTimes.get(sid);
    if (t === undefined) {
      this.streamTimes.set(sid, { lastEndMs: windowEndMs, gapMs: 0 });
      // Bounded like the keys: a stream the Analyzer no longer sends is forgotten first.
      if (this.streamTimes.size > this.opts.maxKeys)
        this.streamTimes.delete(this.streamTimes.keys().next().value as string);
    } else if (windowEndMs > t.lastEndMs) {
      const gap = windowEndMs - t.lastEndMs;
      t.gapMs = t.gapMs === 0 ? gap : Math.max(gap, 0.7 * t.gapMs + 0.3 * gap);
      t.lastEndMs = windowEndMs;
    }
    for (const s of this.open.values()) {
      const q = s.streams.get(sid);
      if (q === undefined) continue;
      let hit = false;
      for (const k of fired.keys()) if (s.keys.has(k)) hit = true;
      q.quiet = hit ? 0 : q.quiet + 1;
    }
  }

  /**
   * Ranks the incident's causes again; `components` becomes the ranked components followed by
   * the others in name order. Returns whether the root cause changed (people should hear of it).
   */
  private rediagnose(i: Incident): boolean {
    if (this.diagnose === undefined) return false;
    const before = i.causes[0];
    i.causes = this.diagnose(i);
    const ranked = i.causes.map((c) => c.component);
    const rest = [...i.components].filter((c) => !ranked.includes(c)).sort();
    i.components = [...new Set(ranked), ...rest];
    i.title = titleOf(i);
    const after = i.causes[0];
    return before?.component !== after?.component || before?.kind !== after?.kind;
  }
}

/**
 * Drops one finding from a full list: the oldest that is not the first of its key, so each
 * key keeps its onset (which the diagnosis orders causes by) and the list its newest findings.
 */
function dropOne(findings: Finding[]): void {
  const seen = new Set<string>();
  for (let k = 0; k < findings.length; k++) {
    const key = keyOf(findings[k]!);
    if (seen.has(key)) {
      findings.splice(k, 1);
      return;
    }
    seen.add(key);
  }
  findings.shift();
}

function worst(fs: readonly Finding[]): Finding {
  return fs.reduce((a, b) => (RANK[b.severity] > RANK[a.severity] ? b : a));
}

function keyOf(f: Finding): string {
  return JSON.stringify([f.detector, streamIdOf(f.stream), f.feature]);
}

function titleOf(i: Incident): string {
  const where = i.pipeline !== '' ? i.pipeline : i.service;
  const detectors = [...new Set(i.findings.map((f) => f.detector))].sort().join(', ');
  // The features that moved at the root cause first: they are where to look.
  const lead = (i.causes[0]?.evidence.features ?? []).filter((f) => i.features.includes(f));
  const features = [...lead, ...i.features.filter((f) => !lead.includes(f))];
  const what = features.length > 0 ? features.slice(0, 3).join(', ') : 'stream-level';
  const more = features.length > 3 ? ` and ${features.length - 3} more` : '';
  return `${detectors} in ${where}: ${what}${more} (${i.components.join(', ')})`;
}
