/**
 * The PAR INDEX feature's logic between the HTTP routes and the pure scorer: which round and unit,
 * the inputs of one assessed unit (evidence of a group, given A scores, S and C from their rounds or
 * published values), results with ranks, year on year and targets, the below-maximum list and its
 * appendix table, and checks of proposed values.
 */
import type { AppContext } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { canSeeRound, requireRounds } from "../http/access.js";
import type { User } from "../accounts/repository.js";
import { findRound, type Round } from "../rounds/repository.js";
import { getEdition } from "../instruments/repository.js";
import { parseQuery } from "../results/query-params.js";
import { scoreQuery } from "../results/tree.js";
import { unitRef } from "../results/service.js";
import type { Column, Table } from "../exports/writers.js";
import type { Instrument, Answers } from "../../shared/instrument/schema.js";
import { isParLeaf, type ParIndexDefinition, type ParLeaf } from "../../shared/index-model/par-index.js";
import {
  allParNodes,
  belowMaximum,
  diffResults,
  scoreParIndex,
  type BelowMaximumRow,
  type ParIndexInputs,
  type ParIndexResult,
  type ParNodeResult,
} from "../../shared/scoring/index.js";
import { competitionRanks } from "../../shared/results/rank.js";
import type { ResultNode } from "../../shared/results/types.js";
import { fieldError, type FieldError } from "../../shared/errors.js";
import type { AssessmentGroup, ParSourceInput } from "../../shared/api/par-index.js";
import { getAssessment, getInputs, enteredUnits, type ParInputs } from "./repository.js";
import { applicableTargets, evaluateParTargets, visibleTargets } from "./targets.js";

export interface ParRound {
  round: Round;
  instrument: Instrument;
  definition: ParIndexDefinition;
}

/** A round whose edition has a par index; any other round is a 409 naming the results route to use. */
export async function loadParRound(ctx: AppContext, roundId: string): Promise<ParRound> {
  const round = await findRound(ctx.db.kysely, roundId);
  if (!round) throw new Problem("round_not_found", undefined, { round: roundId });
  const edition = await getEdition(ctx.db.kysely, round.editionId, round.editionVersion);
  if (!edition) throw new Problem("instrument_not_found");
  if (!edition.parIndex) throw new Problem("not_par_index_round", undefined, { round: roundId, results: `/api/rounds/${roundId}/results` });
  return { round, instrument: edition.instrument, definition: edition.parIndex };
}

/** The assessed unit must exist, be at the definition's level and lie inside the round's scope. */
export async function assessedUnit(ctx: AppContext, pr: ParRound, key: string, field = "unit") {
  const unit = await ctx.units.get(key);
  if (!unit) throw new Problem("unit_not_found", [fieldError(field, "unit_not_found")], { unit: key });
  const inRound = pr.round.scope.length === 0 ? unit.registry === pr.round.registry : pr.round.scope.some((s) => ctx.units.isWithin(key, s));
  if (unit.level !== pr.definition.unitLevel || !inRound) {
    const text = {
      vi: `Đơn vị "${key}" không phải ${pr.definition.unitLevel} thuộc phạm vi của đợt ${pr.round.id}.`,
      en: `Unit "${key}" is not a ${pr.definition.unitLevel} within round ${pr.round.id}'s scope.`,
    };
    throw new Problem("unit_not_in_scope", [fieldError(field, "unit_not_in_scope", text)], { unit: key }, text);
  }
  return unit;
}

export function assessmentGroup(pr: ParRound, value: string | undefined, field = "group"): AssessmentGroup {
  const groups = pr.round.groups;
  const group = value || (groups.includes("tham-dinh") ? "tham-dinh" : groups[0]);
  if (!group || !groups.includes(group) || (group !== "tu-danh-gia" && group !== "tham-dinh")) {
    throw new Problem("invalid", [
      fieldError(field, "group_not_allowed", { vi: `Nhóm phải là một trong: ${groups.join(", ")}.`, en: `The group must be one of: ${groups.join(", ")}.` }),
    ]);
  }
  return group;
}

const leaves = (d: ParIndexDefinition): ParLeaf[] => allParNodes(d.root).filter(isParLeaf);

/** TCTP codes whose evidence a question is (for the audit log). */
export function leavesOfQuestion(d: ParIndexDefinition): (question: string) => string[] {
  const map = new Map<string, string[]>();
  for (const leaf of leaves(d)) if (leaf.source === "A") for (const q of leaf.evidence) map.set(q, [...(map.get(q) ?? []), leaf.code]);
  return (q) => map.get(q) ?? [];
}

