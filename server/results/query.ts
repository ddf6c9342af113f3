/** The query parameters the results endpoints share (unit, group, variant, asOf, by, compare), checked once. */
import type { AppContext } from "../app-context.js";
import { Problem } from "../http/problem.js";
import {
  applyComparison,
  checkBreakdown,
  checkRegistry,
  compareWith,
  computeResults,
  emptyCell,
  loadRoundEdition,
  unitSpace,
  type Comparison,
  type Computed,
  type ResultsQuery,
  type RoundEdition,
} from "./service.js";
import { attachPrevious } from "../../shared/results/compare.js";
import type { BreakdownRow, MappingReport, ScoredCell } from "../../shared/results/types.js";
import { restrictMapping, type Viewer } from "./scope.js";

const bad = (vi: string, en: string, detail?: unknown) => new Problem("bad_request", undefined, detail, { vi, en });

export interface ParsedQuery {
  re: RoundEdition;
  q: ResultsQuery;
  compare: string | null;
  /** With a single unit: also score its peers to give its rank (costs a pass over every unit of the level). */
  rank: boolean;
  /** Who the results are for: decides which targets, base rounds and mapping entries they include. */
  viewer: Viewer;
}

/** Reads and checks the shared parameters from a request (or a plain record, for the command line). */
export async function parseQuery(
  ctx: AppContext,
  roundId: string,
  params: Record<string, string | undefined>,
  options: { by?: boolean; viewer: Viewer },
): Promise<ParsedQuery> {
  const re = await loadRoundEdition(ctx, roundId);
  const asOf = params.asOf || re.round.registry;
  await checkRegistry(ctx, asOf);
  const space = await unitSpace(ctx, re.round.registry, asOf);
  let unit = null;
  if (params.unit) {
    unit = await ctx.units.get(params.unit);
    if (!unit) throw new Problem("unit_not_found", undefined, { unit: params.unit });
    if (unit.registry !== asOf) {
      throw bad(
        `Đơn vị ${unit.key} thuộc danh mục ${unit.registry}, không thuộc danh mục đang xem (${asOf}).`,
        `Unit ${unit.key} belongs to registry ${unit.registry}, not to the registry shown (${asOf}).`,
        { unit: unit.key, asOf },
      );
    }
  }
  const group = params.group || null;
  if (group && !re.round.groups.includes(group)) {
    throw bad(
      `Nhóm "${group}" không có trong đợt này (có: ${re.round.groups.join(", ")}).`,
      `Group "${group}" is not part of this round (groups: ${re.round.groups.join(", ")}).`,
      { group },
    );
  }
  const variant = params.variant || undefined;
  if (variant && variant !== "default" && !re.index.variants.some((v) => v.id === variant)) {
    throw bad(`Chỉ số không có phương án "${variant}".`, `The index has no variant "${variant}".`, {
      variant,
      available: ["default", ...re.index.variants.map((v) => v.id)],
    });
  }
  const by = options.by ? params.by || null : null;
  if (by) checkBreakdown(ctx, by, asOf, unit);
  return {
    re,
    q: { unit, group, variant, by, space },
    compare: params.compare || null,
    rank: params.rank === "1" || params.rank === "true",
    viewer: options.viewer,
  };
}

export interface Scored {
  total: ScoredCell;
  rows: BreakdownRow[];
  /** All units at the filter unit's level (the unit's peers for ranks), when a unit is selected without a breakdown. */
  peers: BreakdownRow[];
  mapping: MappingReport;
  comparison: Comparison | null;
}

/**
 * Results for a parsed query. With `rank`, a single unit is scored as its row of the breakdown at its
 * own level, so that it carries its rank among all units of that level (the same cells either way: a cell that
 * cannot be allocated to one unit at that level is in neither).
 */
export async function scoreQuery(ctx: AppContext, parsed: ParsedQuery): Promise<Scored> {
  const { re, q } = parsed;
  if (q.unit && !q.by && parsed.rank) {
    const unit = q.unit;
    const peerQuery: ResultsQuery = { ...q, unit: null, by: unit.level };
    let computed: Computed = await computeResults(ctx, re, peerQuery);
    let comparison: Comparison | null = null;
    if (parsed.compare) {
      comparison = await compareWith(ctx, re, parsed.compare, peerQuery);
      computed = applyComparison(computed, comparison);
    }
    const row = computed.rows.find((r) => r.unit?.key === unit.key);
    let total: ScoredCell;
    if (row) {
      const { unit: _u, group: _g, ...cell } = row;
      total = cell;
    } else {
      total = emptyCell(re, q.group);
      if (comparison) {
        const earlierRow = comparison.computed.rows.find((r) => r.unit?.key === unit.key) ?? null;
        total = { ...total, root: attachPrevious(total.root, earlierRow?.root ?? null, comparison.matching) };
      }
    }
    const mapping: MappingReport = restrictMapping(ctx, parsed.viewer, {
      ...computed.mapping,
      partial: computed.mapping.partial.filter((p) => p.candidates.includes(unit.key)),
    });
    if (comparison?.info.mapping) {
      comparison.info.mapping = restrictMapping(ctx, parsed.viewer, {
        ...comparison.info.mapping,
        partial: comparison.info.mapping.partial.filter((p) => p.candidates.includes(unit.key)),
      });
    }
    return { total, rows: [], peers: computed.rows, mapping, comparison };
  }
  let computed = await computeResults(ctx, re, q);
  let comparison: Comparison | null = null;
  if (parsed.compare) {
    comparison = await compareWith(ctx, re, parsed.compare, q);
    computed = applyComparison(computed, comparison);
    if (comparison.info.mapping) comparison.info.mapping = restrictMapping(ctx, parsed.viewer, comparison.info.mapping);
  }
  return { total: computed.total, rows: computed.rows, peers: [], mapping: restrictMapping(ctx, parsed.viewer, computed.mapping), comparison };
}
