/**
 * Benjamini–Hochberg false-discovery-rate control. With hundreds of features tested each
 * window, uncorrected p < 0.01 would raise a few false findings every window; BH keeps
 * the expected share of false findings among those reported at `alpha` (valid under
 * independence or positive dependence, which drift statistics of related features have).
 */

/** Result of {@link benjaminiHochberg}, in the order of the input. */
export interface BhResult {
  /** BH-adjusted p-values (q-values), monotone in the raw p-values, capped at 1. */
  adjusted: number[];
  /** Whether each hypothesis is rejected at FDR `alpha` (adjusted ≤ alpha). */
  rejected: boolean[];
}

/**
 * Adjusts raw p-values with the Benjamini–Hochberg step-up procedure. A missing or NaN
 * p-value counts as 1 (never rejected) but still counts towards the number of tests.
 */
export function benjaminiHochberg(pValues: readonly (number | undefined)[], alpha = 0.05): BhResult {
  const m = pValues.length;
  const clean = pValues.map((p) => (p === undefined || Number.isNaN(p) ? 1 : Math.min(1, Math.max(0, p))));
  const order = clean.map((_, i) => i).sort((x, y) => (clean[x] as number) - (clean[y] as number));
  const adjusted = new Array<number>(m).fill(1);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const index = order[rank - 1] as number;
    running = Math.min(running, ((clean[index] as number) * m) / rank);
    adjusted[index] = running;
  }
  return { adjusted, rejected: adjusted.map((q) => q <= alpha) };
}