// ---------------------------------------------------------------- checks of points entered by people

type PointsKind = "given" | "survey" | "sipas";

/** Every code must be a leaf of that source (A, an S item, the C score) and its points within [0, max]. */
export function checkPoints(d: ParIndexDefinition, kind: PointsKind, points: Record<string, number> | undefined, field: string): FieldError[] {
  if (!points) return [];
  const max = new Map<string, number>();
  for (const leaf of leaves(d)) {
    if (kind === "given" && leaf.source === "A") max.set(leaf.code, leaf.max);
    if (kind === "survey" && leaf.source === "S") max.set(leaf.item, leaf.max);
    if (kind === "sipas" && leaf.source === "C") max.set(leaf.derived, leaf.max);
  }
  const errors: FieldError[] = [];
  for (const [code, value] of Object.entries(points)) {
    const m = max.get(code);
    if (m === undefined) {
      const what = {
        given: ["tiêu chí chấm qua thẩm định (A)", "an appraised (A) criterion"],
        survey: ["câu khảo sát lãnh đạo (S)", "a leader-survey (S) item"],
        sipas: ["điểm SIPAS quy đổi (C)", "the SIPAS conversion (C)"],
      }[kind];
      errors.push(
        fieldError(`${field}.${code}`, "invalid_field", { vi: `"${code}" không phải ${what[0]} của ${d.id}.`, en: `"${code}" is not ${what[1]} of ${d.id}.` }),
      );
    } else if (!(value >= 0 && value <= m + 1e-9)) {
      errors.push(
        fieldError(`${field}.${code}`, "out_of_range", { vi: `Điểm của ${code} phải từ 0 đến ${m}.`, en: `The points of ${code} must be from 0 to ${m}.` }),
      );
    }
  }
  return errors;
}

/** A source round must exist, be visible to the caller and be of the edition the definition reads. */
export async function checkSource(
  ctx: AppContext,
  user: User,
  d: ParIndexDefinition,
  source: ParSourceInput | null,
  field: "survey" | "sipas",
): Promise<FieldError[]> {
  if (!source) return [];
  if ("published" in source) return checkPoints(d, field, source.published, `${field}.published`);
  requireRounds(user, [{ field: `${field}.round`, value: source.round }]);
  const round = await findRound(ctx.db.kysely, source.round);
  const edition = field === "survey" ? d.surveyEdition : d.sipasEdition;
  if (!round || round.editionId !== edition) {
    return [
      fieldError(`${field}.round`, "invalid_field", {
        vi: `Cần một đợt khảo sát của ${edition ?? "?"}; "${source.round}" không phải.`,
        en: `Needs a round of ${edition ?? "?"}; "${source.round}" is not one.`,
      }),
    ];
  }
  return [];
}

// ---------------------------------------------------------------- inputs and scoring

export interface SourceInfo {
  kind: "round" | "published" | "none";
  round?: string;
  /** Why a round gave no value (suppressed, not found…). */
  note?: string;
}

export interface UnitInputs {
  inputs: ParIndexInputs;
  stored: ParInputs;
  sources: { survey: SourceInfo; sipas: SourceInfo };
}

function pointsByCode(node: ResultNode, into: Record<string, number | null> = {}): Record<string, number | null> {
  into[node.code] = node.points;
  for (const c of node.children ?? []) pointsByCode(c, into);
  return into;
}

/**
 * S or C values of a unit from a round of the leader survey or SIPAS: that round's result for the
 * unit. A caller not assigned to that round gets no value from it (as with a rule target's base
 * round, docs/security.md "Analyst scope"): the part stays empty, with the reason. `viewer` null is
 * the server itself (demo, command line).
 */
async function sourceValues(
  ctx: AppContext,
  source: ParSourceInput | null,
  unit: string,
  kind: "survey" | "sipas",
  viewer: User | null,
): Promise<{ values: Record<string, number | null>; info: SourceInfo }> {
  if (!source) return { values: {}, info: { kind: "none" } };
  if ("published" in source) return { values: source.published, info: { kind: "published" } };
  if (viewer && !canSeeRound(viewer, source.round)) return { values: {}, info: { kind: "round", round: source.round, note: "round_not_assigned" } };
  try {
    const parsed = await parseQuery(ctx, source.round, { unit }, { viewer: null });
    const scored = await scoreQuery(ctx, parsed);
    if (scored.total.suppressed) return { values: {}, info: { kind: "round", round: source.round, note: "suppressed" } };
    const values = kind === "survey" ? pointsByCode(scored.total.root) : Object.fromEntries(scored.total.derived.map((d) => [d.code, d.value]));
    return { values, info: { kind: "round", round: source.round } };
  } catch (e) {
    if (e instanceof Problem) return { values: {}, info: { kind: "round", round: source.round, note: e.code } };
    throw e;
  }
}

