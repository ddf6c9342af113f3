/** The scored tree of a parsed query: the filter cell, its breakdown rows, a year-on-year comparison and the targets on it. */
import type { AppContext } from "../app-context.js";
import { attachPrevious } from "../../shared/results/compare.js";
import type { BreakdownRow, MappingReport, ResultsResponse, ScoredCell, TargetResult } from "../../shared/results/types.js";
import { computeResults, unitRef, type Computed, type ResultsQuery } from "./service.js";
import { applyComparison, compareWith, emptyCell, type Comparison } from "./year-on-year.js";
import { attachTargets, evaluateRoundTargets } from "./targets.js";
import { restrictMapping } from "./scope.js";
import type { ParsedQuery } from "./query-params.js";

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

/** Results of a query with the round's targets for the selected unit and group evaluated and attached. */
export async function resultsWithTargets(ctx: AppContext, parsed: ParsedQuery): Promise<{ scored: Scored; targets: TargetResult[] }> {
  const scored = await scoreQuery(ctx, parsed);
  const targets = await evaluateRoundTargets(ctx, parsed.re, parsed.q, scored.total.root, scored.peers, parsed.viewer);
  if (targets.length) scored.total = { ...scored.total, root: attachTargets(scored.total.root, targets) };
  return { scored, targets };
}

export function resultsBody(parsed: ParsedQuery, scored: Scored): ResultsResponse {
  const { re, q } = parsed;
  return {
    round: re.round.id,
    index: re.index.id,
    variant: q.variant ?? re.index.defaultVariant ?? "default",
    display: re.index.display,
    decimals: re.index.decimals,
    registry: q.space.registry,
    unit: q.unit ? unitRef(q.unit) : null,
    group: q.group,
    by: q.by,
    minCellSize: re.round.minCellSize,
    mapping: scored.mapping,
    compare: scored.comparison?.info ?? null,
    performanceGroups: re.index.performanceGroups ?? null,
    ...scored.total,
    ...(q.by ? { rows: scored.rows } : {}),
  };
}
