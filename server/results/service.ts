/**
 * Results of a round as analysts read them: the scored tree for a unit and group, breakdowns by unit
 * at any level or by group (as of any unit registry, through the crosswalk), ranks, year-on-year
 * comparison and targets. Everything is computed from rollups; SQL stays in counts.ts/repository.ts.
 */
import type { AppContext } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { findRound, type Round } from "../rounds/repository.js";
import { getEdition } from "../instruments/repository.js";
import type { UnitDirectory, UnitInfo } from "../units/directory.js";
import type { IndexDefinition } from "../../shared/index-model/schema.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import { scoreFromCounts } from "../../shared/scoring/index.js";
import { Crosswalk, ancestorMapping, type Mapped } from "../../shared/results/crosswalk.js";
import { competitionRanks, performanceGroups } from "../../shared/results/rank.js";
import { nodeMap, suppressTree, toResultTree, walk } from "../../shared/results/tree.js";
import { attachPrevious, matchNodes, type NodeMatching } from "../../shared/results/compare.js";
import { evaluateTargets, type NodeValue } from "../../shared/results/targets.js";
import type { Target } from "../../shared/results/schemas.js";
import type { BreakdownRow, ComparisonInfo, MappingReport, ResultNode, ScoredCell, TargetResult, UnitRef } from "../../shared/results/types.js";
import { aggregateCells, roundCells, type Cell } from "./counts.js";
import { crosswalkLinks, getPeerGroup, getTargets, registryIds } from "./repository.js";
import { complementarySuppression } from "./suppression.js";
import { attachUncertainty } from "./uncertainty.js";
import { attachChanges, attachRankRanges, targetStatusOf } from "./comparisons.js";
import { roundVisible, targetFilter, type Viewer } from "./scope.js";
import { UNIT_LEVELS, levelDepth } from "../../shared/units/levels.js";

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
    throw new Problem("not_found", undefined, { round: roundId }, { vi: "Bộ câu hỏi này không có chỉ số.", en: "This questionnaire has no index." });
  }
  return { round, instrument: edition.instrument, index: edition.index };
}

export function unitRef(u: UnitInfo): UnitRef {
  return { key: u.key, code: u.code, name: u.name, fullName: u.fullName, level: u.level };
}

const badRequest = (vi: string, en: string, detail?: unknown) => new Problem("bad_request", undefined, detail, { vi, en });

// ---------------------------------------------------------------- unit spaces (as-of registry)

/** Maps the round's units into the registry results are shown in. */
export interface UnitSpace {
  registry: string;
  from: string;
  map(unitKey: string, level: string): Mapped;
}

// The crosswalk is imported once and never changes while the server runs: built once per direction.
const crosswalkCache = new WeakMap<UnitDirectory, Map<string, Promise<Crosswalk | null>>>();

async function crosswalkBetween(ctx: AppContext, from: string, asOf: string): Promise<Crosswalk | null> {
  let byPair = crosswalkCache.get(ctx.units);
  if (!byPair) crosswalkCache.set(ctx.units, (byPair = new Map()));
  const key = `${from}\u0000${asOf}`;
  let built = byPair.get(key);
  if (!built) {
    built = crosswalkLinks(ctx.db.kysely).then((all) => {
      const lookup = (k: string) => ctx.units.getCached(k);
      const registryOf = (k: string) => ctx.units.getCached(k)?.registry ?? null;
      const forward = all.filter((l) => registryOf(l.from) === from && registryOf(l.to) === asOf);
      if (forward.length > 0) return new Crosswalk(forward, lookup);
      const backward = all.filter((l) => registryOf(l.from) === asOf && registryOf(l.to) === from);
      return backward.length > 0 ? new Crosswalk(backward, lookup, true) : null;
    });
    built.catch(() => byPair!.delete(key));
    byPair.set(key, built);
  }
  return built;
}

export async function unitSpace(ctx: AppContext, from: string, asOf: string): Promise<UnitSpace> {
  if (from === asOf) return { registry: asOf, from, map: ancestorMapping((key) => ctx.units.getCached(key)) };
  const crosswalk = await crosswalkBetween(ctx, from, asOf);
  if (!crosswalk) {
    throw badRequest(`Không có bảng chuyển đổi giữa danh mục ${from} và ${asOf}.`, `There is no crosswalk between registries ${from} and ${asOf}.`, {
      from,
      asOf,
    });
  }
  return { registry: asOf, from, map: (key, level) => crosswalk.map(key, level) };
}

