/** GET /api/instruments and /api/instruments/:id — the questionnaire catalogue. */
import type { Context } from "hono";
import type { AppEnv } from "../app-context.js";
import { listEditions, latestEdition, getEdition } from "./repository.js";
import { Problem } from "../http/problem.js";
import type { EditionDetail, EditionList } from "../../shared/api/instruments.js";

export const instrumentHandlers = {
  list: async (c: Context<AppEnv>) => {
    const editions = await listEditions(c.var.ctx.db.kysely);
    return c.json({
      instruments: editions.map((e) => ({
        id: e.edition_id,
        version: e.version,
        versions: e.versions,
        family: e.family,
        year: e.year,
        title: { vi: e.title_vi, en: e.title_en },
      })),
    } satisfies EditionList);
  },

  get: async (c: Context<AppEnv, "/:id">) => {
    const version = c.req.query("version");
    const db = c.var.ctx.db.kysely;
    const edition = version ? await getEdition(db, c.req.param("id"), version) : await latestEdition(db, c.req.param("id"));
    if (!edition) throw new Problem("instrument_not_found");
    return c.json({ instrument: edition.instrument, index: edition.index, contentHash: edition.contentHash } satisfies EditionDetail);
  },
};
