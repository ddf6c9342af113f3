/**
 * Standard errors for every node of a scored index tree. Every node of the scoring engine is a
 * function of the leaf ratios: leaves are 100·R_k, means and weighted means of the children present
 * and sums of points are linear in them, and derived scores are formulas over node values (their
 * gradient comes from forward-mode differentiation of the formula). So each node's variance is
 * ∇ᵀ V ∇ with V the covariance matrix of the leaf ratios (linearisation.ts). A rescaled node is a
 * linear map of its percent, so its gradient is multiplied by the map's slope; an observed range is
 * taken as fixed (the variance is conditional on the units that set it).
 */
import type { IndexDefinition, IndexNode, Aggregate } from "../index-model/schema.js";
import type { NodeResult, ScoreResult } from "../scoring/engine.js";
import { parseCached, type Expr } from "../expr/index.js";
import { allNodes } from "../scoring/leaves.js";
import { compositeEstimate, itemEstimate, type CrossMoments, type Estimate, type EstimateOptions } from "./estimates.js";
import { ratioCovariance, type PsuSums, type VarianceDesign } from "./linearisation.js";

/** A node's value and its gradient with respect to the leaf ratios R_k (null: no value). */
interface Linear {
  value: number;
  gradient: Float64Array;
}

export interface NodeGradients {
  /** Leaf codes in item order: PsuSums.items[k] must be the sums of leaf k. */
  leaves: string[];
  percent: Map<string, Linear | null>;
  points: Map<string, Linear | null>;
  derived: Map<string, Linear | null>;
}

const scaled = (g: Float64Array, factor: number) => g.map((x) => x * factor);

// An index definition never changes once loaded; its nodes by code are looked up for every domain.
const definitionCache = new WeakMap<IndexDefinition, Map<string, IndexNode>>();
function definitions(index: IndexDefinition): Map<string, IndexNode> {
  let defs = definitionCache.get(index);
  if (!defs) definitionCache.set(index, (defs = new Map(allNodes(index.root).map((n) => [n.code, n]))));
  return defs;
}

/** The linear map applied to a node: an observed range travels with the result, fixed goalposts are in the definition. */
function rescaleOf(n: NodeResult, def: IndexNode | undefined): NodeResult["rescale"] {
  if (n.rescale) return n.rescale;
  const spec = def?.rescale;
  return spec && spec.from !== "observed" ? { from: spec.from, to: spec.to } : undefined;
}

/** The slope of a map (1 without one): d(rescaled percent) / d(percent). */
function rescaleSlope(r: NodeResult["rescale"]): number {
  return r ? (r.to.max - r.to.min) / (r.from.max - r.from.min) : 1;
}

/** Multiplies a node's percent and points gradients by its rescale's slope (values are already rescaled). */
function applySlope(n: NodeResult, def: IndexNode | undefined, percent: Map<string, Linear | null>, points: Map<string, Linear | null>): void {
  const slope = rescaleSlope(rescaleOf(n, def));
  if (slope === 1) return;
  for (const map of [percent, points]) {
    const linear = map.get(n.code);
    if (linear) map.set(n.code, { value: linear.value, gradient: scaled(linear.gradient, slope) });
  }
}

/** Gradients of every node's percent and points, following the engine's aggregation rules exactly. */
export function nodeGradients(index: IndexDefinition, result: ScoreResult): NodeGradients {
  const defs = definitions(index);
  const variant = index.variants.find((v) => v.id === result.variant);
  const leaves: string[] = [];
  const collect = (n: NodeResult) => (n.children ? n.children.forEach(collect) : leaves.push(n.code));
  collect(result.root);
  const K = leaves.length;
  const leafIndex = new Map(leaves.map((c, k) => [c, k]));
  const percent = new Map<string, Linear | null>();
  const points = new Map<string, Linear | null>();

  const descendantsAtLevel = (n: NodeResult, level: string): NodeResult[] =>
    n.level === level ? [n] : (n.children ?? []).flatMap((c) => descendantsAtLevel(c, level));

  const visit = (n: NodeResult): void => {
    if (!n.children) {
      const g = new Float64Array(K);
      g[leafIndex.get(n.code)!] = 100;
      const p = n.percent === null ? null : { value: n.percent, gradient: g };
      percent.set(n.code, p);
      points.set(n.code, p && n.max !== null ? { value: n.points!, gradient: scaled(g, n.max / 100) } : null);
      applySlope(n, defs.get(n.code), percent, points);
      return;
    }
    n.children.forEach(visit);
    const aggregate: Aggregate = variant?.aggregates[n.code] ?? defs.get(n.code)!.aggregate!;
    if (aggregate.type === "sum") {
      const parts = n.children.map((c) => points.get(c.code) ?? null);
      if (n.points === null || parts.some((p) => p === null)) {
        percent.set(n.code, null);
        points.set(n.code, null);
        return;
      }
      const g = new Float64Array(K);
      for (const p of parts) for (let k = 0; k < K; k++) g[k] = g[k]! + p!.gradient[k]!;
      points.set(n.code, { value: n.points, gradient: g });
      percent.set(n.code, n.max && n.percent !== null ? { value: n.percent, gradient: scaled(g, 100 / n.max) } : null);
      applySlope(n, defs.get(n.code), percent, points);
      return;
    }
    const considered = aggregate.type === "mean" && aggregate.level ? n.children.flatMap((c) => descendantsAtLevel(c, aggregate.level!)) : n.children;
    const present = considered.filter((c) => c.percent !== null);
    const coefficient = (c: NodeResult) => (aggregate.type === "weightedMean" ? (aggregate.weights[c.code] ?? 0) : 1);
    const total = present.reduce((s, c) => s + coefficient(c), 0);
    if (n.percent === null || total <= 0) {
      percent.set(n.code, null);
      points.set(n.code, null);
      return;
    }
    const g = new Float64Array(K);
    for (const c of present) {
      const child = percent.get(c.code)!;
      const a = coefficient(c) / total;
      for (let k = 0; k < K; k++) g[k] = g[k]! + a * child.gradient[k]!;
    }
    percent.set(n.code, { value: n.percent, gradient: g });
    points.set(n.code, n.max !== null && n.points !== null ? { value: n.points, gradient: scaled(g, n.max / 100) } : null);
    applySlope(n, defs.get(n.code), percent, points);
  };
  visit(result.root);

  const derived = new Map<string, Linear | null>();
  for (const d of index.derived) {
    const value = result.derived.find((r) => r.code === d.code)?.value ?? null;
    const dual = value === null ? null : differentiate(parseCached(d.formula), percent, points, K);
    derived.set(d.code, dual && value !== null ? { value, gradient: dual.gradient } : null);
  }
  return { leaves, percent, points, derived };
}

