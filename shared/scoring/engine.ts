/**
 * The scoring engine: pure functions from an index definition and answers (raw responses, or
 * pre-aggregated counts, or published node values) to the whole scored tree.
 *
 * Every leaf turns the valid answers to its question into a percent: each valid code carries a
 * score in [0, 1] (share: 1 for the counted codes, 0 otherwise; normalised mean: (v−min)/(max−min);
 * points: p / max p), and percent = 100 · Σ w·score / Σ w. Codes outside the scale ("không biết")
 * and missing answers are not in the denominator. Inner nodes combine their children as the
 * definition says. A node with `rescale` then maps its percent linearly from a fixed or an observed
 * range onto another (PAPI's 10–100% scale). Values are kept at full precision; rounding is for
 * display only.
 */
import type { IndexDefinition, IndexNode, Aggregate, RescaleRange } from "../index-model/schema.js";
import type { Answers, Instrument } from "../instrument/schema.js";
import { parseExpr, evaluate, type Expr } from "../expr/index.js";
import type { AnswerCounts } from "./counts.js";
import { allNodes, leafScoreTables, type LeafScores } from "./leaves.js";

export interface NodeResult {
  code: string;
  level: string;
  label: IndexNode["label"];
  short?: IndexNode["short"];
  max: number | null;
  percent: number | null;
  points: number | null;
  /** Valid answers (on the scale) under this node, summed over its items. */
  valid: number;
  /** Answers of any kind (including "không biết") under this node. */
  answered: number;
  /** How the value was obtained, for the record ("share of 4,5", "mean of 9 component", "sum"). */
  rule: string;
  /** Children (or counted descendants) that had no value and were left out. */
  missing?: string[];
  /** A node rescaled from its observed range: the map applied, with that range (fixed maps are in the definition). */
  rescale?: { from: RescaleRange; to: RescaleRange };
  children?: NodeResult[];
}

export interface DerivedResult {
  code: string;
  label: IndexNode["label"];
  value: number | null;
  max: number | null;
}

export interface ScoreResult {
  index: string;
  variant: string;
  group: string | null;
  /** Responses in the cell (and their weight sum) — the same for every node. */
  responses: number;
  weightedResponses: number;
  root: NodeResult;
  nodes: Map<string, NodeResult>;
  derived: DerivedResult[];
}

export interface ScoreOptions {
  /** Id of a variant declared by the index; default: the index's defaultVariant or "default". */
  variant?: string;
  /** Score for one respondent group: nodes whose `groups` exclude it are left out. */
  group?: string | null;
  /**
   * Observed ranges (before rescaling) of the nodes rescaled from "observed", by node code, taken
   * across the units being compared (`observedRanges`). Such a node without a range has no value.
   */
  ranges?: ReadonlyMap<string, RescaleRange>;
  /** Nodes to leave unrescaled, so that their raw values can be read (how `observedRanges` finds them). */
  unrescaled?: ReadonlySet<string>;
}

/** A value for one leaf, however it was obtained. */
interface LeafValue {
  percent: number | null;
  valid: number;
  answered: number;
  rule: string;
  /** A published value given for the node: final, not rescaled again. */
  given?: boolean;
}

/** Scores from pre-aggregated counts (the server's path). */
export function scoreFromCounts(index: IndexDefinition, instrument: Instrument, counts: AnswerCounts, options: ScoreOptions = {}): ScoreResult {
  const tables = leafScoreTables(index, instrument);
  const leafValue = (node: IndexNode): LeafValue => {
    const table = tables.get(node.code)!;
    const byCode = counts.questions[table.question] ?? {};
    let num = 0;
    let den = 0;
    let valid = 0;
    let answered = 0;
    for (const [code, tally] of Object.entries(byCode)) {
      answered += tally.n;
      const score = table.scores.get(code);
      if (score === undefined) continue;
      valid += tally.n;
      num += tally.w * score;
      den += tally.w;
    }
    return { percent: den > 0 ? (100 * num) / den : null, valid, answered, rule: table.rule };
  };
  return buildResult(index, options, counts.responses.n, counts.responses.w, (node) => (node.children ? undefined : leafValue(node)));
}

/** Scores straight from raw responses, answer by answer (the reference path, used to check rollups). */
export function scoreResponses(
  index: IndexDefinition,
  instrument: Instrument,
  responses: ReadonlyArray<{ answers: Answers; weight?: number | null }>,
  options: ScoreOptions = {},
): ScoreResult {
  const tables = leafScoreTables(index, instrument);
  const leafValue = (table: LeafScores): LeafValue => {
    let num = 0;
    let den = 0;
    let valid = 0;
    let answered = 0;
    for (const r of responses) {
      const answer = r.answers[table.question];
      if (typeof answer !== "string") continue;
      answered++;
      const score = table.scores.get(answer);
      if (score === undefined) continue;
      const w = r.weight ?? 1;
      valid++;
      num += w * score;
      den += w;
    }
    return { percent: den > 0 ? (100 * num) / den : null, valid, answered, rule: table.rule };
  };
  const weighted = responses.reduce((s, r) => s + (r.weight ?? 1), 0);
  return buildResult(index, options, responses.length, weighted, (node) => (node.children ? undefined : leafValue(tables.get(node.code)!)));
}

