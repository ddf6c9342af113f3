/**
 * Comparisons with their uncertainty, on the scored trees: the year-on-year change at every node
 * (independent samples), the range of ranks consistent with the rows' intervals, and whether a
 * "≥ goal" target is met, not met or cannot be told at 95% (shared/statistics/compare.ts).
 */
import { independentDifference, rankIntervals, targetStatus, type TargetStatus } from "../../shared/statistics/compare.js";
import type { NodeMatching } from "../../shared/results/compare.js";
import type { BreakdownRow, Measure, ResultNode } from "../../shared/results/types.js";
import { nodeMap } from "../../shared/results/tree.js";
import type { Change } from "../../shared/api/design.js";

/** The change later − earlier of one value, or null when either has no SE or no df. */
export function changeBetween(
  earlier: Pick<ResultNode, "value" | "se" | "df"> | null | undefined,
  later: Pick<ResultNode, "value" | "se" | "df">,
): Change | null {
  if (!earlier) return null;
  const a = earlier;
  const b = later;
  if (a.value === null || b.value === null || a.se == null || b.se == null || !a.df || !b.df) return null;
  const d = independentDifference({ estimate: a.value, se: a.se, df: a.df }, { estimate: b.value, se: b.se, df: b.df });
  return { difference: d.difference, se: d.se, df: d.df, ci: d.ci, significant: d.significant };
}

/** Puts `change` on every node of the current tree that has a counterpart in the earlier one. */
export function attachChanges(current: ResultNode, earlier: ResultNode | null, matching: NodeMatching): ResultNode {
  const before = earlier ? nodeMap(earlier) : new Map<string, ResultNode>();
  const visit = (node: ResultNode): ResultNode => {
    const code = matching.counterpart.get(node.code) ?? null;
    return {
      ...node,
      change: code ? changeBetween(before.get(code), node) : null,
      ...(node.children ? { children: node.children.map(visit) } : {}),
    };
  };
  return visit(current);
}

/**
 * Rank ranges at every node of a breakdown's rows: rows with a value are ranked; a value without an
 * interval is consistent with every rank (and never surely above or below another).
 */
export function attachRankRanges(rows: BreakdownRow[]): void {
  if (rows.length === 0) return;
  const maps = rows.map((r) => nodeMap(r.root));
  const codes = new Set<string>();
  for (const m of maps) for (const code of m.keys()) codes.add(code);
  for (const code of codes) {
    const ranked: Array<{ key: string; estimate: number; lo: number; hi: number; node: ResultNode }> = [];
    maps.forEach((m, i) => {
      const node = m.get(code);
      if (!node || node.value === null) return;
      ranked.push({ key: String(i), estimate: node.value, lo: node.ci?.lo ?? -Infinity, hi: node.ci?.hi ?? Infinity, node });
    });
    const ranges = rankIntervals(ranked);
    ranked.forEach((r, i) => {
      r.node.rankRange = { best: ranges[i]!.best, worst: ranges[i]!.worst };
    });
    maps.forEach((m) => {
      const node = m.get(code);
      if (node && node.value === null) node.rankRange = null;
    });
  }
}

/**
 * A "≥ goal" target on a node at 95%. The node's interval is in the measure of its value (points
 * where the value is points); a goal in the other measure is compared on the goal's scale.
 */
export function targetStatusOf(node: ResultNode, goal: number, measure: Measure): TargetStatus | null {
  if (!node.ci || node.value === null) return null;
  const valueIsPoints = node.max !== null && node.value === node.points && node.points !== node.percent;
  if (measure === "points" && node.max === null) return null;
  let factor = 1;
  if (valueIsPoints && measure === "percent") factor = 100 / node.max!;
  else if (!valueIsPoints && measure === "points" && node.max !== null) factor = node.max / 100;
  return targetStatus({ lo: node.ci.lo * factor, hi: node.ci.hi * factor }, goal);
}
