/**
 * Evaluating index targets against results: goal, current value, gap, whether met, and flags for
 * targets set below the current value (already met: "too low") or above the maximum (impossible).
 */
import type { IndexDefinition, IndexNode } from "../index-model/schema.js";
import type { Text } from "../i18n.js";
import type { Target } from "./schemas.js";
import type { Display, Measure, ResultNode, TargetFlag, TargetResult } from "./types.js";
import { nodeMap, walk } from "./tree.js";

export interface NodeValue {
  percent: number | null;
  points: number | null;
}

export interface TargetContext {
  index: IndexDefinition;
  /** The results the targets are compared with (null values where suppressed). */
  current: ResultNode;
  unit: string | null;
  group: string | null;
  /** Values of a base round, keyed by the current edition's node codes (matched year on year). */
  base(round: string): Map<string, NodeValue> | null;
  /** Rank of the unit at a node, nationally or among a peer group. */
  rank(node: string, peers: string | undefined): { rank: number | null; of: number } | null;
  /** Performance group of the unit at a node (0 = highest). */
  performanceGroup(node: string): number | null;
}

/** Targets that concern the given unit and group (absent = the whole round, all groups). */
export function targetsFor(targets: readonly Target[], unit: string | null, group: string | null): Array<{ target: Target; position: number }> {
  return targets.map((target, position) => ({ target, position })).filter(({ target }) => (target.unit ?? null) === unit && (target.group ?? null) === group);
}

const EPS = 1e-9;

function measureOf(target: { measure?: Measure | undefined }, display: Display, node: { max: number | null }): Measure {
  if (target.measure) return target.measure;
  return display === "points" && node.max !== null ? "points" : "percent";
}

function maxOf(measure: Measure, node: { max: number | null }): number | null {
  return measure === "percent" ? 100 : node.max;
}

function valueTarget(
  goal: number | null,
  current: number | null,
  max: number | null,
  baseMissing: boolean,
): Pick<TargetResult, "goal" | "current" | "gap" | "met" | "flags"> {
  const flags: TargetFlag[] = [];
  if (baseMissing) flags.push("no_base");
  if (current === null) flags.push("no_value");
  if (goal !== null && current !== null && goal <= current + EPS) flags.push("below_current");
  if (goal !== null && max !== null && goal > max + EPS) flags.push("above_max");
  return {
    goal,
    current,
    gap: goal !== null && current !== null ? goal - current : null,
    met: goal !== null && current !== null ? current + EPS >= goal : null,
    flags,
  };
}

/** Evaluates every target that concerns the context's unit and group; a rule yields one result per node. */
export function evaluateTargets(targets: readonly Target[], ctx: TargetContext): TargetResult[] {
  const nodes = nodeMap(ctx.current);
  const display = ctx.index.display;
  const groupLabels = ctx.index.performanceGroups ?? [];
  const out: TargetResult[] = [];
  const label = (code: string): Text => nodes.get(code)?.label ?? { vi: code, en: code };

  for (const { target, position } of targetsFor(targets, ctx.unit, ctx.group)) {
    const common = { target: position, kind: target.kind, unit: target.unit ?? null, group: target.group ?? null };
    if (target.kind === "rule") {
      const baseValues = target.base ? ctx.base(target.base) : null;
      walk(ctx.current, (node) => {
        if (node.level !== target.level) return;
        const measure = measureOf(target, display, node);
        const base = target.base ? (baseValues?.get(node.code)?.[measure] ?? null) : node[measure];
        const goal = base === null ? null : base + target.delta;
        out.push({
          ...common,
          node: node.code,
          label: node.label,
          measure,
          ...valueTarget(goal, node[measure], maxOf(measure, node), base === null && Boolean(target.base)),
        });
      });
      continue;
    }
    const node = nodes.get(target.node);
    if (target.kind === "value") {
      const measure = node ? measureOf(target, display, node) : (target.measure ?? display);
      out.push({
        ...common,
        node: target.node,
        label: label(target.node),
        measure,
        ...valueTarget(target.value, node ? node[measure] : null, node ? maxOf(measure, node) : null, false),
      });
    } else if (target.kind === "rank") {
      const r = ctx.rank(target.node, target.peers);
      const current = r?.rank ?? null;
      const flags: TargetFlag[] = [];
      if (current === null) flags.push("no_value");
      else if (current <= target.rank) flags.push("below_current");
      out.push({
        ...common,
        node: target.node,
        label: label(target.node),
        measure: "rank",
        goal: target.rank,
        current,
        gap: current === null ? null : current - target.rank,
        met: current === null ? null : current <= target.rank,
        flags,
      });
    } else {
      const g = ctx.performanceGroup(target.node);
      const current = g === null ? null : g + 1;
      const flags: TargetFlag[] = [];
      if (current === null) flags.push("no_value");
      else if (current <= target.atLeast) flags.push("below_current");
      if (target.atLeast > groupLabels.length) flags.push("above_max");
      out.push({
        ...common,
        node: target.node,
        label: label(target.node),
        measure: "group",
        goal: target.atLeast,
        ...(groupLabels[target.atLeast - 1] ? { goalLabel: groupLabels[target.atLeast - 1]! } : {}),
        current,
        ...(current !== null && groupLabels[current - 1] ? { currentLabel: groupLabels[current - 1]! } : {}),
        gap: current === null ? null : current - target.atLeast,
        met: current === null ? null : current <= target.atLeast,
        flags,
      });
    }
  }
  return out;
}

/** Problems with a target list against an index (unknown nodes, levels, measures): one message per target. */
export function checkTargets(targets: readonly Target[], index: IndexDefinition): Array<{ path: string; message: string }> {
  const nodes = new Map<string, IndexNode>();
  walk<IndexNode>(index.root, (n) => nodes.set(n.code, n));
  const levels = new Set([...nodes.values()].map((n) => n.level));
  const problems: Array<{ path: string; message: string }> = [];
  targets.forEach((t, i) => {
    const path = `targets.${i}`;
    if (t.kind === "rule") {
      if (!levels.has(t.level)) problems.push({ path: `${path}.level`, message: `no level "${t.level}" in index ${index.id} (${[...levels].join(", ")})` });
      if (t.measure === "points" && ![...nodes.values()].some((n) => n.level === t.level && n.max !== undefined)) {
        problems.push({ path: `${path}.measure`, message: `nodes at level "${t.level}" have no maximum, so no points` });
      }
      return;
    }
    const node = nodes.get(t.node);
    if (!node) {
      problems.push({ path: `${path}.node`, message: `no node "${t.node}" in index ${index.id}` });
      return;
    }
    if (t.kind === "value") {
      const measure = t.measure ?? index.display;
      if (measure === "points" && node.max === undefined && node.aggregate?.type !== "sum") {
        problems.push({ path: `${path}.measure`, message: `node ${t.node} has no maximum, so no points; give the target in percent` });
      }
    }
    if (t.kind === "performanceGroup") {
      const k = index.performanceGroups?.length ?? 0;
      if (k === 0) problems.push({ path: `${path}.kind`, message: `index ${index.id} defines no performance groups` });
      else if (t.atLeast > k) problems.push({ path: `${path}.atLeast`, message: `there are only ${k} performance groups` });
    }
  });
  return problems;
}
