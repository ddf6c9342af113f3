/**
 * The comparisons an analyst makes, with their uncertainty: change between two independent samples
 * (two rounds), ranks as the range consistent with the intervals, and targets met / not met / cannot tell.
 */
import { tQuantile } from "./distributions.js";

export interface EstimateWithInterval {
  estimate: number;
  se: number;
  /** Design degrees of freedom (Infinity: normal). */
  df: number;
}

export interface Difference {
  /** later − earlier. */
  difference: number;
  se: number;
  /** Welch–Satterthwaite degrees of freedom of the two designs' variances. */
  df: number;
  ci: { lo: number; hi: number; method: "t-satterthwaite" };
  /** The 95% interval excludes 0. */
  significant: boolean;
}

/**
 * Change between two rounds. The samples are drawn independently (a new sample each year), so the
 * variances add: SE = √(SE₁² + SE₂²); the interval is t with Satterthwaite's df.
 */
export function independentDifference(earlier: EstimateWithInterval, later: EstimateWithInterval, level = 0.95): Difference {
  const v1 = earlier.se ** 2;
  const v2 = later.se ** 2;
  const v = v1 + v2;
  const difference = later.estimate - earlier.estimate;
  const se = Math.sqrt(v);
  const df = v > 0 ? (v * v) / ((v1 * v1) / earlier.df + (v2 * v2) / later.df) : Math.min(earlier.df, later.df);
  const q = tQuantile(1 - (1 - level) / 2, df);
  const ci = { lo: difference - q * se, hi: difference + q * se, method: "t-satterthwaite" as const };
  return { difference, se, df, ci, significant: ci.lo > 0 || ci.hi < 0 };
}

export interface RankInterval {
  key: string;
  /** Rank of the point estimate (1 = highest; ties share the best rank). */
  rank: number;
  /** Best and worst rank consistent with the intervals. */
  best: number;
  worst: number;
}

/**
 * Ranks with their uncertainty: a unit surely ranks below every unit whose interval lies wholly
 * above its own, and surely above every unit wholly below; every rank between is consistent with
 * the intervals. Non-overlap is a conservative test, so the range is wide rather than falsely narrow.
 */
export function rankIntervals(units: ReadonlyArray<{ key: string; estimate: number; lo: number; hi: number }>): RankInterval[] {
  // Counted by binary search in sorted copies (n log n; a breakdown has hundreds of rows at every node).
  const sorted = (pick: (u: { estimate: number; lo: number; hi: number }) => number) => Float64Array.from(units, pick).sort();
  const estimates = sorted((u) => u.estimate);
  const los = sorted((u) => u.lo);
  const his = sorted((u) => u.hi);
  return units.map((u) => {
    // Every comparison is strict, so a unit never counts against itself unless its own lo exceeds its hi.
    const above = estimates.length - upperBound(estimates, u.estimate);
    const surelyAbove = los.length - upperBound(los, u.hi) - (u.lo > u.hi ? 1 : 0);
    const surelyBelow = lowerBound(his, u.lo) - (u.hi < u.lo ? 1 : 0);
    return { key: u.key, rank: above + 1, best: surelyAbove + 1, worst: units.length - surelyBelow };
  });
}

/** The number of values ≤ x in an ascending array. */
function upperBound(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The number of values < x in an ascending array. */
function lowerBound(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export type TargetStatus = "met" | "not-met" | "cannot-tell";

/** A "≥ target" goal at the interval's level: met when the whole interval reaches it, not met when none does. */
export function targetStatus(interval: { lo: number; hi: number }, target: number): TargetStatus {
  if (interval.lo >= target) return "met";
  if (interval.hi < target) return "not-met";
  return "cannot-tell";
}
