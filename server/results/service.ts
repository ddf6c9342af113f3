/**
 * The results of one query: the scored tree of the filter cell (a unit and group) and its breakdown
 * rows by unit at any level or by group, ranked at every node. Computed from rollups; SQL stays in
 * counts.ts/repository.ts. Around it: query-params.ts reads a request, unit-space.ts maps units as
 * of a registry, year-on-year.ts compares, targets.ts evaluates targets, tree.ts assembles a reply.
 */
import type { AppContext } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { findRound, type Round } from "../rounds/repository.js";
import { getEdition } from "../instruments/repository.js";
import type { UnitInfo } from "../units/directory.js";
import type { IndexDefinition } from "../../shared/index-model/schema.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import { scoreFromCounts } from "../../shared/scoring/index.js";
import type { Mapped } from "../../shared/results/crosswalk.js";
import { competitionRanks } from "../../shared/results/rank.js";
import { nodeMap, suppressTree, toResultTree } from "../../shared/results/tree.js";
import type { BreakdownRow, MappingReport, ScoredCell, UnitRef } from "../../shared/results/types.js";
import { aggregateCells, roundCells, type Cell } from "./counts.js";
import { complementarySuppression } from "./suppression.js";
import { attachUncertainty } from "./uncertainty.js";
import { attachRankRanges } from "./comparisons.js";
import { UNIT_LEVELS, levelDepth } from "../../shared/units/levels.js";
import type { UnitSpace } from "./unit-space.js";

export interface RoundEdition {
  round: Round;
  instrument: Instrument;
  index: IndexDefinition;
}

export async function loadRoundEdition(ctx: AppContext, roundId: string): Promise<RoundEdition> {
  const round = await findRound(ctx.db.kysely, roundId);
  if (!round) throw new Problem("round_not_found", undefined, { round: roundId });
  const edition = await getEdition(ctx.db.kysely, round.editionId, round.editionVersion);
  if (!edition) throw new Problem("instrument_not_found");
  if (edition.parIndex) throw new Problem("par_index_round", undefined, { round: roundId, results: `/api/par/${roundId}/results` });
  if (!edition.index) {
    throw new Problem("no_index", undefined, { round: roundId });
  }
  return { round, instrument: edition.instrument, index: edition.index };
}

export function unitRef(u: UnitInfo): UnitRef {
  return { key: u.key, code: u.code, name: u.name, fullName: u.fullName, level: u.level };
}

export interface ResultsQuery {
  /** Filter: a unit of the as-of registry (its subtree), a respondent group. */
  unit: UnitInfo | null;
  group: string | null;
  variant?: string | undefined;
  /** Breakdown: a unit level or "group"; null for the filter cell only. */
  by: string | null;
  space: UnitSpace;
}

export interface Computed {
  total: ScoredCell;
  rows: BreakdownRow[];
  mapping: MappingReport;
}

/** Checks a breakdown level against the filter unit and the registry. */
export function checkBreakdown(ctx: AppContext, by: string, registry: string, unit: UnitInfo | null): void {
  if (by === "group") return;
  if (!(UNIT_LEVELS as readonly string[]).includes(by)) {
    throw new Problem("breakdown_unknown", undefined, { by, levels: UNIT_LEVELS });
  }
  if (ctx.units.atLevel(registry, by).length === 0) {
    throw new Problem("breakdown_empty", undefined, { by, registry });
  }
  if (unit && levelDepth(by) <= levelDepth(unit.level)) {
    throw new Problem("breakdown_not_below", undefined, { by, unit: unit.key, level: unit.level });
  }
}

/**
 * Scores the filter cell and every row of a breakdown. Cells are assigned to rows in memory through
 * the unit space; rollups are read once for all of them. Rows are ranked at every node.
 */