export async function checkRegistry(ctx: AppContext, registry: string): Promise<void> {
  const ids = await registryIds(ctx.db.kysely);
  if (!ids.includes(registry)) {
    throw badRequest(`Không có danh mục đơn vị "${registry}" (có: ${ids.join(", ")}).`, `No unit registry "${registry}" (known: ${ids.join(", ")}).`, {
      asOf: registry,
    });
  }
}

// ---------------------------------------------------------------- results

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
    throw badRequest(`Không có cấp "${by}"; dùng: ${UNIT_LEVELS.join(", ")}, group.`, `Unknown level "${by}"; use ${UNIT_LEVELS.join(", ")} or group.`, { by });
  }
  if (ctx.units.atLevel(registry, by).length === 0) {
    throw badRequest(`Danh mục ${registry} không có đơn vị cấp "${by}".`, `Registry ${registry} has no units at level "${by}".`, { by, registry });
  }
  if (unit && levelDepth(by) <= levelDepth(unit.level)) {
    throw badRequest(
      `Cấp "${by}" phải thấp hơn cấp của đơn vị đã chọn (${unit.level}).`,
      `Level "${by}" must be below the selected unit's level (${unit.level}).`,
      { by, unit: unit.key },
    );
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

// ---------------------------------------------------------------- year on year

export interface Comparison {
  info: ComparisonInfo;
  matching: NodeMatching;
  computed: Computed;
  earlier: RoundEdition;
}

/** An earlier round of the same index family; results of the same query as of the same registry. */
export async function compareWith(ctx: AppContext, re: RoundEdition, earlierId: string, q: ResultsQuery): Promise<Comparison> {
  if (earlierId === re.round.id) throw badRequest("Không thể so sánh một đợt với chính nó.", "A round cannot be compared with itself.", { compare: earlierId });
  const earlier = await loadRoundEdition(ctx, earlierId).catch((e: unknown) => {
    if (e instanceof Problem && e.code === "round_not_found") {
      throw badRequest(`Không tìm thấy đợt so sánh "${earlierId}".`, `The round to compare with, "${earlierId}", was not found.`, { compare: earlierId });
    }
    throw e;
  });
  if (earlier.instrument.family !== re.instrument.family) {
    throw badRequest(
      `Đợt ${earlierId} thuộc bộ chỉ số khác (${earlier.instrument.family}), không so sánh được với ${re.instrument.family}.`,
      `Round ${earlierId} belongs to another index family (${earlier.instrument.family}); it cannot be compared with ${re.instrument.family}.`,
      { compare: earlierId },
    );
  }
  const matching = matchNodes(re.index, earlier.index);
  const space = await unitSpace(ctx, earlier.round.registry, q.space.registry);
  const group = q.group && earlier.round.groups.includes(q.group) ? q.group : null;
  const variant = q.variant && earlier.index.variants.some((v) => v.id === q.variant) ? q.variant : undefined;
  const computed: Computed =
    q.group && !group
      ? { total: emptyCell(earlier), rows: [], mapping: { registry: space.registry, from: space.from, partial: [], unmapped: [] } }
      : await computeResults(ctx, earlier, { ...q, group, variant, space });
  const earlierNodes = nodeMap(computed.total.root);
  return {
    earlier,
    matching,
    computed,
    info: {
      round: earlier.round.id,
      index: earlier.index.id,
      title: earlier.round.title,
      removed: matching.removed.map((r) => ({ ...r, value: earlierNodes.get(r.code)?.value ?? null })),
      added: matching.added,
      mapping: space.from === space.registry ? null : computed.mapping,
    },
  };
}

/** The tree of a cell without responses: every node present, no values. */
export function emptyCell(re: RoundEdition, group: string | null = null): ScoredCell {
  const result = scoreFromCounts(re.index, re.instrument, { responses: { n: 0, w: 0, w2: 0 }, questions: {} }, { group });
  const root = suppressTree(toResultTree(result.root, re.index.display));
  return { responses: 0, weightedResponses: 0, suppressed: true, root, derived: result.derived.map((d) => ({ ...d, value: null })) };
}

/** Attaches earlier values to the filter cell and to each row (matched by unit key or group). */
export function applyComparison(computed: Computed, comparison: Comparison): Computed {
  const earlierRows = new Map(comparison.computed.rows.map((r) => [r.unit?.key ?? r.group ?? "", r]));
  // Each node also gets its change with SE and interval (server/results/comparisons.ts).
  const withChange = (root: ResultNode, earlier: ResultNode | null) =>
    attachChanges(attachPrevious(root, earlier, comparison.matching), earlier, comparison.matching);
  return {
    ...computed,
    total: { ...computed.total, root: withChange(computed.total.root, comparison.computed.total.root) },
    rows: computed.rows.map((r) => ({
      ...r,
      root: withChange(r.root, earlierRows.get(r.unit?.key ?? r.group ?? "")?.root ?? null),
    })),
  };
}

// ---------------------------------------------------------------- targets

/**
 * Evaluates the round's targets that concern a unit and group against the given results: only the
 * targets the viewer may see, and against base rounds the viewer may see (another is "no base").
 */
export async function evaluateRoundTargets(
  ctx: AppContext,
  re: RoundEdition,
  q: ResultsQuery,
  current: ResultNode,
  peers: BreakdownRow[],
  viewer: Viewer,
  targets?: Target[],
): Promise<TargetResult[]> {
  const stored = targets ?? (await getTargets(ctx.db.kysely, re.round.id)).targets;
  const list = stored.filter(await targetFilter(ctx, viewer, stored));
  if (list.length === 0) return [];
  const unitKey = q.unit?.key ?? null;
  const bases = new Map<string, Map<string, NodeValue> | null>();
  for (const t of list) {
    if (t.kind !== "rule" || !t.base || bases.has(t.base)) continue;
    bases.set(t.base, roundVisible(viewer, t.base) ? await baseValues(ctx, re, t.base, q) : null);
  }
  const peerSets = new Map<string, Set<string> | null>();
  for (const t of list) {
    if (t.kind !== "rank" || !t.peers || peerSets.has(t.peers)) continue;
    const group = await getPeerGroup(ctx.db.kysely, t.peers);
    peerSets.set(t.peers, group ? new Set(group.members) : null);
  }
  const peerMaps = peers.map((r) => ({ key: r.unit?.key ?? null, nodes: nodeMap(r.root) }));
  const k = re.index.performanceGroups?.length ?? 0;
  return evaluateTargets(list, {
    index: re.index,
    current,
    unit: unitKey,
    group: q.group,
    base: (round) => bases.get(round) ?? null,
    rank(node, peerId) {
      if (!unitKey) return null;
      const members = peerId ? peerSets.get(peerId) : null;
      if (peerId && !members) return null;
      const pool = members ? peerMaps.filter((p) => p.key && members.has(p.key)) : peerMaps;
      const values = pool.map((p) => p.nodes.get(node)?.value ?? null);
      const ranks = competitionRanks(values, re.index.decimals);
      const i = pool.findIndex((p) => p.key === unitKey);
      return i < 0 ? null : { rank: ranks[i]!, of: values.filter((v) => v !== null).length };
    },
    performanceGroup(node) {
      if (!unitKey || k === 0) return null;
      const values = peerMaps.map((p) => p.nodes.get(node)?.value ?? null);
      const i = peerMaps.findIndex((p) => p.key === unitKey);
      return i < 0 ? null : (performanceGroups(values, k).groups[i] ?? null);
    },
  });
}

/** Values of a base round for the same unit and group, keyed by the current edition's codes. */
async function baseValues(ctx: AppContext, re: RoundEdition, baseId: string, q: ResultsQuery): Promise<Map<string, NodeValue> | null> {
  if (baseId === re.round.id) return null;
  const comparison = await compareWith(ctx, re, baseId, { ...q, by: null }).catch((e: unknown) => {
    if (e instanceof Problem && e.status < 500) return null;
    throw e;
  });
  if (!comparison) return null;
  const earlierNodes = nodeMap(comparison.computed.total.root);
  const out = new Map<string, NodeValue>();
  for (const [code, earlierCode] of comparison.matching.counterpart) {
    const node = earlierCode ? earlierNodes.get(earlierCode) : undefined;
    if (node) out.set(code, { percent: node.percent, points: node.points });
  }
  return out;
}

/** Puts value and rule targets on the tree's nodes (one per node: the last listed wins). */
export function attachTargets(root: ResultNode, results: TargetResult[]): ResultNode {
  const byNode = new Map<string, TargetResult>();
  for (const r of results) if ((r.kind === "value" || r.kind === "rule") && r.goal !== null) byNode.set(r.node, r);
  const visit = (node: ResultNode): ResultNode => {
    const t = byNode.get(node.code);
    return {
      ...node,
      ...(t
        ? {
            target: {
              value: t.goal!,
              measure: t.measure as "percent" | "points",
              gap: t.gap,
              flags: t.flags,
              status: targetStatusOf(node, t.goal!, t.measure as "percent" | "points"),
            },
          }
        : {}),
      ...(node.children ? { children: node.children.map(visit) } : {}),
    };
  };
  return byNode.size ? visit(root) : root;
}

export { walk };