export async function unitInputs(ctx: AppContext, pr: ParRound, unit: string, group: AssessmentGroup, viewer: User | null): Promise<UnitInputs> {
  const stored = await getInputs(ctx.db.kysely, pr.round.id, unit);
  const assessment = await getAssessment(ctx.db.kysely, pr.round.id, unit, group);
  const survey = await sourceValues(ctx, stored.survey, unit, "survey", viewer);
  const sipas = await sourceValues(ctx, stored.sipas, unit, "sipas", viewer);
  return {
    inputs: { evidence: assessment?.answers ?? {}, given: stored.given[group] ?? {}, survey: survey.values, sipas: sipas.values },
    stored,
    sources: { survey: survey.info, sipas: sipas.info },
  };
}

/** A scored tree as JSON (the result's Map is left out). */
export const treeOf = (result: ParIndexResult): ParNodeResult => result.root;

export interface ResultsOptions {
  compare?: string | undefined;
  /** Target as a percentage of each node's maximum ("≥ 87%", 000:21), for this request only. */
  targetPercent?: number | undefined;
  /** The caller: which stored targets it sees. */
  viewer: User;
}

export async function parResults(ctx: AppContext, pr: ParRound, unitKey: string, group: AssessmentGroup, options: ResultsOptions) {
  const unit = await assessedUnit(ctx, pr, unitKey);
  const { inputs, sources } = await unitInputs(ctx, pr, unitKey, group, options.viewer);
  const result = scoreParIndex(pr.definition, inputs);
  const statuses = await groupStatuses(ctx, pr, unitKey);

  // Rank among the units whose results are entered in this round, for the same group.
  const entered = await enteredUnits(ctx.db.kysely, pr.round.id);
  const totals: Array<number | null> = [];
  const others: number[] = [];
  for (const key of entered) {
    const other = key === unitKey ? result : scoreParIndex(pr.definition, (await unitInputs(ctx, pr, key, group, options.viewer)).inputs);
    totals.push(other.root.points);
    if (key !== unitKey && other.root.points !== null) others.push(other.root.points);
  }
  const ranks = competitionRanks(totals, pr.definition.decimals);
  const at = entered.indexOf(unitKey);
  const rank = { rank: at >= 0 ? (ranks[at] ?? null) : null, of: totals.filter((t) => t !== null).length };

  let previous: { round: string; points: Record<string, number | null> } | null = null;
  if (options.compare) {
    const earlier = await loadParRound(ctx, options.compare);
    const before = scoreParIndex(earlier.definition, (await unitInputs(ctx, earlier, unitKey, group, options.viewer)).inputs);
    // Matched by code, or by the code a node continues from the earlier edition.
    const points: Record<string, number | null> = {};
    for (const node of allParNodes(pr.definition.root)) {
      const match = before.nodes.get(node.code) ?? (node.continues ? before.nodes.get(node.continues) : undefined);
      if (match) points[node.code] = match.points;
    }
    previous = { round: earlier.round.id, points };
  }

  let target: { percent: number; nodes: Record<string, { target: number; gap: number | null }> } | null = null;
  if (options.targetPercent !== undefined) {
    const nodes: Record<string, { target: number; gap: number | null }> = {};
    for (const node of [result.root, ...(result.root.children ?? [])]) {
      const t = (node.max * options.targetPercent) / 100;
      nodes[node.code] = { target: t, gap: node.points === null ? null : Math.max(0, t - node.points) };
    }
    target = { percent: options.targetPercent, nodes };
  }

  // Stored targets of the round (round-wide or this unit's) with the points and ranks still needed.
  const targets = evaluateParTargets(
    applicableTargets(await visibleTargets(ctx, pr.round.id, options.viewer), unitKey, group),
    result.nodes,
    rank,
    others,
    pr.definition.decimals,
  );

  // The other group side by side: self-assessed against appraised, the nodes where they differ.
  const otherGroup = pr.round.groups.find((g): g is AssessmentGroup => g !== group && (g === "tu-danh-gia" || g === "tham-dinh"));
  let groups: { group: AssessmentGroup; points: number | null; nodes: Record<string, number | null>; changes: ReturnType<typeof diffResults> } | null = null;
  if (otherGroup) {
    const other = scoreParIndex(pr.definition, (await unitInputs(ctx, pr, unitKey, otherGroup, options.viewer)).inputs);
    // Points of every node of the other group, for a column beside this one.
    const nodes = Object.fromEntries([...other.nodes.values()].map((n) => [n.code, n.points]));
    groups = { group: otherGroup, points: other.root.points, nodes, changes: diffResults(other, result) };
  }

  return {
    round: pr.round.id,
    other: groups,
    index: {
      id: pr.definition.id,
      title: pr.definition.title,
      year: pr.definition.year,
      decimals: pr.definition.decimals,
      leafDecimals: pr.definition.leafDecimals,
      parts: pr.definition.parts,
    },
    unit: unitRef(unit),
    group,
    statuses,
    sources,
    rank,
    previous,
    target,
    targets,
    root: treeOf(result),
  };
}

