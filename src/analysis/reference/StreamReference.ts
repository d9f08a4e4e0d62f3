/**
 * The reference of one stream and how it evolves: a matching profile (fixed), the first N
 * windows of the stream (warm-up, fixed once complete) or the N windows before the current
 * one (trailing, rebuilt as the stream moves). Reference windows are kept, not only their
 * merge, so calibration can compare them with each other. A profile holds no component runs,
 * so a profiled stream also keeps its first N live windows, whose runs the run detectors
 * (`latency`, `error_rate`) judge against.
 */
import { ErrorCodes, MlobsError } from '../../errors.js';
import type { StreamKey } from '../../model/finding.js';
import type { Detector, FeatureSchema, Reference, WindowData } from '../detectors/detector.js';
import { type Profile, profileMatches } from '../profile.js';
import { emptyWindow } from '../windows/merge.js';
import { buildReference, runProfile } from './buildReference.js';

/** How references are chosen. */
export interface ReferenceOptions {
  /** `warmup` (default): the first `windows` windows; `trailing`: the `windows` before the current one. */
  mode?: 'warmup' | 'trailing';
  /** Reference windows (default 5). */
  windows?: number;
  /** Profiles; a stream matching one uses it instead of `mode`. */
  profiles?: Profile[];
  /** User schema per feature; overrides the learned and profiled schema field by field. */
  schema?: Record<string, Partial<FeatureSchema>>;
}

/** Reference options with defaults applied. */
export interface ResolvedReferenceOptions {
  /** Mode for streams without a profile. */
  mode: 'warmup' | 'trailing';
  /** Reference windows. */
  windows: number;
  /** Profiles to match. */
  profiles: Profile[];
  /** User schema overrides. */
  schema: Map<string, Partial<FeatureSchema>>;
}

/** Applies defaults and validates; the error names the option. */
export function resolveReferenceOptions(
  o: ReferenceOptions = {},
  path = 'reference',
): ResolvedReferenceOptions {
  const mode = o.mode ?? 'warmup';
  if (mode !== 'warmup' && mode !== 'trailing')
    throw new MlobsError(
      ErrorCodes.MLOBS_ERR_CONFIG_INVALID,
      `${path}.mode: must be warmup or trailing, got ${mode}`,
    );
  const windows = o.windows ?? 5;
  if (!Number.isInteger(windows) || windows < 1)
    throw new MlobsError(
      ErrorCodes.MLOBS_ERR_CONFIG_INVALID,
      `${path}.windows: must be an integer >= 1, got ${windows}`,
    );
  return { mode, windows, profiles: o.profiles ?? [], schema: new Map(Object.entries(o.schema ?? {})) };
}

/** A window feature that does not fit a profile's columns: absent from them, or of another kind. */
export interface ProfileMisfit {
  /** Feature or prediction name. */
  name: string;
  /** `absent` from the profile, or of another `kind` there. */
  kind: 'absent' | 'kind';
  /** For people. */
  why: string;
}

/** The window's features that do not fit a profile's columns; none when all fit. */
export function profileMisfits(p: Profile, w: WindowData): ProfileMisfit[] {
  const out: ProfileMisfit[] = [];
  const check = (name: string, kind: string, profiled: Profile['features']) => {
    const s = profiled.get(name);
    if (s === undefined) out.push({ name, kind: 'absent', why: `${name}: not among its columns` });
    else if (s.kind !== kind)
      out.push({ name, kind: 'kind', why: `${name}: ${kind} here, ${s.kind} in the profile` });
  };
  for (const [name, s] of w.features) check(name, s.kind, p.features);
  for (const [name, s] of w.predictions) check(name, s.kind, p.predictions);
  return out;
}