export async function computeResults(ctx: AppContext, re: RoundEdition, q: ResultsQuery): Promise<Computed> {
  const cells = await roundCells(ctx.db.kysely, re.round.id, q.group);
  // Units added by another process (villages imported per round) are fetched once into the directory.
  for (const key of new Set(cells.map((c) => c.unit))) if (!ctx.units.getCached(key)) await ctx.units.get(key);
  const mapping: MappingReport = { registry: q.space.registry, from: q.space.from, partial: [], unmapped: [] };
  const partial = new Map<string, { responses: number; candidates: string[] }>();
  const unmapped = new Map<string, number>();
  // Partial cells are reported by the unit that was split (a commune), not by each village under it.
  const note = (cell: Cell, m: Mapped, concerns: (candidates: string[]) => boolean) => {
    if (m.status === "partial" && concerns(m.candidates)) {
      const p = partial.get(m.via) ?? { responses: 0, candidates: m.candidates };
      p.responses += cell.n;
      partial.set(m.via, p);
    } else if (m.status === "unmapped") unmapped.set(cell.unit, (unmapped.get(cell.unit) ?? 0) + cell.n);
  };

  const inFilter = cells.filter((cell) => {
    if (!q.unit) return true;
    const m = q.space.map(cell.unit, q.unit.level);
    if (m.status === "mapped") return m.key === q.unit.key;
    note(cell, m, (c) => c.includes(q.unit!.key));
    return false;
  });

  let rowOf: (cell: Cell) => string | null = () => null;
  if (q.by === "group") rowOf = (cell) => cell.group;
  else if (q.by) {
    const level = q.by;
    const within = (key: string) => !q.unit || ctx.units.isWithin(key, q.unit.key);
    rowOf = (cell) => {
      const m = q.space.map(cell.unit, level);
      if (m.status === "mapped") return m.key;
      note(cell, m, (c) => c.some(within));
      return null;
    };
  }
  const all = !q.unit;
  const counts = await aggregateCells(ctx.db.kysely, re.round.id, inFilter, { group: q.group, all, rowOf, byGroup: q.by === "group" });

  const minCell = re.round.minCellSize;
  const score = (c: typeof counts.total, group: string | null): ScoredCell => {
    const result = scoreFromCounts(re.index, re.instrument, c, { ...(q.variant ? { variant: q.variant } : {}), group });
    const suppressed = result.responses < minCell;
    const root = toResultTree(result.root, re.index.display);
    return {
      responses: result.responses,
      weightedResponses: result.weightedResponses,
      suppressed,
      root: suppressed ? suppressTree(root) : root,
      derived: suppressed ? result.derived.map((d) => ({ ...d, value: null })) : result.derived,
    };
  };

  const total = score(counts.total, q.group);
  let rows: BreakdownRow[] = [];
  if (q.by === "group") {
    const order = re.round.groups;
    rows = [...counts.rows.entries()].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([group, c]) => ({ unit: null, group, ...score(c, group) }));
  } else if (q.by) {
    rows = [...counts.rows.entries()]
      .map(([key, c]) => {
        const u = ctx.units.getCached(key);
        return { unit: u ? unitRef(u) : { key, code: key, name: key, fullName: key, level: q.by! }, group: q.group, ...score(c, q.group) };
      })
      .sort((a, b) => (a.unit!.code < b.unit!.code ? -1 : a.unit!.code > b.unit!.code ? 1 : 0));
  }
  if (re.round.modes.includes("invitation")) await applyComplementarySuppression(ctx, re, q, total, rows);
  await attachUncertainty(ctx, re, { cells: inFilter, q }, total, rows);
  rankRows(rows, re.index.decimals);
  attachRankRanges(rows);

  const ref = (key: string) => {
    const u = ctx.units.getCached(key);
    return u ? unitRef(u) : { key };
  };
  mapping.partial = [...partial.entries()].map(([key, p]) => ({ unit: ref(key), responses: p.responses, candidates: p.candidates }));
  mapping.unmapped = [...unmapped.entries()].map(([key, n]) => ({ unit: ref(key), responses: n }));
  return { total, rows, mapping };
}

/**
 * Anonymous rounds: a figure is also suppressed when publishing it would let a sum or difference
 * of published figures recover a small cell (server/results/suppression.ts). Decided once per
 * round over all its cells, so every query sees the same figures suppressed.
 */
async function applyComplementarySuppression(ctx: AppContext, re: RoundEdition, q: ResultsQuery, total: ScoredCell, rows: BreakdownRow[]): Promise<void> {
  const rule = complementarySuppression(await roundCells(ctx.db.kysely, re.round.id), ctx.units, re.round.scope, re.round.minCellSize);
  const hide = (cell: ScoredCell) => {
    cell.suppressed = true;
    cell.root = suppressTree(cell.root);
    cell.derived = cell.derived.map((d) => ({ ...d, value: null }));
  };
  const unit = q.unit?.key ?? null;
  if (rule.suppressed(unit, q.group)) hide(total);
  for (const row of rows) if (rule.suppressed(row.unit?.key ?? unit, row.unit ? q.group : (row.group ?? null))) hide(row);
}

/** Ranks the rows at every node (competition ranking; suppressed rows have no value and no rank). */
export function rankRows(rows: BreakdownRow[], decimals: number): void {
  if (rows.length === 0) return;
  const maps = rows.map((r) => nodeMap(r.root));
  const codes = new Set<string>();
  for (const m of maps) for (const code of m.keys()) codes.add(code);
  for (const code of codes) {
    const values = maps.map((m) => m.get(code)?.value ?? null);
    const ranks = competitionRanks(values, decimals);
    const of = values.filter((v) => v !== null).length;
    maps.forEach((m, i) => {
      const node = m.get(code);
      if (!node) return;
      node.rank = ranks[i]!;
      node.of = of;
    });
  }
}
