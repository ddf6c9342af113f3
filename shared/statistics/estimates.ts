/**
 * Estimates with their uncertainty from per-PSU sums: item ratios (shares and means) and smooth
 * composites of them, each with standard error, 95% interval, design effect, effective n and n.
 * Equal to R's survey package (svymean / svyratio / svyciprop(method = "beta") / svycontrast)
 * on the designs of test/statistics; docs/statistics.md has the formulas.
 */
import { betaQuantile, tQuantile as tQuantileExact } from "./distributions.js";
import { degreesOfFreedom, quadraticForm, type PsuSums, type RatioCovariance } from "./linearisation.js";

/**
 * "without-replacement": R's svymean(deff = TRUE), SRS without replacement from a population of
 * Σw (needs expansion weights, Σw = population); "replace": svymean(deff = "replace"), SRS with
 * replacement (the one for relative weights or none, where Σw is not a population size).
 */
export type DeffKind = "without-replacement" | "replace";

export interface EstimateOptions {
  deff: DeffKind;
  /**
   * The n in Korn–Graubard's df adjustment (t_{α/2, n−1} / t_{α/2, df})². Absent: the domain's valid
   * answers, which is Korn and Graubard's definition and what R's svyciprop uses for an ordinary
   * design. R keeps every row in a calibrated (post-stratified, raked) design's subsets, so its n is
   * then the whole sample's: pass it to reproduce R there.
   */
  designRows?: number;
  /** Confidence level; 0.95 unless said. */
  level?: number;
}

export interface Interval {
  lo: number;
  hi: number;
  method: "korn-graubard" | "t";
  /** Degrees of freedom used (the design's: PSUs − strata of the domain). */
  df: number;
}

export interface Estimate {
  estimate: number;
  se: number;
  /** Null when the design has no degrees of freedom left for this domain (one PSU per stratum). */
  ci: Interval | null;
  deff: number | null;
  /** Design effective n: n / deff (for a proportion, p(1 − p) / Var as in svyciprop). */
  nEff: number | null;
  /** Kish's effective n from the weights alone: (Σw)² / Σw². */
  nEffKish: number;
  /** Valid answers (items) or respondents (composites) in the domain. */
  n: number;
}

/**
 * Respondent-level cross moments over the domain, for the SRS variance of composites:
 * yy[k·K+l] = Σ w·y_k·y_l, yx[k·K+l] = Σ w·y_k·x_l, xx[k·K+l] = Σ w·x_k·x_l (x_k = 1 when item k is
 * validly answered, y_k = its score then, else 0). Additive over respondents, hence over cells.
 */
export interface CrossMoments {
  size: number;
  yy: Float64Array;
  yx: Float64Array;
  xx: Float64Array;
}

export function emptyCrossMoments(size: number): CrossMoments {
  return { size, yy: new Float64Array(size * size), yx: new Float64Array(size * size), xx: new Float64Array(size * size) };
}

/** Adds one respondent: scores[k] is its score on item k, or null when item k has no valid answer. */
export function addRespondentMoments(m: CrossMoments, scores: ArrayLike<number | null>, weight: number): void {
  const K = m.size;
  for (let k = 0; k < K; k++) {
    const sk = scores[k];
    if (sk === null || sk === undefined) continue;
    for (let l = 0; l < K; l++) {
      const sl = scores[l];
      if (sl === null || sl === undefined) continue;
      const i = k * K + l;
      m.yy[i] = m.yy[i]! + weight * sk * sl;
      m.yx[i] = m.yx[i]! + weight * sk;
      m.xx[i] = m.xx[i]! + weight;
    }
  }
}

const alphaOf = (options: EstimateOptions) => 1 - (options.level ?? 0.95);

// t quantiles recur with the same (p, df) on every row of a breakdown: computed once each.
const tMemo = new Map<string, number>();
function tQuantile(p: number, df: number): number {
  const key = `${p}:${df}`;
  let q = tMemo.get(key);
  if (q === undefined) {
    if (tMemo.size > 10_000) tMemo.clear();
    tMemo.set(key, (q = tQuantileExact(p, df)));
  }
  return q;
}

function srsVariance(sumSquares: number, n: number, total: number, kind: DeffKind): number {
  // R: svyvar = n/(n−1) · Σw(z − z̄)² / Σw; then / n (with replacement) or · (N̂ − n)/(N̂ n).
  const s2 = (n / (n - 1)) * (sumSquares / total);
  return kind === "replace" ? s2 / n : (s2 * (total - n)) / (total * n);
}

function tInterval(estimate: number, se: number, df: number, options: EstimateOptions): Interval | null {
  if (!(df > 0)) return null;
  const q = tQuantile(1 - alphaOf(options) / 2, df);
  return { lo: estimate - q * se, hi: estimate + q * se, method: "t", df };
}