/** The profile on the window's features and predictions only (an unscoped profile bound to one of its components). */
function restrictProfile(p: Profile, w: WindowData): Profile {
  const keep = <V>(m: Map<string, V>, names: Map<string, unknown>) =>
    new Map([...m].filter(([n]) => names.has(n)));
  return {
    ...p,
    features: keep(p.features, w.features),
    predictions: keep(p.predictions, w.predictions),
    schema: new Map([...p.schema].filter(([n]) => w.features.has(n) || w.predictions.has(n))),
    segments: p.segments.map((s) => ({
      ...s,
      features: keep(s.features, w.features),
      predictions: keep(s.predictions, w.predictions),
    })),
  };
}

/** The reference of one stream. */
export class StreamReference {
  /** Where this stream's reference comes from (a profile refused by `admit` falls back to the mode). */
  source: Reference['source'];
  private readonly pool: WindowData[] = [];
  private cached: Reference | undefined;
  /** First window of the cached reference: a trailing reference is rebuilt when it moves. */
  private cachedFor: WindowData | undefined;
  private profile: Profile | undefined;
  /** Whether `admit` has compared the profile with the stream's features. */
  private admitted = false;

  constructor(
    private readonly stream: StreamKey,
    private readonly opts: ResolvedReferenceOptions,
    private readonly detectors: readonly Detector[],
    private readonly onDetectorError?: (detector: string, err: unknown) => void,
  ) {
    this.profile = opts.profiles.find((p) => profileMatches(p, stream));
    this.source = this.profile ? 'profile' : opts.mode;
  }

  /**
   * The reference to judge a window starting at `windowStartMs` with, or undefined while it
   * is still being gathered. A trailing reference only uses windows that ended by then, so
   * with sliding windows it never overlaps the window it judges.
   */
  current(windowStartMs = Number.POSITIVE_INFINITY): Reference | undefined {
    if (this.profile) {
      this.cached ??= this.fromProfile(this.profile);
      // Training data has no runs: the run detectors judge against the first live windows'.
      if (this.cached.runs === undefined && this.pool.length >= this.opts.windows)
        this.cached.runs = runProfile(this.pool);
      return this.cached;
    }
    const windows =
      this.source === 'trailing'
        ? this.pool.filter((w) => w.endMs <= windowStartMs).slice(-this.opts.windows)
        : this.pool;
    if (windows.length < this.opts.windows) return undefined;
    if (this.cached && this.cachedFor === windows[0]) return this.cached;
    this.cachedFor = windows[0];
    this.cached = buildReference({
      source: this.source,
      windows,
      detectors: this.detectors,
      schemaOverrides: [this.opts.schema],
      onDetectorError: this.onDetectorError,
    });
    return this.cached;
  }

  /**
   * Compares a profile with the first window that has summaries, once. A profile written for
   * no stream in particular (`mlobs profile` without `--stream`) is bound to the streams it was
   * built for, inferred from its columns: a stream at least half of whose features and
   * predictions are among them, none of another kind, is the columns' component and is judged
   * against the profile on just those columns (profiled columns the stream does not record
   * belong to some other component, so they are not "missing" here; the stream's own others are
   * reported, and judged as new). Any other stream is refused: judged against it, its features
   * would be "new" and the profile's "missing" from the first window on; it falls back to its
   * own warm-up windows. A profile named for this stream is kept, and a mismatch is reported.
   * Returns what was decided, for people, or undefined when the profile fits.
   */
  admit(w: WindowData): string | undefined {
    if (this.admitted || this.profile === undefined) return undefined;
    const names = [...w.features.keys(), ...w.predictions.keys()];
    if (names.length === 0) return undefined;
    this.admitted = true;
    const p = this.profile;
    const where = `${this.stream.service}/${this.stream.component}`;
    if (Object.keys(p.stream).length === 0) {
      const misfits = profileMisfits(p, w);
      const conflicts = misfits.filter((m) => m.kind === 'kind');
      if (conflicts.length === 0 && misfits.length * 2 <= names.length) {
        this.profile = restrictProfile(p, w);
        this.cached = undefined;
        return misfits.length === 0
          ? undefined
          : `profile ${p.source} is bound to stream ${where} by ${names.length - misfits.length} of its ${names.length} features; ${misfits.map((m) => m.name).join(', ')} are not among its columns and are judged as new`;
      }
      this.profile = undefined;
      this.source = this.opts.mode;
      this.cached = undefined;
      const why = (conflicts.length > 0 ? conflicts : misfits).map((m) => m.why);
      return `profile ${p.source} was not built for stream ${where} (${why.slice(0, 5).join('; ')}${why.length > 5 ? '; ...' : ''}); the stream is judged against its first ${this.opts.windows} windows instead (bind a profile with mlobs profile --stream component=NAME)`;
    }
    const profiled = new Set([...p.features.keys(), ...p.predictions.keys()]);
    const shared = names.filter((n) => profiled.has(n));
    if (shared.length * 2 >= names.length) return undefined;
    return `profile ${p.source} has ${shared.length} of the ${names.length} features of stream ${where}; the others are judged as new`;
  }

