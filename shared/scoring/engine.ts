/**
 * The scoring engine: pure functions from an index definition and answers (raw responses, or
 * pre-aggregated counts, or published node values) to the whole scored tree.
 *
 * Every leaf turns the valid answers to its question into a percent: each valid code carries a
 * score in [0, 1] (share: 1 for the counted codes, 0 otherwise; normalised mean: (v−min)/(max−min);
 * points: p / max p), and percent = 100 · Σ w·score / Σ w. Codes outside the scale ("không biết")
 * and missing answers are not in the denominator. Inner nodes combine their children as the
 * definition says. Values are kept at full precision; rounding is for display only.
 */
import type { IndexDefinition, IndexNode, Aggregate } from "../index-model/schema.js";
import type { Answers, Instrument } from "../instrument/schema.js";
import { parseExpr, evaluate, type Expr } from "../expr/index.js";
import type { AnswerCounts } from "./counts.js";
import { leafScoreTables, type LeafScores } from "./leaves.js";

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
}

/** A value for one leaf, however it was obtained. */
interface LeafValue {
  percent: number | null;
  valid: number;
  answered: number;
  rule: string;
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
    return { percent, valid: 0, answered: 0, rule: "given" };
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
      nodes.set(node.code, result);
      return result;
    }
    const children = node.children!.map(visit);
    const aggregate = variant.aggregates[node.code] ?? node.aggregate!;
    const result = aggregateNode(node, base, aggregate, children);
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
