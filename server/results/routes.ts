/** GET /api/rounds/:id/results?unit=&group=&variant= — the scored index tree, computed from rollups. */
import { Hono } from "hono";
import type { AppEnv } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { findRound } from "../rounds/repository.js";
import { getEdition } from "../instruments/repository.js";
import { scoreFromCounts, type NodeResult } from "../../shared/scoring/index.js";
import { countsFor } from "./counts.js";

export function resultRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => {
    const ctx = c.var.ctx;
    const round = await findRound(ctx.db.kysely, c.req.param("id")!);
    if (!round) throw new Problem("round_not_found");
    const edition = await getEdition(ctx.db.kysely, round.editionId, round.editionVersion);
    if (!edition?.index) throw new Problem("not_found", undefined, undefined, { vi: "Bộ câu hỏi này không có chỉ số.", en: "This questionnaire has no index." });
    const unit = c.req.query("unit") || null;
    const group = c.req.query("group") || null;
    if (unit && !(await ctx.units.get(unit))) throw new Problem("unit_not_found");
    if (group && !round.groups.includes(group)) throw new Problem("bad_request", undefined, { group });
    const variant = c.req.query("variant");
    if (variant && variant !== "default" && !edition.index.variants.some((v) => v.id === variant)) {
      throw new Problem("bad_request", undefined, { variant, available: edition.index.variants.map((v) => v.id) });
    }
    const counts = await countsFor(ctx.db.kysely, ctx.units, round.id, { unit, group });
    const result = scoreFromCounts(edition.index, edition.instrument, counts, { ...(variant ? { variant } : {}), group });
    const minCell = round.minCellSize;
    const suppressed = result.responses < minCell;
    return c.json({
      round: round.id,
      index: result.index,
      variant: result.variant,
      unit,
      group,
      responses: result.responses,
      weightedResponses: result.weightedResponses,
      minCellSize: minCell,
      suppressed,
      root: suppressed ? suppress(result.root) : result.root,
      derived: suppressed ? result.derived.map((d) => ({ ...d, value: null })) : result.derived,
    });
  });

  return app;
}

/** Below the minimum cell size no value is shown, so that a small group cannot be singled out. */
export function suppress(node: NodeResult): NodeResult {
  return {
    ...node,
    percent: null,
    points: null,
    valid: 0,
    answered: 0,
    ...(node.children ? { children: node.children.map(suppress) } : {}),
  };
}
