/** GET /api/rounds, /api/rounds/:id, /api/rounds/:id/form (cacheable, with ETag) and /results. */
import { Hono } from "hono";
import type { AppEnv, AppContext } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { notModified } from "../http/conditional.js";
import { allow, canSeeRound, currentUser, principal, seesWholeRound } from "../http/access.js";
import { readJson, parseWith } from "../http/body.js";
import { fieldError } from "../../shared/errors.js";
import { RoundStatusSchema } from "../../shared/api/schemas.js";
import { audit } from "../accounts/audit.js";
import { forgetRound } from "../responses/prepare.js";
import { z } from "zod";
import { listRounds, findRound, summarise, insertRound, setRoundStatus, NewRoundSchema, type Round } from "./repository.js";
import { getEdition } from "../instruments/repository.js";
import { newRoundErrors } from "./validate.js";
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
    // The whole round's count is a value over every unit: only for callers who see the whole round
    // (a scoped analyst would get the count outside its area by subtraction; docs/security.md, "Analyst scope").
    const who = await principal(c);
    const seesCount = who !== null && canSeeRound(who.user, round.id) && seesWholeRound(who.user);
    const totals = seesCount
      ? await ctx.db.kysely
          .selectFrom("cell_totals")
          .select((eb) => eb.fn.sum<number>("n").as("n"))
          .where("round_id", "=", round.id)
          .executeTakeFirst()
      : undefined;
    return c.json({
      round: summarise(round, edition?.instrument.title ?? { vi: round.editionId, en: round.editionId }),
      responses: seesCount ? Number(totals?.n ?? 0) : null,
    });
  });

  app.get("/:id/form", allow("public"), async (c) => {
    const ctx = c.var.ctx;
    const round = await roundOr404(ctx, c.req.param("id"));
    const payload = await buildFormPayload(ctx, round);
    if (notModified(c, `"${contentHash(payload).slice(0, 32)}"`)) return c.body(null, 304);
    return c.json(payload);
  });

  app.post("/", allow(["admin"]), async (c) => {
    const ctx = c.var.ctx;
    const input = parseWith(NewRoundSchema, await readJson(c));
    const edition = await getEdition(ctx.db.kysely, input.edition, input.version);
    const errors = [];
    if (!edition)
      errors.push(
        fieldError("edition", "instrument_not_found", { vi: "Không có bộ câu hỏi với mã và phiên bản này.", en: "No questionnaire with this id and version." }),
      );
    // A taken id is a conflict (409), the same answer a simultaneous duplicate gets from the database.
    if (await findRound(ctx.db.kysely, input.id)) {
      throw new Problem("already_exists", [fieldError("id", "already_exists", { vi: "Mã đợt khảo sát đã có.", en: "This round id is taken." })]);
    }
    errors.push(...(await newRoundErrors(ctx, input, edition?.instrument ?? null)));
    if (errors.length) throw new Problem("invalid", errors);
    await insertRound(ctx.db.kysely, input);
    await audit(ctx.db.kysely, currentUser(c).username, "round.create", input.id, { edition: input.edition, version: input.version });
    return c.json({ round: summarise((await findRound(ctx.db.kysely, input.id))!, edition!.instrument.title) }, 201);
  });

  app.patch("/:id", allow(["admin"]), async (c) => {
    const ctx = c.var.ctx;
    const { status } = parseWith(z.object({ status: RoundStatusSchema }).strict(), await readJson(c));
    const round = await roundOr404(ctx, c.req.param("id"));
    await setRoundStatus(ctx.db.kysely, round.id, status);
    forgetRound(round.id);
    await audit(ctx.db.kysely, currentUser(c).username, `round.${status}`, round.id);
    const edition = await getEdition(ctx.db.kysely, round.editionId, round.editionVersion);
    return c.json({ round: summarise({ ...round, status }, edition?.instrument.title ?? round.title) });
  });

  app.route("/:id/results", resultRoutes());
  app.route("/", offlineRoutes());
  return app;
}
