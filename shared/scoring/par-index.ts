/**
 * The composite PAR INDEX scorer: pure functions from a par-index definition and its inputs — the
 * self-assessment's evidence (A), leader-survey item points (S) and the SIPAS conversion (C) — to the
 * scored tree, each node split into its A, S and C parts; the list of sub-criteria below their
 * maximum that every plan prints; and what-if recomputation with proposed values.
 * Values are kept at full precision; rounding is for display only (format.ts).
 */
import type { Answers, AnswerValue, Instrument } from "../instrument/schema.js";
import type { IndexDefinition } from "../index-model/schema.js";
import {
  isParLeaf,
  type AppraisalLeaf,
  type AppraisalRule,
  type ParIndexDefinition,
  type ParNode,
  type ParSource,
  type RuleBasis,
} from "../index-model/par-index.js";
import { evaluate, parseCached, references, toNumber, truthy, type ExprValue } from "../expr/index.js";
import { questionById } from "../instrument/walk.js";
import type { ScoreResult } from "./engine.js";
import { allNodes, type IndexProblem } from "./leaves.js";

const SOURCES: readonly ParSource[] = ["A", "S", "C"];
/** Sums of decimal maxima (0.25 + 0.75 …) are compared with this tolerance. */
const EPSILON = 1e-9;

export interface ParIndexInputs {
  /** Self-assessment answers (question id → value): the evidence A leaves are scored from. */
  evidence?: Answers;
  /** A points entered directly (the appraisal council's score, or a published one); wins over evidence. */
  given?: Record<string, number>;
  /** Leader-survey points by item code (a par-leaders round's result, see surveyPoints). */
  survey?: Record<string, number | null>;
  /** SIPAS points by derived-score code (a SIPAS round's result, see derivedValues). */
  sipas?: Record<string, number | null>;
}

export interface PartValue {
  max: number;
  points: number | null;
}

export interface ParNodeResult {
  code: string;
  level: ParNode["level"];
  label: ParNode["label"];
  short?: ParNode["short"];
  max: number;
  /** Null when any leaf below has no value: an incomplete sum is not comparable with complete ones. */
  points: number | null;
  percent: number | null;
  /** The node's A, S and C parts (only the parts present below it). */
  parts: Partial<Record<ParSource, PartValue>>;
  source?: ParSource;
  agencies?: string[];
  basis?: RuleBasis;
  /** How a leaf got its value: from evidence by its rule, given directly, or from a survey/SIPAS round. */
  obtained?: "evidence" | "given" | "survey" | "sipas";
  /** A short account of the arithmetic, for the record ("rate 0.9925 × 1.5"). */
  detail?: string;
  /** Leaves: evidence questions without an answer; inner nodes: leaves without a value. */
  missing?: string[];
  children?: ParNodeResult[];
}

export interface ParIndexResult {
  index: string;
  root: ParNodeResult;
  nodes: Map<string, ParNodeResult>;
}

/** Points of every node of a leader-survey result, by node code. */
export function surveyPoints(result: ScoreResult): Record<string, number | null> {
  return Object.fromEntries([...result.nodes].map(([code, node]) => [code, node.points]));
}

/** Derived scores of a SIPAS result (e.g. "PAR-8.1"), by code. */
export function derivedValues(result: ScoreResult): Record<string, number | null> {
  return Object.fromEntries(result.derived.map((d) => [d.code, d.value]));
}

const blank = (v: AnswerValue | undefined): boolean =>
  v === undefined || v === "" || (Array.isArray(v) && v.length === 0) || (typeof v === "number" && !Number.isFinite(v));

const clamp = (x: number, max: number): number => Math.min(max, Math.max(0, x));

