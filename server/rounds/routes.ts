/** Handlers of the survey rounds: the list, one round, its form (cacheable, with ETag), creating one and opening or closing it. */
import type { Context } from "hono";
import type { AppEnv } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { notModified } from "../http/conditional.js";
import { canSeeRound, currentUser, principal, seesWholeRound } from "../http/access.js";
import { readJson, parseWith } from "../http/body.js";
import { fieldError } from "../../shared/errors.js";
import { RoundStatusChangeSchema, type RoundDetail, type RoundList, type RoundReply } from "../../shared/api/rounds.js";
import { audit } from "../accounts/audit.js";
import { forgetRound } from "../responses/prepare.js";
import { listRounds, findRound, summarise, insertRound, setRoundStatus, NewRoundSchema } from "./repository.js";
import { getEdition } from "../instruments/repository.js";
import { newRoundErrors } from "./validate.js";
import { contentHash } from "../lib/canonical.js";
import { buildFormPayload, roundOr404 } from "./service.js";

export const roundHandlers = {
  list: async (c: Context<AppEnv>) => {
    const ctx = c.var.ctx;
    const rounds = await listRounds(ctx.db.kysely);
    const out = [];
    for (const round of rounds) {
      const edition = await getEdition(ctx.db.kysely, round.editionId, round.editionVersion);
      out.push(summarise(round, edition?.instrument.title ?? { vi: round.editionId, en: round.editionId }));
    }
    return c.json({ rounds: out } satisfies RoundList);
  },

  get: async (c: Context<AppEnv, "/:id">) => {
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
    } satisfies RoundDetail);
  },

  form: async (c: Context<AppEnv, "/:id">) => {
    const ctx = c.var.ctx;
    const round = await roundOr404(ctx, c.req.param("id"));
    const payload = await buildFormPayload(ctx, round);
    if (notModified(c, `"${contentHash(payload).slice(0, 32)}"`)) return c.body(null, 304);
    return c.json(payload);
  },

  create: async (c: Context<AppEnv>) => {
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
    return c.json({ round: summarise((await findRound(ctx.db.kysely, input.id))!, edition!.instrument.title) } satisfies RoundReply, 201);
  },

  setStatus: async (c: Context<AppEnv, "/:id">) => {
    const ctx = c.var.ctx;
    const { status } = parseWith(RoundStatusChangeSchema, await readJson(c));
    const round = await roundOr404(ctx, c.req.param("id"));
    await setRoundStatus(ctx.db.kysely, round.id, status);
    forgetRound(round.id);
    await audit(ctx.db.kysely, currentUser(c).username, `round.${status}`, round.id);
    const edition = await getEdition(ctx.db.kysely, round.editionId, round.editionVersion);
    return c.json({ round: summarise({ ...round, status }, edition?.instrument.title ?? round.title) } satisfies RoundReply);
  },
};