  /**
   * Whether the reference the next window will be judged against could be built now and has
   * not been: {@link StreamReference.prepare} would build it.
   */
  get unprepared(): boolean {
    if (this.profile)
      return (
        this.cached === undefined || (this.cached.runs === undefined && this.pool.length >= this.opts.windows)
      );
    if (this.pool.length < this.opts.windows) return false;
    const first = this.source === 'trailing' ? this.pool.slice(-this.opts.windows)[0] : this.pool[0];
    return this.cached === undefined || this.cachedFor !== first;
  }

  /**
   * Builds (and caches) the reference for the next window ahead of time, so that judging it
   * costs no build: leave-one-out calibration over every feature takes tens of milliseconds
   * per stream, too long for the span that happens to close the window to wait for.
   */
  prepare(): void {
    this.current();
  }

  /** Whether the reference is complete (detection can run). */
  get ready(): boolean {
    return this.profile !== undefined || this.pool.length >= this.opts.windows;
  }

  /**
   * Offers a just-judged window to the reference. Empty windows are never reference material,
   * and neither is a window overlapping the last one kept (sliding windows): overlapping
   * reference windows would share data and make the calibration spread look too small.
   */
  offer(w: WindowData): void {
    if (w.runs === 0) return;
    const last = this.pool[this.pool.length - 1];
    if (last !== undefined && w.startMs < last.endMs) return;
    if (this.source === 'warmup' || this.profile) {
      if (this.pool.length < this.opts.windows) {
        // A profile's reference stays; only its runs wait for the pool to fill.
        this.pool.push(w);
        if (!this.profile) this.cached = undefined;
      }
      return;
    }
    this.pool.push(w);
    // One spare: the newest kept window may still overlap the window being judged.
    if (this.pool.length > this.opts.windows + 1) this.pool.shift();
  }

  /** The reference windows gathered so far (shared, not copied), for durable state. */
  snapshotPool(): WindowData[] {
    return [...this.pool];
  }

  /** Replaces the gathered reference windows (after a restart). */
  restorePool(windows: readonly WindowData[]): void {
    this.pool.length = 0;
    this.pool.push(...windows);
    this.cached = undefined;
    this.cachedFor = undefined;
  }

  private fromProfile(p: Profile): Reference {
    const asWindow = (
      features: WindowData['features'],
      predictions: WindowData['predictions'],
      rows: number,
    ): WindowData => ({ ...emptyWindow(this.stream, 0, 0), rows, features, predictions });
    const windows =
      p.segments.length > 0
        ? p.segments.map((s) => asWindow(s.features, s.predictions, s.rows))
        : [asWindow(p.features, p.predictions, p.rows)];
    const ref = buildReference({
      source: 'profile',
      windows,
      detectors: this.detectors,
      merged: { features: p.features, predictions: p.predictions },
      schemaOverrides: [p.schema, this.opts.schema],
      onDetectorError: this.onDetectorError,
    });
    // Profile chunks are not live windows: their row counts say nothing about volume per window.
    ref.rowsPerWindow = undefined;
    return ref;
  }
}