/** Question ids a rule reads (its expressions' references, level questions, named documents). */
export function ruleQuestions(rule: AppraisalRule): string[] {
  const refs = (src: string) => references(parseCached(src));
  switch (rule.type) {
    case "rate":
      return refs(rule.rate);
    case "formula":
      return refs(rule.points);
    case "steps":
      return refs(rule.value);
    case "yesNo":
      return [...refs(rule.condition), ...(rule.document ? [rule.document] : [])];
    case "level":
      return [rule.question];
    case "parts":
      return rule.parts.flatMap((p) => ruleQuestions(p.rule));
  }
}

/** Questions whose answer must be present to score (a yes/no's document may be absent: it then scores 0). */
function requiredQuestions(rule: AppraisalRule): string[] {
  if (rule.type === "yesNo") return references(parseCached(rule.condition));
  if (rule.type === "parts") return rule.parts.flatMap((p) => requiredQuestions(p.rule));
  return ruleQuestions(rule);
}

function evalExpr(src: string, evidence: Answers): ExprValue {
  return evaluate(parseCached(src), { get: (name) => (evidence[name] as ExprValue | undefined) ?? null });
}

const fmt = (x: number): string => String(Math.round(x * 1e4) / 1e4);

/** Points of a rule over the evidence, within [0, max]; null when the arithmetic has no value. */
function applyRule(rule: AppraisalRule, max: number, evidence: Answers): { points: number | null; detail: string } {
  switch (rule.type) {
    case "rate": {
      const rate = toNumber(evalExpr(rule.rate, evidence));
      if (!Number.isFinite(rate)) return { points: null, detail: "rate has no value" };
      return { points: clamp(rate * max, max), detail: `rate ${fmt(rate)} × ${max}` };
    }
    case "formula": {
      const points = toNumber(evalExpr(rule.points, evidence));
      if (!Number.isFinite(points)) return { points: null, detail: "formula has no value" };
      return { points: clamp(points, max), detail: `formula ${fmt(points)}${points > max ? ` capped at ${max}` : ""}` };
    }
    case "steps": {
      const value = toNumber(evalExpr(rule.value, evidence));
      if (!Number.isFinite(value)) return { points: null, detail: "value has no value" };
      const step = rule.steps.find((s) => (s.from === undefined || value >= s.from) && (s.below === undefined || value < s.below));
      return { points: clamp(step?.points ?? 0, max), detail: `value ${fmt(value)} → ${step?.points ?? 0}` };
    }
    case "yesNo": {
      const yes = truthy(evalExpr(rule.condition, evidence));
      if (yes && rule.document && blank(evidence[rule.document])) return { points: 0, detail: "yes, but no supporting document" };
      return { points: yes ? max : 0, detail: yes ? "yes" : "no" };
    }
    case "level": {
      const answer = evidence[rule.question];
      const points = typeof answer === "string" ? rule.points[answer] : undefined;
      if (points === undefined) return { points: null, detail: `level "${String(answer)}" has no points` };
      return { points: clamp(points, max), detail: `level ${answer} → ${points}` };
    }
    case "parts": {
      let sum = 0;
      const details: string[] = [];
      for (const part of rule.parts) {
        const scored = applyRule(part.rule, part.max, evidence);
        if (scored.points === null) return { points: null, detail: `part ${part.code}: ${scored.detail}` };
        sum += scored.points;
        details.push(`${part.code} ${fmt(scored.points)}/${part.max}`);
      }
      return { points: clamp(sum, max), detail: details.join(" + ") };
    }
  }
}

function checkValue(code: string, value: number, max: number, what: string): void {
  if (!Number.isFinite(value) || value < 0 || value > max + EPSILON) {
    throw new Error(`${what} for ${code} must be a number from 0 to ${max}, not ${value}`);
  }
}

interface LeafValue {
  points: number | null;
  obtained?: ParNodeResult["obtained"];
  detail?: string;
  missing?: string[];
}