export type NodeValueInput = { percent: number } | { points: number };

/**
 * Scores from values given at any level (published tables): a node with a value is treated as a
 * leaf; nodes above it are aggregated by the definition's rules. Used by the golden tests and to
 * check a seed's own arithmetic.
 */
export function scoreFromNodeValues(index: IndexDefinition, values: Record<string, NodeValueInput>, options: ScoreOptions = {}): ScoreResult {
  return buildResult(index, options, 0, 0, (node) => {
    const given = values[node.code];
    if (!given) return node.children ? undefined : { percent: null, valid: 0, answered: 0, rule: "no value" };
    const percent = "percent" in given ? given.percent : node.max ? (100 * given.points) / node.max : Number.NaN;
    if (Number.isNaN(percent)) throw new Error(`node ${node.code}: points given but the node has no max`);
    return { percent, valid: 0, answered: 0, rule: "given", given: true };
  });
}

function resolveVariant(index: IndexDefinition, requested: string | undefined): { id: string; aggregates: Record<string, Aggregate> } {
  const id = requested ?? index.defaultVariant ?? "default";
  if (id === "default") return { id, aggregates: {} };
  const variant = index.variants.find((v) => v.id === id);
  if (!variant) throw new Error(`index ${index.id} has no variant "${id}"`);
  return { id, aggregates: variant.aggregates };
}

/** Applies the group filter: nodes for other groups are removed, and inner nodes left empty too. */
function pruneForGroup(node: IndexNode, group: string | null): IndexNode | null {
  if (group && node.groups && !node.groups.includes(group)) return null;
  if (!node.children) return node;
  const children = node.children.map((c) => pruneForGroup(c, group)).filter((c): c is IndexNode => c !== null);
  if (children.length === 0) return null;
  const unchanged = children.length === node.children.length && children.every((c, i) => c === node.children![i]);
  return unchanged ? node : { ...node, children };
}

function buildResult(
  index: IndexDefinition,
  options: ScoreOptions,
  responses: number,
  weightedResponses: number,
  valueOf: (node: IndexNode) => LeafValue | undefined,
): ScoreResult {
  const variant = resolveVariant(index, options.variant);
  const group = options.group ?? null;
  const rootNode = pruneForGroup(index.root, group);
  if (!rootNode) throw new Error(`index ${index.id} has no node for group "${group}"`);
  const nodes = new Map<string, NodeResult>();

  const visit = (node: IndexNode): NodeResult => {
    const base = { code: node.code, level: node.level, label: node.label, ...(node.short ? { short: node.short } : {}) };
    const own = valueOf(node);
    if (own) {
      const max = node.max ?? null;
      const result: NodeResult = {
        ...base,
        max,
        percent: own.percent,
        points: own.percent !== null && max !== null ? (own.percent * max) / 100 : null,
        valid: own.valid,
        answered: own.answered,
        rule: own.rule,
      };
      if (!own.given) applyRescale(node, result, options);
      nodes.set(node.code, result);
      return result;
    }
    const children = node.children!.map(visit);
    const aggregate = variant.aggregates[node.code] ?? node.aggregate!;
    const result = aggregateNode(node, base, aggregate, children);
    applyRescale(node, result, options);
    nodes.set(node.code, result);
    return result;
  };

  const root = visit(rootNode);
  return {
    index: index.id,
    variant: variant.id,
    group,
    responses,
    weightedResponses,
    root,
    nodes,
    derived: index.derived.map((d) => ({
      code: d.code,
      label: d.label,
      value: evaluateDerived(d.formula, nodes),
      max: d.max ?? null,
    })),
  };
}

const rangeText = (r: RescaleRange) => `${r.min}–${r.max}`;

/** p' = to.min + (to.max − to.min)·(p − from.min)/(from.max − from.min); not clamped, so it stays linear. */
export function rescalePercent(percent: number, from: RescaleRange, to: RescaleRange): number {
  return to.min + ((to.max - to.min) * (percent - from.min)) / (from.max - from.min);
}

/** Applies the node's rescale to its percent and points; an observed range not supplied leaves it without value. */
function applyRescale(node: IndexNode, result: NodeResult, options: ScoreOptions): void {
  const spec = node.rescale;
  if (!spec || options.unrescaled?.has(node.code)) return;
  const from = spec.from === "observed" ? options.ranges?.get(node.code) : spec.from;
  if (!from) {
    result.percent = null;
    result.points = null;
    result.rule += "; no observed range to rescale from";
    return;
  }
  // Fixed maps stay in the definition (they would add to every node of every row); observed ranges travel with the value.
  if (spec.from === "observed") result.rescale = { from, to: spec.to };
  result.rule += `; ${spec.from === "observed" ? "observed " : ""}${rangeText(from)} → ${rangeText(spec.to)}`;
  if (result.percent === null) return;
  result.percent = rescalePercent(result.percent, from, spec.to);
  result.points = result.max !== null ? (result.percent * result.max) / 100 : null;
}