/**
 * Korn–Graubard interval for a proportion p with design variance v, as svyciprop(method = "beta"):
 * the Clopper–Pearson interval at the design's effective n, with that n scaled by
 * (t_{α/2, rows−1} / t_{α/2, df})².
 */
export function kornGraubard(p: number, variance: number, df: number, options: EstimateOptions, fallbackN: number): Interval | null {
  if (!(df > 0)) return null;
  const alpha = alphaOf(options);
  // With no spread (every answer the same) R's n.eff is 0/0; the sample size stands in for it.
  let nEff = variance > 0 ? (p * (1 - p)) / variance : fallbackN;
  const rows = options.designRows ?? fallbackN;
  nEff *= (tQuantile(alpha / 2, rows - 1) / tQuantile(alpha / 2, df)) ** 2;
  return {
    lo: betaQuantile(alpha / 2, nEff * p, nEff * (1 - p) + 1),
    hi: betaQuantile(1 - alpha / 2, nEff * p + 1, nEff * (1 - p)),
    method: "korn-graubard",
    df,
  };
}

/**
 * Item k of the domain: the ratio Σw·score / Σw over valid answers. `proportion` (0/1 scores,
 * a "share" leaf) gives the Korn–Graubard interval; otherwise a t interval.
 */
export function itemEstimate(records: readonly PsuSums[], cov: RatioCovariance, k: number, proportion: boolean, options: EstimateOptions): Estimate | null {
  const p = cov.ratios[k];
  if (p === null || p === undefined) return null;
  let n = 0;
  let X = 0;
  let W2 = 0;
  let Y = 0;
  let YY = 0;
  for (const r of records) {
    const s = r.items[k]!;
    n += s.n;
    X += s.w;
    W2 += s.w2;
    Y += s.y;
    YY += s.yy;
  }
  const variance = Math.max(0, cov.covariance[k * cov.size + k]!);
  const se = Math.sqrt(variance);
  const df = degreesOfFreedom(records).items[k]!;
  const deff = n > 1 ? variance / srsVariance(YY - 2 * p * Y + p * p * X, n, X, options.deff) : null;
  const ci = proportion ? kornGraubard(p, variance, df, options, n) : tInterval(p, se, df, options);
  return {
    estimate: p,
    se,
    ci,
    deff: deff !== null && Number.isFinite(deff) ? deff : null,
    nEff: deff !== null && deff > 0 && Number.isFinite(deff) ? n / deff : null,
    nEffKish: W2 > 0 ? (X * X) / W2 : 0,
    n,
  };
}

/**
 * A smooth function θ of the item ratios, given its value and its gradient ∂θ/∂R_k at the
 * estimates: Var(θ) = ∇θᵀ V ∇θ (delta method = linearisation), a t interval with the domain's design
 * df, and the design effect against SRS of the domain's respondents when their cross moments are given.
 */
export function compositeEstimate(
  records: readonly PsuSums[],
  cov: RatioCovariance,
  value: number,
  gradient: ArrayLike<number>,
  options: EstimateOptions,
  moments?: CrossMoments,
): Estimate {
  const variance = Math.max(0, quadraticForm(cov, gradient));
  const se = Math.sqrt(variance);
  let n = 0;
  let W = 0;
  let W2 = 0;
  for (const r of records) {
    n += r.n;
    W += r.w;
    W2 += r.w2;
  }
  const df = degreesOfFreedom(records).respondents;
  let deff: number | null = null;
  if (moments && n > 1) {
    // Σ_i w_i z_i² with z_i = N̂ Σ_k (∂θ/∂R_k)(y_ki − R_k x_ki)/X_k, from the moments alone.
    const K = cov.size;
    const X = new Float64Array(K);
    for (const r of records) for (let k = 0; k < K; k++) X[k] = X[k]! + r.items[k]!.w;
    const c = Array.from({ length: K }, (_, k) => (gradient[k]! !== 0 && X[k]! > 0 ? (W * gradient[k]!) / X[k]! : 0));
    const R = cov.ratios;
    let sum = 0;
    for (let k = 0; k < K; k++) {
      if (c[k] === 0) continue;
      for (let l = 0; l < K; l++) {
        if (c[l] === 0) continue;
        const i = k * K + l;
        const rk = R[k]!;
        const rl = R[l]!;
        const q = moments.yy[i]! - rl * moments.yx[i]! - rk * moments.yx[l * K + k]! + rk * rl * moments.xx[i]!;
        sum += c[k]! * c[l]! * q;
      }
    }
    const d = variance / srsVariance(sum, n, W, options.deff);
    deff = Number.isFinite(d) ? d : null;
  }
  return {
    estimate: value,
    se,
    ci: tInterval(value, se, df, options),
    deff,
    nEff: deff !== null && deff > 0 ? n / deff : null,
    nEffKish: W2 > 0 ? (W * W) / W2 : 0,
    n,
  };
}