function scoreLeaf(leaf: Exclude<ParNode, { children: ParNode[] }>, inputs: ParIndexInputs): LeafValue {
  if (leaf.source === "A") {
    const given = inputs.given?.[leaf.code];
    if (given !== undefined) {
      checkValue(leaf.code, given, leaf.max, "a given appraisal score");
      return { points: given, obtained: "given" };
    }
    const evidence = inputs.evidence ?? {};
    const missing = requiredQuestions(leaf.rule).filter((q) => blank(evidence[q]));
    if (missing.length > 0) return { points: null, missing: [...new Set(missing)] };
    const scored = applyRule(leaf.rule, leaf.max, evidence);
    return { points: scored.points, obtained: "evidence", detail: scored.detail };
  }
  const table = leaf.source === "S" ? inputs.survey : inputs.sipas;
  const key = leaf.source === "S" ? leaf.item : leaf.derived;
  const value = table?.[key] ?? null;
  if (value === null) return { points: null };
  checkValue(leaf.code, value, leaf.max, leaf.source === "S" ? "a leader-survey item" : "the SIPAS points");
  return { points: value, obtained: leaf.source === "S" ? "survey" : "sipas" };
}

/** Scores the whole tree. Throws if a given value lies outside [0, max] of its node. */
export function scoreParIndex(definition: ParIndexDefinition, inputs: ParIndexInputs): ParIndexResult {
  const nodes = new Map<string, ParNodeResult>();
  const visit = (node: ParNode): ParNodeResult => {
    const base = {
      code: node.code,
      level: node.level,
      label: node.label,
      ...(node.short ? { short: node.short } : {}),
      max: node.max,
    };
    let result: ParNodeResult;
    if (isParLeaf(node)) {
      const value = scoreLeaf(node, inputs);
      result = {
        ...base,
        points: value.points,
        percent: value.points === null ? null : (100 * value.points) / node.max,
        parts: { [node.source]: { max: node.max, points: value.points } },
        source: node.source,
        ...(node.source === "A" ? { agencies: node.agencies, basis: node.basis } : {}),
        ...(value.obtained ? { obtained: value.obtained } : {}),
        ...(value.detail ? { detail: value.detail } : {}),
        ...(value.missing ? { missing: value.missing } : {}),
      };
    } else {
      const children = node.children.map(visit);
      const parts: Partial<Record<ParSource, PartValue>> = {};
      for (const source of SOURCES) {
        const present = children.filter((c) => c.parts[source]);
        if (present.length === 0) continue;
        const values = present.map((c) => c.parts[source]!);
        parts[source] = {
          max: values.reduce((s, v) => s + v.max, 0),
          points: values.every((v) => v.points !== null) ? values.reduce((s, v) => s + v.points!, 0) : null,
        };
      }
      const points = children.every((c) => c.points !== null) ? children.reduce((s, c) => s + c.points!, 0) : null;
      const missing = children.flatMap((c) => (c.children ? (c.missing ?? []) : c.points === null ? [c.code] : []));
      result = {
        ...base,
        points,
        percent: points === null ? null : (100 * points) / node.max,
        parts,
        ...(missing.length > 0 ? { missing } : {}),
        children,
      };
    }
    nodes.set(node.code, result);
    return result;
  };
  return { index: definition.id, root: visit(definition.root), nodes };
}

export interface BelowMaximumRow {
  code: string;
  label: ParNode["label"];
  source: ParSource;
  max: number;
  points: number;
  lost: number;
  percent: number;
  agencies: Array<{ code: string; label: ParIndexDefinition["agencies"][number]["label"] }>;
  /** The evidence behind the score: each question with its answer (null when not answered). */
  evidence: Array<{ question: string; label: { vi: string; en: string } | null; value: AnswerValue | null }>;
  obtained?: ParNodeResult["obtained"];
  detail?: string;
}

/**
 * Every leaf scored below its maximum, in the tree's order (the list each plan prints to assign
 * remedial tasks, 004 Phụ lục 2). By default appraisal (A) leaves only; leaves without a value are
 * not listed (they are in the tree's `missing`).
 */