/** A value with its gradient (forward-mode automatic differentiation). */
interface Dual {
  value: number;
  gradient: Float64Array;
}

/** Differentiates a derived-score formula (numbers, node references, + − × ÷, min, max); null when not differentiable here. */
function differentiate(expr: Expr, percent: Map<string, Linear | null>, points: Map<string, Linear | null>, K: number): Dual | null {
  const constant = (value: number): Dual => ({ value, gradient: new Float64Array(K) });
  const go = (e: Expr): Dual | null => {
    switch (e.type) {
      case "number":
        return constant(e.value);
      case "ref": {
        const node = e.name.startsWith("points:") ? points.get(e.name.slice(7)) : percent.get(e.name);
        return node ? { value: node.value, gradient: node.gradient } : null;
      }
      case "negate": {
        const a = go(e.operand);
        return a && { value: -a.value, gradient: scaled(a.gradient, -1) };
      }
      case "binary": {
        const a = go(e.left);
        const b = go(e.right);
        if (!a || !b) return null;
        const g = new Float64Array(K);
        switch (e.op) {
          case "+":
          case "-": {
            const s = e.op === "+" ? 1 : -1;
            for (let k = 0; k < K; k++) g[k] = a.gradient[k]! + s * b.gradient[k]!;
            return { value: a.value + s * b.value, gradient: g };
          }
          case "*":
            for (let k = 0; k < K; k++) g[k] = a.gradient[k]! * b.value + a.value * b.gradient[k]!;
            return { value: a.value * b.value, gradient: g };
          case "div":
            for (let k = 0; k < K; k++) g[k] = (a.gradient[k]! * b.value - a.value * b.gradient[k]!) / (b.value * b.value);
            return { value: a.value / b.value, gradient: g };
          default:
            return null;
        }
      }
      case "call": {
        if (e.name !== "min" && e.name !== "max") return null;
        const args = e.args.map(go);
        if (args.some((a) => a === null)) return null;
        // The active argument's gradient (a one-sided derivative at ties).
        let best = args[0]!;
        for (const a of args) if (e.name === "min" ? a!.value < best.value : a!.value > best.value) best = a!;
        return best;
      }
      default:
        return null;
    }
  };
  return go(expr);
}

export interface NodeStatistics extends Estimate {
  code: string;
  /** Which value: the node's percent, its points, or a derived score. */
  of: "percent" | "points" | "derived";
}

/**
 * Estimate, SE, interval, design effect and effective n for every node of a scored tree, from the
 * domain's PSU sums (items in `gradients.leaves` order). Leaves are item ratios (Korn–Graubard when
 * the leaf is a share); inner nodes and derived scores are linearised composites with a t interval.
 */
export function treeStatistics(
  index: IndexDefinition,
  result: ScoreResult,
  records: readonly PsuSums[],
  design: VarianceDesign,
  options: EstimateOptions,
  moments?: CrossMoments,
): NodeStatistics[] {
  const gradients = nodeGradients(index, result);
  const cov = ratioCovariance(records, design);
  const defs = definitions(index);
  const out: NodeStatistics[] = [];
  // x ↦ offset + f·x (f > 0): the estimate, its SE and interval move with it; deff and n do not.
  const scale = (e: Estimate, f: number, offset = 0): Estimate => ({
    ...e,
    estimate: offset + e.estimate * f,
    se: e.se * f,
    ci: e.ci && { ...e.ci, lo: offset + e.ci.lo * f, hi: offset + e.ci.hi * f },
  });
  const results = new Map<string, NodeResult>();
  const collect = (n: NodeResult) => {
    results.set(n.code, n);
    n.children?.forEach(collect);
  };
  collect(result.root);
  for (const [code, linear] of gradients.percent) {
    if (!linear) continue;
    const k = gradients.leaves.indexOf(code);
    if (k >= 0) {
      const item = itemEstimate(records, cov, k, defs.get(code)!.rule?.type === "share", options);
      // A rescaled leaf: the item's ratio on the 0–100 scale, then the leaf's linear map (Korn–Graubard bounds map with it).
      const r = rescaleOf(results.get(code)!, defs.get(code));
      const slope = rescaleSlope(r);
      if (item) out.push({ code, of: "percent", ...scale(item, 100 * slope, r ? r.to.min - slope * r.from.min : 0) });
      continue;
    }
    out.push({ code, of: "percent", ...compositeEstimate(records, cov, linear.value, linear.gradient, options, moments) });
  }
  for (const [code, linear] of gradients.derived) {
    if (linear) out.push({ code, of: "derived", ...compositeEstimate(records, cov, linear.value, linear.gradient, options, moments) });
  }
  return out;
}
