/**
 * GET /api/units — unit search by name (with or without diacritics) or code, as of a date or
 * registry, optionally within one unit; GET /api/units/:key and /api/units/:key/children to browse.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-context.js";
import { Problem } from "../http/problem.js";
import type { RegistryList, UnitChildren, UnitDetail, UnitSearch } from "../../shared/api/units.js";

export const unitHandlers = {
  search: async (c: Context<AppEnv>) => {
    const { units } = c.var.ctx;
    const q = c.req.query("q") ?? "";
    const level = c.req.query("level");
    const limit = Math.min(Math.max(Number(c.req.query("limit") ?? 20) || 20, 1), 200);
    const within = c.req.query("within");
    const registry = c.req.query("registry") ?? (await registryAsOf(c.var.ctx.db.kysely, c.req.query("asOf")));
    if (!registry) throw new Problem("registry_not_valid_on_date", undefined, { asOf: c.req.query("asOf") });
    const hits = units.search(registry, q, { ...(level ? { level } : {}), limit, ...(within ? { within } : {}) });
    return c.json({
      registry,
      units: hits.map((h) => {
        const u = units.getCached(h.unit.key)!;
        return {
          key: u.key,
          code: u.code,
          name: u.name,
          fullName: u.fullName,
          level: u.level,
          type: u.type,
          parentKey: u.parentKey,
          formerNames: u.formerNames,
          matchedFormerName: h.matchedFormerName ?? null,
          path: units
            .lineage(u.key)
            .slice(1)
            .map((p) => p.fullName),
        };
      }),
    } satisfies UnitSearch);
  },

  registries: async (c: Context<AppEnv>) => {
    const rows = await c.var.ctx.db.kysely.selectFrom("unit_registries").selectAll().orderBy("valid_from").execute();
    return c.json({ registries: rows.map((r) => ({ id: r.id, label: r.label, validFrom: r.valid_from, validTo: r.valid_to })) } satisfies RegistryList);
  },

  // Browsing, the fallback to typing: the units directly under one unit, by name, each saying
  // whether it has units under it in turn. Public, as the registry is.
  children: async (c: Context<AppEnv, "/:key">) => {
    const units = c.var.ctx.units;
    const parent = await units.get(c.req.param("key"));
    if (!parent) throw new Problem("unit_not_found");
    const children = units.childrenOf(parent.key).sort((a, b) => a.name.localeCompare(b.name, "vi"));
    return c.json({
      unit: { key: parent.key, fullName: parent.fullName, level: parent.level },
      children: children.map((u) => ({
        key: u.key,
        code: u.code,
        name: u.name,
        fullName: u.fullName,
        level: u.level,
        children: units.childrenOf(u.key).length,
      })),
    } satisfies UnitChildren);
  },

  get: async (c: Context<AppEnv, "/:key">) => {
    const units = c.var.ctx.units;
    const unit = await units.get(c.req.param("key"));
    if (!unit) throw new Problem("unit_not_found");
    return c.json({ unit, path: units.lineage(unit.key).slice(1), children: units.childrenOf(unit.key).length } satisfies UnitDetail);
  },
};

/** The registry valid on a date (YYYY-MM-DD); today when no date is given. */
export async function registryAsOf(db: import("kysely").Kysely<import("../db/types.js").Database>, asOf: string | undefined): Promise<string | null> {
  const date = asOf && /^\d{4}-\d{2}-\d{2}$/.test(asOf) ? asOf : new Date().toISOString().slice(0, 10);
  if (asOf && date !== asOf) return null;
  const rows = await db.selectFrom("unit_registries").selectAll().execute();
  const valid = rows.find((r) => r.valid_from <= date && (r.valid_to === null || r.valid_to >= date));
  return valid?.id ?? null;
}
