/**
 * What a person needs to read a finding without decoding its summaries: means, percentiles,
 * ranges, null shares and top categories of the reference and the current window. Computed
 * from the finding's own base64 summaries when it leaves the core (findings are rare, so the
 * decoding is cheap), so log records carry them as readable attributes.
 */
import type { Finding } from '../../model/finding.js';
import { deserializeFeatureBase64, type FeatureSummary } from '../../summaries/index.js';
import { fmt, numericView, totalCount } from '../detectors/thresholds.js';

/** Readable projection of one side's summary. */
export interface SideProjection {
  /** Mean of the numeric view, when there is one. */
  mean?: number;
  /** "p5 21, p25 30, …" of the numeric view. */
  quantiles?: string;
  /** "[min, max]" of the numeric view. */
  range?: string;
  /** Share of null values. */
  nullShare: number;
  /** "paris 41%, lyon 22%, …" for categorical features. */
  topValues?: string;
}

const PERCENTILES = [0.05, 0.25, 0.5, 0.75, 0.95];

/** The projection of one summary. */
export function projectSummary(s: FeatureSummary): SideProjection {
  const total = totalCount(s);
  const out: SideProjection = { nullShare: total > 0 ? s.nullCount / total : 0 };
  const view = numericView(s);
  if (view !== undefined && view.summary.count > 0) {
    const v = view.summary;
    out.mean = v.mean;
    out.quantiles = PERCENTILES.map((q) => `p${Math.round(q * 100)} ${fmt(v.quantile(q))}`).join(', ');
    out.range = `[${fmt(v.min)}, ${fmt(v.max)}]`;
  }
  if (s.kind === 'categorical' && s.count > 0) {
    out.topValues = s
      .top()
      .slice(0, 5)
      .map((t) => `${t.value} ${fmt((100 * t.count) / s.count)}%`)
      .join(', ');
  }
  return out;
}

/** Both sides' projections of a finding; sides without a summary (or one that fails to decode) are absent. */
export function findingProjections(f: Finding): { reference?: SideProjection; current?: SideProjection } {
  const side = (text: string | undefined): SideProjection | undefined => {
    if (text === undefined) return undefined;
    try {
      return projectSummary(deserializeFeatureBase64(text));
    } catch {
      return undefined;
    }
  };
  const reference = side(f.referenceSummary);
  const current = side(f.currentSummary);
  return { ...(reference ? { reference } : {}), ...(current ? { current } : {}) };
}

/** "psi 0.62 > 0.1 (p = 3.1e-12)" for every statistic that fired, decisive first. */
export function statisticLines(f: Finding): string[] {
  const list = f.statistics ?? [
    {
      name: f.statistic,
      value: f.value,
      threshold: f.threshold,
      ...(f.pValue !== undefined ? { pValue: f.pValue } : {}),
    },
  ];
  return list.map((s) => {
    const p = s.pValue === undefined ? '' : s.pValue < 1e-300 ? ' (p < 1e-300)' : ` (p = ${fmt(s.pValue)})`;
    return `${s.name} ${fmt(s.value)} > ${fmt(s.threshold)}${p}`;
  });
}
