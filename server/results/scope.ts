/**
 * What one caller may see of a round's results, beyond the request checks of server/http/access.ts:
 * which stored targets, which base rounds and which mapping entries (docs/security.md, "Analyst scope").
 */
import type { AppContext } from "../app-context.js";
import type { User } from "../accounts/repository.js";
import { canSeeRound, seesWholeRound, unitInScope } from "../http/access.js";
import type { Target } from "../../shared/results/schemas.js";
import type { MappingReport } from "../../shared/results/types.js";

/** The caller results are computed for; null for the command line, run by the operator, who sees everything. */
export type Viewer = User | null;

export function roundVisible(viewer: Viewer, roundId: string): boolean {
  return !viewer || canSeeRound(viewer, roundId);
}

export function unitVisible(ctx: Pick<AppContext, "units">, viewer: Viewer, unitKey: string): boolean {
  return !viewer || unitInScope(ctx.units, viewer, unitKey);
}

/** A target is the caller's when its unit lies inside the caller's area; round-wide targets belong to whole-round callers. */
export function targetVisible(ctx: Pick<AppContext, "units">, viewer: Viewer, target: Target): boolean {
  if (!viewer) return true;
  return target.unit ? unitInScope(ctx.units, viewer, target.unit) : seesWholeRound(viewer);
}

/** A predicate for the targets the caller may see, with every target's unit loaded (a unit added by another process may not be cached). */
export async function targetFilter(ctx: Pick<AppContext, "units">, viewer: Viewer, targets: readonly Target[]): Promise<(t: Target) => boolean> {
  if (viewer && !seesWholeRound(viewer)) for (const t of targets) if (t.unit) await ctx.units.get(t.unit);
  return (t) => targetVisible(ctx, viewer, t);
}

/**
 * Cells that could not be mapped into the registry shown are reported by their unit, whatever the
 * filter: a caller limited to an area is told only of those inside it.
 */
export function restrictMapping(ctx: Pick<AppContext, "units">, viewer: Viewer, mapping: MappingReport): MappingReport {
  if (!viewer || seesWholeRound(viewer)) return mapping;
  const inside = (key: string, candidates: readonly string[] = []) => unitVisible(ctx, viewer, key) || candidates.some((c) => unitVisible(ctx, viewer, c));
  return {
    ...mapping,
    partial: mapping.partial.filter((p) => inside(p.unit.key, p.candidates)),
    unmapped: mapping.unmapped.filter((u) => inside(u.unit.key)),
  };
}