export async function groupStatuses(ctx: AppContext, pr: ParRound, unit: string) {
  const out: Partial<Record<AssessmentGroup, { status: string; version: number } | null>> = {};
  for (const g of pr.round.groups as AssessmentGroup[]) {
    const a = await getAssessment(ctx.db.kysely, pr.round.id, unit, g);
    out[g] = a ? { status: a.status, version: a.version } : null;
  }
  return out;
}

export async function belowMaximumRows(
  ctx: AppContext,
  pr: ParRound,
  unitKey: string,
  group: AssessmentGroup,
  viewer: User | null,
): Promise<BelowMaximumRow[]> {
  await assessedUnit(ctx, pr, unitKey);
  const { inputs } = await unitInputs(ctx, pr, unitKey, group, viewer);
  const result = scoreParIndex(pr.definition, inputs);
  return belowMaximum(pr.definition, result, { instrument: pr.instrument, evidence: inputs.evidence ?? {} });
}

// ---------------------------------------------------------------- the appendix download (004 Phụ lục 2)

const COLUMNS: Column[] = [
  { key: "stt", label: { vi: "STT", en: "No." }, type: "number", width: 6 },
  { key: "code", label: { vi: "Mã", en: "Code" }, type: "text", width: 8 },
  { key: "criterion", label: { vi: "Tiêu chí, tiêu chí thành phần", en: "Criterion, sub-criterion" }, type: "text", width: 60 },
  { key: "max", label: { vi: "Điểm tối đa", en: "Maximum" }, type: "number", width: 10, numFmt: "0.00" },
  { key: "points", label: { vi: "Điểm đạt", en: "Score" }, type: "number", width: 10, numFmt: "0.0000" },
  { key: "lost", label: { vi: "Điểm bị trừ", en: "Points lost" }, type: "number", width: 10, numFmt: "0.0000" },
  {
    key: "reason",
    label: { vi: "Nguyên nhân (số liệu, tài liệu kiểm chứng, giải trình)", en: "Reason (figures, supporting documents, notes)" },
    type: "text",
    width: 80,
  },
  { key: "agency", label: { vi: "Cơ quan chủ trì", en: "Lead agency" }, type: "text", width: 30 },
];

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function belowMaximumTable(rows: BelowMaximumRow[], lang: "vi" | "en", name: string): Table {
  const reason = (r: BelowMaximumRow) =>
    r.evidence
      .filter((e) => e.value !== null)
      .map((e) => `${e.label?.[lang] ?? e.question}: ${Array.isArray(e.value) ? e.value.join(", ") : String(e.value)}`)
      .join("; ");
  return {
    name,
    columns: COLUMNS,
    total: rows.length,
    async *rows() {
      let n = 0;
      for (const r of rows) {
        yield [++n, r.code, `${r.code} – ${r.label[lang]}`, r.max, round4(r.points), round4(r.lost), reason(r), r.agencies[0]?.label[lang] ?? ""];
      }
    },
  };
}

/** What a proposal may hold: evidence answers that validate, and points within each node's range. */
export function checkProposal(
  pr: ParRound,
  proposal: { given?: Record<string, number> | undefined; survey?: Record<string, number> | undefined; sipas?: Record<string, number> | undefined },
): FieldError[] {
  return [
    ...checkPoints(pr.definition, "given", proposal.given, "proposal.given"),
    ...checkPoints(pr.definition, "survey", proposal.survey, "proposal.survey"),
    ...checkPoints(pr.definition, "sipas", proposal.sipas, "proposal.sipas"),
  ];
}

export type { Answers };
