/**
 * Leaf score tables: for each index item, the question it reads and the score in [0, 1] that each
 * valid answer code contributes. Built once per (index, instrument) pair; also where an index
 * definition is checked against its instrument.
 */
import type { IndexDefinition, IndexNode } from "../index-model/schema.js";
import type { Instrument } from "../instrument/schema.js";
import { questionById, choicesOf } from "../instrument/walk.js";
import { parseExpr, references } from "../expr/index.js";

export interface LeafScores {
  question: string;
  /** Valid codes and their score; codes absent here are outside the scale or not counted. */
  scores: Map<string, number>;
  rule: string;
}

const cache = new WeakMap<IndexDefinition, WeakMap<Instrument, Map<string, LeafScores>>>();

export function leafScoreTables(index: IndexDefinition, instrument: Instrument): Map<string, LeafScores> {
  let byInstrument = cache.get(index);
  if (!byInstrument) cache.set(index, (byInstrument = new WeakMap()));
  let tables = byInstrument.get(instrument);
  if (!tables) {
    const errors = checkIndex(index, instrument);
    if (errors.length > 0) throw new Error(`index ${index.id}: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
    tables = new Map();
    for (const leaf of leaves(index.root)) tables.set(leaf.code, tableFor(leaf, instrument));
    byInstrument.set(instrument, tables);
  }
  return tables;
}

export function leaves(node: IndexNode): IndexNode[] {
  return node.children ? node.children.flatMap(leaves) : [node];
}

export function allNodes(node: IndexNode): IndexNode[] {
  return [node, ...(node.children ?? []).flatMap(allNodes)];
}

/** The codes a question accepts, split into on-scale (with numeric value where a scale gives one) and outside. */
function codesOf(instrument: Instrument, questionId: string): { onScale: Map<string, number | null>; outside: Set<string> } | null {
  const question = questionById(instrument).get(questionId);
  if (!question) return null;
  if (question.type === "rating") {
    const scale = instrument.scales[question.scale];
    if (!scale) return null;
    return {
      onScale: new Map(scale.points.map((p) => [p.code, p.value])),
      outside: new Set(scale.outside.map((c) => c.code)),
    };
  }
  if (question.type === "single") {
    const choices = choicesOf(instrument, question);
    return {
      onScale: new Map(choices.filter((c) => !c.outside).map((c) => [c.code, null])),
      outside: new Set(choices.filter((c) => c.outside).map((c) => c.code)),
    };
  }
  return null;
}

function tableFor(leaf: IndexNode, instrument: Instrument): LeafScores {
  const rule = leaf.rule!;
  const codes = codesOf(instrument, leaf.question!)!;
  const scores = new Map<string, number>();
  if (rule.type === "share") {
    const counted = new Set(rule.codes);
    for (const code of codes.onScale.keys()) scores.set(code, counted.has(code) ? 1 : 0);
    return { question: leaf.question!, scores, rule: `share of ${rule.codes.join(",")}` };
  }
  if (rule.type === "normalisedMean") {
    const values = [...codes.onScale.values()].filter((v): v is number => v !== null);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    for (const [code, v] of codes.onScale) if (v !== null) scores.set(code, (v - lo) / (hi - lo));
    return { question: leaf.question!, scores, rule: "normalised mean" };
  }
  const top = Math.max(...Object.values(rule.points));
  for (const [code, p] of Object.entries(rule.points)) scores.set(code, top > 0 ? p / top : 0);
  return { question: leaf.question!, scores, rule: "points per answer" };
}

export interface IndexProblem {
  path: string;
  message: string;
}

/** Checks an index definition against its instrument; every problem names the node. */
export function checkIndex(index: IndexDefinition, instrument: Instrument): IndexProblem[] {
  const problems: IndexProblem[] = [];
  if (index.instrument !== instrument.id) {
    problems.push({ path: "instrument", message: `index is bound to ${index.instrument}, not ${instrument.id}` });
  }
  const nodes = allNodes(index.root);
  const byCode = new Map<string, IndexNode>();
  for (const node of nodes) {
    if (byCode.has(node.code)) problems.push({ path: `node ${node.code}`, message: "duplicate node code" });
    byCode.set(node.code, node);
  }
  const groupCodes = new Set(instrument.respondentGroups.map((g) => g.code));
  for (const node of nodes) {
    const path = `node ${node.code}`;
    for (const g of node.groups ?? []) {
      if (!groupCodes.has(g)) problems.push({ path, message: `unknown respondent group "${g}"` });
    }
    if (!node.children) {
      const codes = codesOf(instrument, node.question!);
      if (!codes) {
        problems.push({ path, message: `question "${node.question}" does not exist or has no coded answers (rating or single choice)` });
        continue;
      }
      const rule = node.rule!;
      const ruleCodes = rule.type === "share" ? rule.codes : rule.type === "points" ? Object.keys(rule.points) : [];
      for (const code of ruleCodes) {
        if (!codes.onScale.has(code)) problems.push({ path, message: `code "${code}" is not an on-scale answer of ${node.question}` });
      }
      if (rule.type === "normalisedMean" && [...codes.onScale.values()].some((v) => v === null)) {
        problems.push({ path, message: "normalised mean needs a rating question (scale values)" });
      }
      continue;
    }
    const aggregates = [node.aggregate!, ...index.variants.flatMap((v) => (v.aggregates[node.code] ? [v.aggregates[node.code]!] : []))];
    for (const aggregate of aggregates) {
      if (aggregate.type === "sum") {
        for (const child of node.children) {
          if (child.max === undefined && child.aggregate?.type !== "sum") {
            problems.push({ path: `node ${child.code}`, message: `its parent ${node.code} sums points, so it needs a max` });
          }
        }
      }
      if (aggregate.type === "weightedMean") {
        for (const child of node.children) {
          if (!(child.code in aggregate.weights)) problems.push({ path, message: `no weight for child ${child.code}` });
        }
      }
      if (aggregate.type === "mean" && aggregate.level && !allNodes(node).some((n) => n !== node && n.level === aggregate.level)) {
        problems.push({ path, message: `no descendant at level "${aggregate.level}"` });
      }
    }
  }
  for (const variant of index.variants) {
    for (const code of Object.keys(variant.aggregates)) {
      if (!byCode.get(code)?.children) problems.push({ path: `variant ${variant.id}`, message: `no inner node "${code}"` });
    }
  }
  if (index.defaultVariant && index.defaultVariant !== "default" && !index.variants.some((v) => v.id === index.defaultVariant)) {
    problems.push({ path: "defaultVariant", message: `no variant "${index.defaultVariant}"` });
  }
  for (const derived of index.derived) {
    try {
      for (const ref of references(parseExpr(derived.formula))) {
        const code = ref.startsWith("points:") ? ref.slice(7) : ref;
        if (!byCode.has(code)) problems.push({ path: `derived ${derived.code}`, message: `unknown node "${code}"` });
      }
    } catch (e) {
      problems.push({ path: `derived ${derived.code}`, message: (e as Error).message });
    }
  }
  return problems;
}
