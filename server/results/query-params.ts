/** The query parameters the results endpoints share (unit, group, variant, asOf, by, compare), read and checked once. */
import type { AppContext } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { checkBreakdown, loadRoundEdition, type ResultsQuery, type RoundEdition } from "./service.js";
import { checkRegistry, unitSpace } from "./unit-space.js";
import type { Viewer } from "./scope.js";

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
      throw new Problem("unit_other_registry", undefined, { unit: unit.key, asOf, registry: unit.registry });
    }
  }
  const group = params.group || null;
  if (group && !re.round.groups.includes(group)) {
    throw new Problem("group_not_in_round", undefined, { group, groups: re.round.groups });
  }
  const variant = params.variant || undefined;
  if (variant && variant !== "default" && !re.index.variants.some((v) => v.id === variant)) {
    throw new Problem("variant_unknown", undefined, {
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
