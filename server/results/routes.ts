/**
 * Handlers of the results endpoints: scored index trees, rankings, weakest nodes, targets, collection
 * progress, peer groups and the sampling design of a round (their URLs: server/app.ts). The
 * computations live in tree.ts, ranking.ts, targets.ts, progress.ts and service.ts.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { currentUser, requireRounds, requireUnits } from "../http/access.js";
import { audit } from "../accounts/audit.js";
import { parseWith, readJson } from "../http/body.js";
import { fieldError } from "../../shared/errors.js";
import { PeerGroupBodySchema, PeerGroupIdSchema, TargetsBodySchema } from "../../shared/results/schemas.js";
import { defaultWorkLevel, levelsOf } from "../../shared/results/tree.js";
import { loadRoundEdition, unitRef } from "./service.js";
import { parseQuery } from "./query-params.js";
import { resultsBody, resultsWithTargets } from "./tree.js";
import { ranking, weakest } from "./ranking.js";
import { checkTargetList, targetsView } from "./targets.js";
import { progress } from "./progress.js";
import { getPeerGroup, getTargets, listPeerGroups, putPeerGroup, registryIds, replaceTargets } from "./repository.js";
import { targetFilter } from "./scope.js";
import { checkDesign, describeDesign, storeDesign } from "./design.js";
import type { PeerGroupList, PeerGroupReply, TargetsView, Weakest } from "../../shared/api/results.js";
import type { ResultsReply } from "../../shared/results/types.js";

export const resultHandlers = {
  tree: async (c: Context<AppEnv, "/:id">) => {
    const ctx = c.var.ctx;
    const parsed = await parseQuery(ctx, c.req.param("id")!, c.req.query(), { by: true, viewer: currentUser(c) });
    const { scored, targets } = await resultsWithTargets(ctx, parsed);
    return c.json({ ...resultsBody(parsed, scored), targets } satisfies ResultsReply);
  },

  ranking: async (c: Context<AppEnv, "/:id">) => {
    const ctx = c.var.ctx;
    const params = c.req.query();
    const level = params.level;
    if (!level || level === "group") throw new Problem("ranking_level_required", undefined, { level });
    // The `unit` of a ranking is the area ranked within; rows are the units at `level` under it.
    const parsed = await parseQuery(ctx, c.req.param("id")!, { ...params, by: level }, { by: true, viewer: currentUser(c) });
    const nodeCode = params.node || parsed.re.index.root.code;
    return c.json(await ranking(ctx, parsed, nodeCode, params.peers || null));
  },

  weakest: async (c: Context<AppEnv, "/:id">) => {
    const ctx = c.var.ctx;
    const params = c.req.query();
    const parsed = await parseQuery(ctx, c.req.param("id")!, params, { viewer: currentUser(c) });
    const level = params.level || defaultWorkLevel(parsed.re.index);
    if (!levelsOf(parsed.re.index).includes(level)) {
      throw new Problem("index_level_unknown", undefined, { level, levels: levelsOf(parsed.re.index) });
    }
    const against = params.against || "max";
    if (against !== "max" && against !== "target") throw new Problem("against_unknown", undefined, { against });
    const limit = Math.min(Math.max(Number(params.limit ?? 10) || 10, 1), 500);
    const { scored } = await resultsWithTargets(ctx, parsed);
    return c.json({
      round: parsed.re.round.id,
      unit: parsed.q.unit ? unitRef(parsed.q.unit) : null,
      group: parsed.q.group,
      level,
      against,
      display: parsed.re.index.display,
      decimals: parsed.re.index.decimals,
      responses: scored.total.responses,
      suppressed: scored.total.suppressed,
      rows: weakest(scored.total.root, level, parsed.re.index.display, against).slice(0, limit),
    } satisfies Weakest);
  },

  targets: async (c: Context<AppEnv, "/:id">) => {
    const ctx = c.var.ctx;
    return c.json((await targetsView(ctx, c.req.param("id"), c.req.query(), currentUser(c))) satisfies TargetsView);
  },

  // Replaces the targets the caller may see (its area's; round-wide ones too for a whole-round caller) and keeps the others.
  setTargets: async (c: Context<AppEnv, "/:id">) => {
    const ctx = c.var.ctx;
    const user = currentUser(c);
    const re = await loadRoundEdition(ctx, c.req.param("id"));
    const body = parseWith(TargetsBodySchema, await readJson(c));
    requireRounds(
      user,
      body.targets.map((t, i) => ({ field: `targets.${i}.base`, value: t.kind === "rule" ? t.base : null })),
    );
    await requireUnits(
      ctx.units,
      user,
      body.targets.map((t, i) => ({ field: `targets.${i}.unit`, value: t.unit })),
    );
    await checkTargetList(ctx, re, body.targets);
    const visible = await targetFilter(ctx, user, (await getTargets(ctx.db.kysely, re.round.id)).targets);
    await replaceTargets(ctx.db.kysely, ctx.db.dialect, re.round.id, visible, body.targets);
    await audit(ctx.db.kysely, user.username, "targets.set", re.round.id, { count: body.targets.length });
    return c.json((await targetsView(ctx, re.round.id, c.req.query(), user)) satisfies TargetsView);
  },

  progress: async (c: Context<AppEnv, "/:id">) => c.json(await progress(c.var.ctx, c.req.param("id"), c.req.query("level") || null, currentUser(c))),

  peerGroups: async (c: Context<AppEnv>) => {
    const groups = await listPeerGroups(c.var.ctx.db.kysely);
    return c.json({ peerGroups: groups } satisfies PeerGroupList);
  },

  peerGroup: async (c: Context<AppEnv, "/:id">) => {
    const group = await getPeerGroup(c.var.ctx.db.kysely, c.req.param("id"));
    if (!group) throw new Problem("not_found", undefined, { peerGroup: c.req.param("id") });
    return c.json({ peerGroup: group } satisfies PeerGroupReply);
  },

  // Any analyst may create a group; only its creator and administrators may change it.
  setPeerGroup: async (c: Context<AppEnv, "/:id">) => {
    const ctx = c.var.ctx;
    const user = currentUser(c);
    const by = { userId: user.id, admin: user.role === "admin" };
    const id = PeerGroupIdSchema.safeParse(c.req.param("id"));
    if (!id.success) throw new Problem("invalid", [fieldError("id", "invalid_field")], { id: c.req.param("id") });
    const existing = await getPeerGroup(ctx.db.kysely, id.data);
    if (existing && !by.admin && existing.createdBy !== by.userId) throw peerGroupNotOwned(id.data);
    const body = parseWith(PeerGroupBodySchema, await readJson(c));
    if (!(await registryIds(ctx.db.kysely)).includes(body.registry)) throw new Problem("invalid", [fieldError("registry", "invalid_field")]);
    const errors = [];
    for (const [i, key] of body.members.entries()) {
      const unit = await ctx.units.get(key);
      if (!unit || unit.registry !== body.registry) {
        errors.push(
          fieldError(`members.${i}`, "unit_not_found", {
            vi: `Không có đơn vị "${key}" trong danh mục ${body.registry}.`,
            en: `No unit "${key}" in registry ${body.registry}.`,
          }),
        );
      }
    }
    if (errors.length) throw new Problem("invalid", errors);
    // Checked again in the write itself: another account may have created the same id meanwhile.
    if (!(await putPeerGroup(ctx.db.kysely, { id: id.data, label: body.label, registry: body.registry, members: [...new Set(body.members)] }, by)))
      throw peerGroupNotOwned(id.data);
    await audit(ctx.db.kysely, user.username, "peer-group.set", id.data, { members: body.members.length });
    return c.json({ peerGroup: (await getPeerGroup(ctx.db.kysely, id.data))! } satisfies PeerGroupReply);
  },

  // The sampling design: methodological, so administrators declare it (docs/statistics.md §1).
  design: async (c: Context<AppEnv, "/:id">) => {
    const ctx = c.var.ctx;
    const re = await loadRoundEdition(ctx, c.req.param("id"));
    return c.json(await describeDesign(ctx, re.round, re.instrument.unitLevel));
  },

  setDesign: async (c: Context<AppEnv, "/:id">) => {
    const ctx = c.var.ctx;
    const user = currentUser(c);
    const re = await loadRoundEdition(ctx, c.req.param("id"));
    const { design } = await checkDesign(ctx, re.round, re.instrument.unitLevel, await readJson(c));
    await storeDesign(ctx.db.kysely, re.round.id, design);
    await audit(ctx.db.kysely, user.username, "design.set", re.round.id, {
      psuLevel: design.psuLevel,
      strataLevel: design.strataLevel,
      lonelyPsu: design.lonelyPsu,
    });
    return c.json(await describeDesign(ctx, re.round, re.instrument.unitLevel));
  },
};

function peerGroupNotOwned(id: string): Problem {
  return new Problem("peer_group_not_owned", undefined, { peerGroup: id });
}