/**
 * The observed range of every node rescaled from "observed": the lowest and highest value it takes
 * before its own rescaling (its descendants rescaled) across the results `scoreUnits` returns, one
 * per unit compared. Units without a value there are not counted; a node whose values do not
 * differ across at least two units gets no range (it then has no value). Nested observed nodes are
 * found bottom-up, one round of scoring per level of nesting.
 */
export function observedRanges(
  index: IndexDefinition,
  scoreUnits: (options: Pick<ScoreOptions, "ranges" | "unrescaled">) => readonly ScoreResult[],
): Map<string, RescaleRange> {
  const ranges = new Map<string, RescaleRange>();
  let pending = allNodes(index.root).filter((n) => n.rescale?.from === "observed");
  while (pending.length > 0) {
    const waiting = new Set(pending.map((n) => n.code));
    const ready = pending.filter((n) => !allNodes(n).some((d) => d !== n && waiting.has(d.code)));
    const unrescaled = new Set(ready.map((n) => n.code));
    const results = scoreUnits({ ranges, unrescaled });
    for (const node of ready) {
      const values = results.map((r) => r.nodes.get(node.code)?.percent ?? null).filter((v): v is number => v !== null);
      const min = Math.min(...values);
      const max = Math.max(...values);
      if (values.length >= 2 && min < max) ranges.set(node.code, { min, max });
    }
    pending = pending.filter((n) => !unrescaled.has(n.code));
  }
  return ranges;
}

/** Observed ranges across units given by their answer counts (each unit one cell: its responses of the round). */
export function observedRangesFromCounts(
  index: IndexDefinition,
  instrument: Instrument,
  units: readonly AnswerCounts[],
  options: ScoreOptions = {},
): Map<string, RescaleRange> {
  return observedRanges(index, (extra) => units.map((counts) => scoreFromCounts(index, instrument, counts, { ...options, ...extra })));
}

function descendantsAtLevel(result: NodeResult, level: string): NodeResult[] {
  if (result.level === level) return [result];
  return (result.children ?? []).flatMap((c) => descendantsAtLevel(c, level));
}

function aggregateNode(
  node: IndexNode,
  base: Pick<NodeResult, "code" | "level" | "label" | "short">,
  aggregate: Aggregate,
  children: NodeResult[],
): NodeResult {
  const valid = children.reduce((s, c) => s + c.valid, 0);
  const answered = children.reduce((s, c) => s + c.answered, 0);
  let percent: number | null = null;
  let points: number | null = null;
  let max: number | null = node.max ?? null;
  let rule: string;
  let considered: NodeResult[] = children;

  if (aggregate.type === "sum") {
    max ??= children.every((c) => c.max !== null) ? children.reduce((s, c) => s + c.max!, 0) : null;
    rule = "sum";
    // An incomplete sum is not comparable with complete ones: it has no value.
    if (children.every((c) => c.points !== null)) {
      points = children.reduce((s, c) => s + c.points!, 0);
      percent = max ? (100 * points) / max : null;
    }
  } else {
    if (aggregate.type === "mean" && aggregate.level) {
      considered = children.flatMap((c) => descendantsAtLevel(c, aggregate.level!));
    }
    const present = considered.filter((c) => c.percent !== null);
    if (aggregate.type === "weightedMean") {
      rule = "weighted mean";
      const total = present.reduce((s, c) => s + (aggregate.weights[c.code] ?? 0), 0);
      percent = total > 0 ? present.reduce((s, c) => s + c.percent! * (aggregate.weights[c.code] ?? 0), 0) / total : null;
    } else {
      rule = aggregate.level ? `mean of ${considered.length} ${aggregate.level}` : `mean of ${considered.length}`;
      percent = present.length > 0 ? present.reduce((s, c) => s + c.percent!, 0) / present.length : null;
    }
    points = percent !== null && max !== null ? (percent * max) / 100 : null;
  }
  const missing = considered.filter((c) => (aggregate.type === "sum" ? c.points : c.percent) === null).map((c) => c.code);
  return {
    ...base,
    max,
    percent,
    points,
    valid,
    answered,
    rule,
    ...(missing.length > 0 ? { missing } : {}),
    children,
  };
}

const derivedCache = new Map<string, Expr>();

/** `${I}` is node I's percent, `${points:I}` its points. */
function evaluateDerived(formula: string, nodes: Map<string, NodeResult>): number | null {
  let expr = derivedCache.get(formula);
  if (!expr) {
    expr = parseExpr(formula);
    derivedCache.set(formula, expr);
  }
  let incomplete = false;
  const value = evaluate(expr, {
    get(name: string) {
      const [kind, code] = name.startsWith("points:") ? ["points", name.slice(7)] : ["percent", name];
      const node = nodes.get(code!);
      const v = node ? (kind === "points" ? node.points : node.percent) : null;
      if (v === null) incomplete = true;
      return v;
    },
  });
  if (incomplete || typeof value !== "number" || !Number.isFinite(value)) return null;
  return value;
}
