/** GET /api/rounds, /api/rounds/:id, /api/rounds/:id/form (cacheable, with ETag) and /results. */
import { Hono } from "hono";
import type { AppEnv, AppContext } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { allow } from "../http/access.js";
import { listRounds, findRound, summarise, type Round } from "./repository.js";
import { getEdition } from "../instruments/repository.js";
import { contentHash } from "../lib/canonical.js";
import type { FormPayload } from "../../shared/api/schemas.js";
import { resultRoutes } from "../results/routes.js";
import { offlineRoutes } from "./offline-routes.js";

async function roundOr404(ctx: AppContext, id: string): Promise<Round> {
  const round = await findRound(ctx.db.kysely, id);
  if (!round) throw new Problem("round_not_found");
  return round;
}

export async function buildFormPayload(ctx: AppContext, round: Round): Promise<FormPayload> {
  const edition = await getEdition(ctx.db.kysely, round.editionId, round.editionVersion);
  if (!edition) throw new Problem("instrument_not_found");
  const { instrument, index } = edition;
  let fixedUnit: FormPayload["fixedUnit"] = null;
  if (round.scope.length === 1) {
    const unit = await ctx.units.get(round.scope[0]!);
    if (unit && unit.level === instrument.unitLevel) fixedUnit = { key: unit.key, name: unit.fullName };
  }
  return {
    round: summarise(round, instrument.title),
    instrument,
    index: index ? { id: index.id, title: index.title } : null,
    groups: instrument.respondentGroups.filter((g) => round.groups.includes(g.code)).map((g) => ({ code: g.code, label: g.label })),
    fixedUnit,
  };
}

export function roundRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/", allow("public"), async (c) => {
    const ctx = c.var.ctx;
    const rounds = await listRounds(ctx.db.kysely);
    const out = [];
    for (const round of rounds) {
      const edition = await getEdition(ctx.db.kysely, round.editionId, round.editionVersion);
      out.push(summarise(round, edition?.instrument.title ?? { vi: round.editionId, en: round.editionId }));
    }
    return c.json({ rounds: out });
  });

  app.get("/:id", allow("public"), async (c) => {
    const ctx = c.var.ctx;
    const round = await roundOr404(ctx, c.req.param("id"));
    const edition = await getEdition(ctx.db.kysely, round.editionId, round.editionVersion);
    const totals = await ctx.db.kysely
      .selectFrom("cell_totals")
      .select((eb) => eb.fn.sum<number>("n").as("n"))
      .where("round_id", "=", round.id)
      .executeTakeFirst();
    return c.json({ round: summarise(round, edition?.instrument.title ?? { vi: round.editionId, en: round.editionId }), responses: Number(totals?.n ?? 0) });
  });

  app.get("/:id/form", allow("public"), async (c) => {
    const ctx = c.var.ctx;
    const round = await roundOr404(ctx, c.req.param("id"));
    const payload = await buildFormPayload(ctx, round);
    const etag = `"${contentHash(payload).slice(0, 32)}"`;
    c.header("etag", etag);
    c.header("cache-control", "no-cache");
    if (c.req.header("if-none-match") === etag) return c.body(null, 304);
    return c.json(payload);
  });

  app.route("/:id/results", resultRoutes());
  app.route("/", offlineRoutes());
  return app;
}
