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
  return units.map((u) => {
    let above = 0;
    let surelyAbove = 0;
    let surelyBelow = 0;
    for (const other of units) {
      if (other === u) continue;
      if (other.estimate > u.estimate) above++;
      if (other.lo > u.hi) surelyAbove++;
      if (other.hi < u.lo) surelyBelow++;
    }
    return { key: u.key, rank: above + 1, best: surelyAbove + 1, worst: units.length - surelyBelow };
  });
}

export type TargetStatus = "met" | "not-met" | "cannot-tell";

/** A "≥ target" goal at the interval's level: met when the whole interval reaches it, not met when none does. */
export function targetStatus(interval: { lo: number; hi: number }, target: number): TargetStatus {
  if (interval.lo >= target) return "met";
  if (interval.hi < target) return "not-met";
  return "cannot-tell";
}