export function belowMaximum(
  definition: ParIndexDefinition,
  result: ParIndexResult,
  options: { sources?: ParSource[]; instrument?: Instrument; evidence?: Answers } = {},
): BelowMaximumRow[] {
  const sources = new Set(options.sources ?? ["A"]);
  const agencyLabels = new Map(definition.agencies.map((a) => [a.code, a.label]));
  const questions = options.instrument ? questionById(options.instrument) : null;
  const rows: BelowMaximumRow[] = [];
  for (const node of allParNodes(definition.root)) {
    if (!isParLeaf(node) || !sources.has(node.source)) continue;
    const scored = result.nodes.get(node.code);
    if (!scored || scored.points === null || scored.points >= node.max - EPSILON) continue;
    const appraisal = node.source === "A" ? (node as AppraisalLeaf) : null;
    rows.push({
      code: node.code,
      label: node.label,
      source: node.source,
      max: node.max,
      points: scored.points,
      lost: node.max - scored.points,
      percent: (100 * scored.points) / node.max,
      agencies: (appraisal?.agencies ?? []).map((code) => ({ code, label: agencyLabels.get(code)! })),
      evidence: (appraisal?.evidence ?? []).map((question) => {
        const q = questions?.get(question);
        const value = options.evidence?.[question];
        return { question, label: q ? q.label : null, value: value === undefined ? null : value };
      }),
      ...(scored.obtained ? { obtained: scored.obtained } : {}),
      ...(scored.detail ? { detail: scored.detail } : {}),
    });
  }
  return rows;
}

export interface NodeChange {
  code: string;
  level: ParNode["level"];
  before: number | null;
  after: number | null;
  /** after − before, when both have a value. */
  delta: number | null;
}

/** Nodes whose points differ between two results of the same definition (also: self-assessed vs appraised). */
export function diffResults(before: ParIndexResult, after: ParIndexResult): NodeChange[] {
  const changes: NodeChange[] = [];
  for (const [code, a] of before.nodes) {
    const b = after.nodes.get(code);
    if (!b) continue;
    const same = a.points === null || b.points === null ? a.points === b.points : Math.abs(a.points - b.points) < 1e-12;
    if (same) continue;
    changes.push({
      code,
      level: a.level,
      before: a.points,
      after: b.points,
      delta: a.points !== null && b.points !== null ? b.points - a.points : null,
    });
  }
  return changes;
}

export interface WhatIf {
  base: ParIndexResult;
  proposed: ParIndexResult;
  changes: NodeChange[];
}

/**
 * Recomputes with proposed values laid over the real inputs ("if 3.4.3 reached 100% on time and
 * SIPAS rose 0.3 points …"). Nothing is changed: the inputs are copied, never written. A given A
 * score still wins over evidence, so to try new evidence on such a leaf, propose its score instead.
 */
export function whatIf(definition: ParIndexDefinition, inputs: ParIndexInputs, proposal: ParIndexInputs): WhatIf {
  const merged: ParIndexInputs = {
    evidence: { ...inputs.evidence, ...proposal.evidence },
    given: { ...inputs.given, ...proposal.given },
    survey: { ...inputs.survey, ...proposal.survey },
    sipas: { ...inputs.sipas, ...proposal.sipas },
  };
  const base = scoreParIndex(definition, inputs);
  const proposed = scoreParIndex(definition, merged);
  return { base, proposed, changes: diffResults(base, proposed) };
}

export function allParNodes(node: ParNode): ParNode[] {
  return [node, ...(isParLeaf(node) ? [] : node.children.flatMap(allParNodes))];
}

/**
 * Checks a par-index definition against its self-assessment instrument and, when given, the
 * leader-survey and SIPAS indices its S and C leaves read. Every problem names the node.
 */
