/** Year on year: the same query over an earlier round of the index family, matched node by node and unit by unit. */
import type { AppContext } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { scoreFromCounts } from "../../shared/scoring/index.js";
import { nodeMap, suppressTree, toResultTree } from "../../shared/results/tree.js";
import { attachPrevious, matchNodes, type NodeMatching } from "../../shared/results/compare.js";
import type { ComparisonInfo, ResultNode, ScoredCell } from "../../shared/results/types.js";
import { attachChanges } from "./comparisons.js";
import { computeResults, loadRoundEdition, type Computed, type ResultsQuery, type RoundEdition } from "./service.js";
import { unitSpace } from "./unit-space.js";

export interface Comparison {
  info: ComparisonInfo;
  matching: NodeMatching;
  computed: Computed;
  earlier: RoundEdition;
}

/** An earlier round of the same index family; results of the same query as of the same registry. */
export async function compareWith(ctx: AppContext, re: RoundEdition, earlierId: string, q: ResultsQuery): Promise<Comparison> {
  if (earlierId === re.round.id) throw new Problem("compare_same_round", undefined, { compare: earlierId });
  const earlier = await loadRoundEdition(ctx, earlierId).catch((e: unknown) => {
    if (e instanceof Problem && e.code === "round_not_found") {
      throw new Problem("compare_not_found", undefined, { compare: earlierId });
    }
    throw e;
  });
  if (earlier.instrument.family !== re.instrument.family) {
    throw new Problem("compare_other_family", undefined, { compare: earlierId, family: earlier.instrument.family, currentFamily: re.instrument.family });
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
