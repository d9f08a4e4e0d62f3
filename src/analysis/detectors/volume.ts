/**
 * Volume: rows per window against the reference's rows per window. A feed that silently
 * halves (a partition stopped arriving) or doubles (replayed data) changes what the model
 * sees without changing any distribution.
 *
 * With a rows-per-window spread from at least two reference windows, the band is
 * mean ± k·sd of those windows: batchy traffic is far more variable than Poisson and only
 * the reference's own variation says how much. Without a spread (one window, or sd 0) the
 * count is judged as Poisson with the reference mean, which is tight, so the relative-change
 * floor carries the decision there.
 *
 * A drop that the window's failed runs account for is not a volume finding: a run that threw
 * before writing its rows is an error of that component (the `error_rate` detector's finding),
 * and a volume finding beside it would point the diagnosis at missing data instead. The drop
 * counts as explained when the runs that succeeded wrote at least (1 − minRelativeChange) of
 * what as many successful reference runs wrote.
 *
 * A drop that comes from runs that did not happen (each run wrote its usual rows, there were
 * fewer of them) is still a finding, but says so (`details.missingRuns`): a batch stage that ran
 * once instead of twice is usually downstream of a run that failed or never started, which the
 * diagnosis can then look for upstream.
 */
import { poissonCdf, poissonUpperTail } from '../stats/gamma.js';
import { normalTwoSided } from '../stats/normal.js';
import { requireOpenUnit, requirePositive } from './configChecks.js';
import type { Candidate, Detector, Reference, WindowData } from './detector.js';
import { DEFAULT_CALIBRATION_K, fmt, severityOf } from './thresholds.js';

/** Configuration of {@link createVolumeDetector}; every field has a documented default. */
export interface VolumeConfig {
  /** Raw significance level of the Poisson fallback. Default 0.01. */
  alpha?: number;
  /** k of the calibrated band mean ± k·sd. Default 3. */
  calibrationK?: number;
  /** Smallest relative change |rows/mean − 1| worth a finding. Default 0.3. */
  minRelativeChange?: number;
  /** Relative change from which a finding is critical. Default 0.8 (e.g. down to a fifth). */
  criticalRelativeChange?: number;
}

/** {@link VolumeConfig} with defaults applied. */
export type ResolvedVolumeConfig = Required<VolumeConfig>;

/** Defaults of {@link VolumeConfig}. */
export const VOLUME_DEFAULTS: Readonly<ResolvedVolumeConfig> = Object.freeze({
  alpha: 0.01,
  calibrationK: DEFAULT_CALIBRATION_K,
  minRelativeChange: 0.3,
  criticalRelativeChange: 0.8,
});

/** Applies defaults and validates; the error names the detector and the field. */
export function resolveVolumeConfig(config: VolumeConfig = {}, path = 'volume'): ResolvedVolumeConfig {
  const c = { ...VOLUME_DEFAULTS, ...config };
  requireOpenUnit(path, 'alpha', c.alpha);
  for (const key of ['calibrationK', 'minRelativeChange', 'criticalRelativeChange'] as const) {
    requirePositive(path, key, c[key]);
  }
  return c;
}

/** Rows per window against the reference. */
export function createVolumeDetector(config: VolumeConfig = {}): Detector {
  const c = resolveVolumeConfig(config);
  return {
    id: 'volume',
    detect(reference: Reference, current: WindowData): Candidate[] {
      const spread = reference.rowsPerWindow;
      if (spread === undefined || !(spread.mean > 0)) return [];
      const rows = current.rows;
      const mean = spread.mean;
      const change = rows / mean - 1;
      const calibrated = spread.windows >= 2 && spread.sd > 0;
      let pValue: number;
      let outsideBand: boolean;
      let threshold: number;
      if (calibrated) {
        const z = (rows - mean) / spread.sd;
        pValue = normalTwoSided(z);
        outsideBand = Math.abs(z) > c.calibrationK;
        threshold =
          change < 0
            ? Math.min(mean * (1 - c.minRelativeChange), mean - c.calibrationK * spread.sd)
            : Math.max(mean * (1 + c.minRelativeChange), mean + c.calibrationK * spread.sd);
      } else {
        pValue = Math.min(1, 2 * Math.min(poissonCdf(rows, mean), poissonUpperTail(rows, mean)));
        outsideBand = pValue < c.alpha;
        threshold = mean * (change < 0 ? 1 - c.minRelativeChange : 1 + c.minRelativeChange);
      }
      const effect = Math.abs(change);
      const explained = change < 0 && explainedByFailedRuns(reference, current, c.minRelativeChange);
      const anomalous = effect >= c.minRelativeChange && outsideBand && !explained;
      const missing = change < 0 && !explained ? missingRuns(reference, current, c.minRelativeChange) : 0;
      const limitDistance = Math.abs(threshold / mean - 1);
      return [
        {
          feature: '',
          statistic: 'rows',
          value: rows,
          threshold,
          pValue,
          effectSize: effect,
          anomalous,
          severity: severityOf(
            anomalous,
            limitDistance > 0 ? effect / limitDistance : effect,
            c.criticalRelativeChange / c.minRelativeChange,
          ),
          referenceCount: spread.windows,
          currentCount: rows,
          message:
            `${fmt(rows)} rows in the window vs ${fmt(mean)} expected (${change >= 0 ? '+' : ''}${fmt(change * 100)}%)` +
            (explained
              ? `, explained by ${current.errorRuns} failed run${current.errorRuns === 1 ? '' : 's'}`
              : missing > 0
                ? `: ${current.runs} run${current.runs === 1 ? '' : 's'} instead of about ${fmt(current.runs + missing)}${current.runs > 0 ? ', each with its usual rows' : ''}`
                : ''),
          details: {
            expected: mean,
            sd: spread.sd,
            relativeChange: change,
            model: calibrated ? 'calibrated' : 'poisson',
            ...(explained ? { explainedByFailedRuns: current.errorRuns } : {}),
            ...(missing > 0 ? { missingRuns: missing } : {}),
          },
        },
      ];
    },
  };
}

/** Whether the window's failed runs account for its missing rows (see the module comment). */
function explainedByFailedRuns(reference: Reference, current: WindowData, tolerance: number): boolean {
  const profile = reference.runs;
  const spread = reference.rowsPerWindow;
  if (current.errorRuns <= 0 || profile === undefined || spread === undefined) return false;
  const okReference = profile.runs - Math.min(profile.errorRuns, profile.runs);
  if (okReference <= 0) return false;
  const rowsPerOkRun = (spread.mean * spread.windows) / okReference;
  const okNow = current.runs - Math.min(current.errorRuns, current.runs);
  return current.rows >= (1 - tolerance) * okNow * rowsPerOkRun;
}

/**
 * Runs missing from the window when they account for its drop: fewer runs than the reference's
 * per window, each writing at least (1 − tolerance) of the reference's rows per run; else 0.
 */
function missingRuns(reference: Reference, current: WindowData, tolerance: number): number {
  const profile = reference.runs;
  const spread = reference.rowsPerWindow;
  if (profile === undefined || spread === undefined || profile.runs <= 0 || profile.windows <= 0) return 0;
  const runsPerWindow = profile.runs / profile.windows;
  const rowsPerRun = (spread.mean * spread.windows) / profile.runs;
  if (!(current.runs <= (1 - tolerance) * runsPerWindow)) return 0;
  if (current.rows < (1 - tolerance) * current.runs * rowsPerRun) return 0;
  return Math.round(runsPerWindow - current.runs);
}