export function checkParIndex(
  definition: ParIndexDefinition,
  instrument: Instrument,
  related: { survey?: IndexDefinition; sipas?: IndexDefinition } = {},
): IndexProblem[] {
  const problems: IndexProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (definition.instrument !== instrument.id) add("instrument", `par index is bound to ${definition.instrument}, not ${instrument.id}`);
  const questions = questionById(instrument);
  const agencies = new Set(definition.agencies.map((a) => a.code));
  const nodes = allParNodes(definition.root);
  const seen = new Set<string>();
  for (const node of nodes) {
    if (seen.has(node.code)) add(`node ${node.code}`, "duplicate node code");
    seen.add(node.code);
  }
  const surveyNodes = related.survey ? new Map(allNodes(related.survey.root).map((n) => [n.code, n])) : null;
  const sipasDerived = related.sipas ? new Map(related.sipas.derived.map((d) => [d.code, d])) : null;

  for (const node of nodes) {
    const path = `node ${node.code}`;
    if (!isParLeaf(node)) {
      const sum = node.children.reduce((s, c) => s + c.max, 0);
      if (Math.abs(sum - node.max) > EPSILON) add(path, `children's maxima sum to ${fmt(sum)}, not the node's ${node.max}`);
      continue;
    }
    if (node.source === "S" && surveyNodes) {
      const item = surveyNodes.get(node.item);
      if (!item) add(path, `leader-survey item "${node.item}" is not in ${related.survey!.id}`);
      else if (item.max !== node.max) add(path, `leader-survey item "${node.item}" is worth ${item.max}, not ${node.max}`);
    }
    if (node.source === "C" && sipasDerived) {
      const derived = sipasDerived.get(node.derived);
      if (!derived) add(path, `SIPAS derived score "${node.derived}" is not in ${related.sipas!.id}`);
      else if (derived.max !== node.max) add(path, `SIPAS derived score "${node.derived}" is worth ${derived.max}, not ${node.max}`);
    }
    if (node.source !== "A") continue;
    for (const a of node.agencies) if (!agencies.has(a)) add(path, `unknown agency "${a}"`);
    for (const q of node.evidence) if (!questions.has(q)) add(path, `evidence question "${q}" is not in ${instrument.id}`);
    let read: string[] = [];
    try {
      read = ruleQuestions(node.rule);
    } catch (e) {
      add(path, `rule: ${(e as Error).message}`);
    }
    const evidence = new Set(node.evidence);
    for (const q of new Set(read)) if (!evidence.has(q)) add(path, `the rule reads "${q}", which is not among its evidence`);
    checkRule(node.rule, node.max, path, add);
  }

  for (const part of definition.parts) {
    const sum = nodes.filter((n) => isParLeaf(n) && n.source === part.source).reduce((s, n) => s + n.max, 0);
    if (Math.abs(sum - part.max) > EPSILON) add(`part ${part.source}`, `its leaves' maxima sum to ${fmt(sum)}, not ${part.max}`);
  }
  const partsSum = definition.parts.reduce((s, p) => s + p.max, 0);
  if (Math.abs(partsSum - definition.root.max) > EPSILON) add("parts", `parts sum to ${fmt(partsSum)}, not the total's ${definition.root.max}`);
  return problems;
}

function checkRule(rule: AppraisalRule, max: number, path: string, add: (path: string, message: string) => void): void {
  if (rule.type === "steps") {
    for (const s of rule.steps) if (s.points > max + EPSILON) add(path, `a step gives ${s.points}, above the maximum ${max}`);
  } else if (rule.type === "level") {
    for (const [code, p] of Object.entries(rule.points)) if (p > max + EPSILON) add(path, `level "${code}" gives ${p}, above the maximum ${max}`);
  } else if (rule.type === "parts") {
    const sum = rule.parts.reduce((s, p) => s + p.max, 0);
    if (Math.abs(sum - max) > EPSILON) add(path, `parts' maxima sum to ${fmt(sum)}, not ${max}`);
    for (const p of rule.parts) checkRule(p.rule, p.max, `${path} part ${p.code}`, add);
  }
}
