/**
 * GET /api/rounds/:id/offline-units — what an enumerator device downloads to work offline: the
 * units it may collect in, and the round's sample targets for them.
 */
import type { Context } from "hono";
import type { Kysely } from "kysely";
import type { Database } from "../db/types.js";
import type { AppEnv } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { canSeeRound, currentUser } from "../http/access.js";
import { findRound } from "./repository.js";
import { getEdition } from "../instruments/repository.js";
import type { OfflinePackage, OfflineTarget, OfflineUnit } from "../../shared/api/offline.js";
import { unitsInScope } from "../units/walk.js";
import { notModified } from "../http/conditional.js";
import { contentHash } from "../lib/canonical.js";

export const offlineHandlers = {
  // The same callers as POST /api/sync: the list is only of use to those who collect in the round.
  units: async (c: Context<AppEnv, "/:id">) => {
    const ctx = c.var.ctx;
    const user = currentUser(c);
    const round = await findRound(ctx.db.kysely, c.req.param("id"));
    if (!round || !canSeeRound(user, round.id)) throw new Problem("round_not_found");
    if (!round.modes.includes("enumerator")) throw new Problem("forbidden");
    const edition = await getEdition(ctx.db.kysely, round.editionId, round.editionVersion);
    if (!edition) throw new Problem("instrument_not_found");
    const level = edition.instrument.unitLevel;
    const inRound = unitsInScope(ctx.units, round.registry, round.scope, level);
    // Sync refuses units outside the enumerator's assigned area, so the device is not offered them.
    const mine = user.unitScope.length === 0 ? inRound : inRound.filter((u) => user.unitScope.some((s) => ctx.units.isWithin(u.key, s)));
    const units: OfflineUnit[] = mine
      .filter((u) => u.registry === round.registry)
      .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
      .map((u) => ({
        key: u.key,
        code: u.code,
        name: u.name,
        fullName: u.fullName,
        level: u.level,
        parentName: u.parentKey ? (ctx.units.getCached(u.parentKey)?.fullName ?? null) : null,
        ancestorNames: ctx.units.ancestorNames(u.key),
      }));
    const pkg: OfflinePackage = { units, targets: await targetsFor(ctx.db.kysely, round.id, new Set(units.map((u) => u.key))) };
    // A device fetches its package again at every sync; unchanged, that costs a 304 and no body.
    const unchanged = notModified(c, `"${contentHash(pkg).slice(0, 32)}"`);
    c.header("cache-control", "private, no-cache");
    return unchanged ? c.body(null, 304) : c.json(pkg);
  },
};

/**
 * The round's sample targets for these units, each with the responses the server holds for it now
 * (every device's): the device shows done / target per unit offline. Group "" = any group.
 */
async function targetsFor(db: Kysely<Database>, roundId: string, units: ReadonlySet<string>): Promise<OfflineTarget[]> {
  const targets = (await db.selectFrom("round_targets").select(["unit_key", "group_code", "target"]).where("round_id", "=", roundId).execute()).filter((t) =>
    units.has(t.unit_key),
  );
  if (targets.length === 0) return [];
  const cells = await db.selectFrom("cell_totals").select(["unit_key", "group_code", "n"]).where("round_id", "=", roundId).execute();
  const received = new Map<string, number>();
  for (const cell of cells) {
    if (!units.has(cell.unit_key)) continue;
    for (const key of [`${cell.unit_key}\u0000${cell.group_code}`, `${cell.unit_key}\u0000`]) received.set(key, (received.get(key) ?? 0) + Number(cell.n));
  }
  return targets
    .map((t) => ({ unit: t.unit_key, group: t.group_code, target: Number(t.target), received: received.get(`${t.unit_key}\u0000${t.group_code}`) ?? 0 }))
    .sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : a.group < b.group ? -1 : 1));
}
