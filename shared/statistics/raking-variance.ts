/**
 * The variance of item ratios under a raked design, as R's survey package computes it (svyrecvar
 * with a "raking" calibration): each respondent's weighted linearised value is swept ten times over
 * the margins, each sweep removing, per category, the plain mean of value / step weight times the
 * step weight; then the usual stratified cluster variance. Respondent-level: it runs in the job that
 * rakes a round, not from rollups.
 */
import { stratifiedCovariance, type RatioCovariance, type VarianceDesign } from "./linearisation.js";

export interface RakedRespondent {
  stratum: string;
  psu: string;
  /** The respondent's category in each margin, in margin order. */
  categories: readonly string[];
  /** Its final raked weight. */
  weight: number;
  /** Its weight after each margin's post-stratification in the last sweep (RakeResult.stepWeights). */
  stepWeights: readonly number[];
  /** In the domain being estimated. */
  inDomain: boolean;
  /** Score per item, null when not validly answered. */
  scores: ReadonlyArray<number | null>;
}

/** Sweeps over the margins in R's raking variance (fixed in svyrecvar). */
const SWEEPS = 10;

/** Covariance of the domain's item ratios under the raked design, equal to R's. */
export function rakedRatioCovariance(sample: readonly RakedRespondent[], items: number, design: VarianceDesign): RatioCovariance {
  const Y = new Float64Array(items);
  const X = new Float64Array(items);
  for (const r of sample) {
    if (!r.inDomain) continue;
    for (let k = 0; k < items; k++) {
      const s = r.scores[k];
      if (s === null || s === undefined) continue;
      Y[k] = Y[k]! + r.weight * s;
      X[k] = X[k]! + r.weight;
    }
  }
  const ratios = Array.from(X, (x, k) => (x > 0 ? Y[k]! / x : null));
  // Weighted linearised values, respondent by respondent: w (s − R) / X inside the item's domain.
  const values = sample.map((r) => {
    const v = new Float64Array(items);
    if (!r.inDomain) return v;
    for (let k = 0; k < items; k++) {
      const s = r.scores[k];
      if (s === null || s === undefined || !(X[k]! > 0)) continue;
      v[k] = (r.weight * (s - ratios[k]!)) / X[k]!;
    }
    return v;
  });
  const margins = sample[0]?.categories.length ?? 0;
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    for (let m = 0; m < margins; m++) {
      const sums = new Map<string, { n: number; sum: Float64Array }>();
      sample.forEach((r, i) => {
        const c = r.categories[m]!;
        let entry = sums.get(c);
        if (!entry) sums.set(c, (entry = { n: 0, sum: new Float64Array(items) }));
        entry.n++;
        const psw = r.stepWeights[m]!;
        for (let k = 0; k < items; k++) entry.sum[k] = entry.sum[k]! + values[i]![k]! / psw;
      });
      sample.forEach((r, i) => {
        const { n, sum } = sums.get(r.categories[m]!)!;
        const psw = r.stepWeights[m]!;
        const v = values[i]!;
        for (let k = 0; k < items; k++) v[k] = v[k]! - (psw * sum[k]!) / n;
      });
    }
  }
  const byPsu = new Map<string, { stratum: string; u: Float64Array }>();
  sample.forEach((r, i) => {
    const key = `${r.stratum}\u0000${r.psu}`;
    let entry = byPsu.get(key);
    if (!entry) byPsu.set(key, (entry = { stratum: r.stratum, u: new Float64Array(items) }));
    for (let k = 0; k < items; k++) entry.u[k] = entry.u[k]! + values[i]![k]!;
  });
  return { ratios, covariance: stratifiedCovariance(byPsu.values(), items, { ...design, calibrated: true }), size: items };
}
