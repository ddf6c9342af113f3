/**
 * Which of the round's targets apply to a unit, at every level: its own, those set for a unit above
 * it, and the round-wide ones (the server evaluates only the targets set for exactly the unit
 * shown). The most specific one wins per node; value and rule targets give a goal per node here.
 */
import type { TargetInput } from "../../shared/results/schemas.js";
import type { ResultNode } from "../../shared/results/types.js";
import { flatten } from "./common.js";

export interface AppliedTarget {
  target: TargetInput;
  /** Where it was set: the unit itself, a unit above it, or the whole round. */
  scope: "own" | "above" | "round";
}

/**
 * Targets that concern `unit` (null: the whole round) and `group`, most specific first. `above` are
 * the keys of the units containing `unit` (its path), nearest first.
 */
export function appliedTargets(targets: readonly TargetInput[], unit: string | null, above: readonly string[], group: string | null): AppliedTarget[] {
  const out: Array<AppliedTarget & { order: number }> = [];
  for (const target of targets) {
    if (target.group && target.group !== group) continue;
    const groupOrder = target.group ? 0 : 1;
    if (!target.unit) out.push({ target, scope: unit ? "round" : "own", order: 1000 + groupOrder });
    else if (target.unit === unit) out.push({ target, scope: "own", order: groupOrder });
    else if (above.includes(target.unit)) out.push({ target, scope: "above", order: 10 + above.indexOf(target.unit) * 2 + groupOrder });
  }
  return out.sort((a, b) => a.order - b.order).map(({ target, scope }) => ({ target, scope }));
}

export interface NodeGoal {
  goal: number;
  measure: "percent" | "points";
  /** goal − current in the goal's measure; null when the node has no value. */
  gap: number | null;
  from: AppliedTarget;
}

/**
 * The goal at each node from the applicable value and rule targets (the first listed, i.e. the most
 * specific, wins). A rule's base is this round's own value, or the compared round's (`previous`)
 * when the rule names it; a rule based on another round gives no goal here.
 */
export function nodeGoals(
  root: ResultNode,
  applied: readonly AppliedTarget[],
  display: "percent" | "points",
  compareRound: string | null,
): Map<string, NodeGoal> {
  const goals = new Map<string, NodeGoal>();
  const nodes = flatten(root).map((n) => n.node);
  const current = (node: ResultNode, measure: "percent" | "points") => (measure === "points" ? node.points : node.percent);
  for (const a of applied) {
    const t = a.target;
    if (t.kind === "value") {
      const node = nodes.find((n) => n.code === t.node);
      if (!node || goals.has(node.code)) continue;
      const measure = t.measure ?? (display === "points" && node.max !== null ? "points" : "percent");
      const now = current(node, measure);
      goals.set(node.code, { goal: t.value, measure, gap: now === null ? null : t.value - now, from: a });
    } else if (t.kind === "rule") {
      for (const node of nodes) {
        if (node.level !== t.level || goals.has(node.code)) continue;
        const measure = t.measure ?? (display === "points" && node.max !== null ? "points" : "percent");
        let base: number | null;
        if (!t.base) base = current(node, measure);
        else if (t.base === compareRound && node.previous) base = measure === "points" ? node.previous.points : node.previous.percent;
        else continue;
        if (base === null) continue;
        // As the server evaluates it: not capped at the maximum (a goal above it is flagged there).
        const goal = base + t.delta;
        const now = current(node, measure);
        goals.set(node.code, { goal, measure, gap: now === null ? null : goal - now, from: a });
      }
    }
  }
  return goals;
}
