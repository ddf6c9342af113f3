/**
 * The results feature's other endpoints: GET/PUT /api/rounds/:id/targets (index targets and their
 * evaluation), GET /api/rounds/:id/progress (collection against sample targets), GET/PUT
 * /api/peer-groups[/:id] (named sets of units to rank among), and the exports (server/exports).
 */
import { Hono } from "hono";
import type { AppContext, AppEnv } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { allow, roundAccess, requireRounds, requireUnits, seesWholeRound, ANALYSTS, currentUser } from "../http/access.js";
import { audit } from "../accounts/audit.js";
import { parseWith, readJson } from "../http/body.js";
import { fieldError } from "../../shared/errors.js";
import { PeerGroupBodySchema, PeerGroupIdSchema, TargetsBodySchema, type Target } from "../../shared/results/schemas.js";
import { checkTargets } from "../../shared/results/targets.js";
import type { ProgressResponse } from "../../shared/results/types.js";
import { evaluateRoundTargets, loadRoundEdition, unitRef, type RoundEdition } from "./service.js";
import { UNIT_LEVELS } from "../../shared/units/levels.js";
import { findRound, type Round } from "../rounds/repository.js";
import { getEdition } from "../instruments/repository.js";
import { parseQuery, scoreQuery } from "./query.js";
import { getPeerGroup, getTargets, listPeerGroups, putPeerGroup, registryIds, replaceTargets, responseCountsBy, sampleTargets } from "./repository.js";
import { targetFilter, unitVisible, type Viewer } from "./scope.js";
import { roundCells } from "./counts.js";
import { exportRoutes } from "../exports/routes.js";
import { checkDesign, describeDesign, storeDesign } from "./design.js";

const ADMINS = ["admin"] as const;

export function resultsApi() {
  const app = new Hono<AppEnv>();

  app.get("/rounds/:id/targets", allow(ANALYSTS), roundAccess(), async (c) => {
    const ctx = c.var.ctx;
    return c.json(await targetsView(ctx, c.req.param("id"), c.req.query(), currentUser(c)));
  });

  // Replaces the targets the caller may see (its area's; round-wide ones too for a whole-round caller) and keeps the others.
  app.put("/rounds/:id/targets", allow(ANALYSTS), roundAccess(), async (c) => {
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
    return c.json(await targetsView(ctx, re.round.id, c.req.query(), user));
  });

  app.get("/rounds/:id/progress", allow(ANALYSTS), roundAccess("round"), async (c) =>
    c.json(await progress(c.var.ctx, c.req.param("id"), c.req.query("level") || null, currentUser(c))),
  );

  app.get("/peer-groups", allow(ANALYSTS), async (c) => {
    const groups = await listPeerGroups(c.var.ctx.db.kysely);
    return c.json({ peerGroups: groups });
  });

  app.get("/peer-groups/:id", allow(ANALYSTS), async (c) => {
    const group = await getPeerGroup(c.var.ctx.db.kysely, c.req.param("id"));
    if (!group) throw new Problem("not_found", undefined, { peerGroup: c.req.param("id") });
    return c.json({ peerGroup: group });
  });

  // Any analyst may create a group; only its creator and administrators may change it.
  app.put("/peer-groups/:id", allow(ANALYSTS), async (c) => {
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
    return c.json({ peerGroup: await getPeerGroup(ctx.db.kysely, id.data) });
  });

  // The sampling design: methodological, so administrators declare it (docs/statistics.md §1).
  app.get("/rounds/:id/design", allow(ADMINS), async (c) => {
    const ctx = c.var.ctx;
    const re = await loadRoundEdition(ctx, c.req.param("id"));
    return c.json(await describeDesign(ctx, re.round, re.instrument.unitLevel));
  });

  app.put("/rounds/:id/design", allow(ADMINS), async (c) => {
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
  });

  app.route("/rounds/:id/export", exportRoutes());
  return app;
}

function peerGroupNotOwned(id: string): Problem {
  return new Problem("peer_group_not_owned", undefined, { peerGroup: id });
}

/** Checks what the schema cannot: nodes and levels of the index, units, groups, base rounds, peer groups. */
async function checkTargetList(ctx: AppContext, re: RoundEdition, targets: Target[]): Promise<void> {
  const problems = checkTargets(targets, re.index);
  for (const [i, t] of targets.entries()) {
    if (t.unit && !(await ctx.units.get(t.unit))) problems.push({ path: `targets.${i}.unit`, message: `no unit "${t.unit}"` });
    if (t.group && !re.round.groups.includes(t.group)) problems.push({ path: `targets.${i}.group`, message: `group "${t.group}" is not part of this round` });
    if (t.kind === "rank" && t.peers && !(await getPeerGroup(ctx.db.kysely, t.peers)))
      problems.push({ path: `targets.${i}.peers`, message: `no peer group "${t.peers}"` });
    if (t.kind === "rule" && t.base && t.base !== re.round.id) {
      try {
        await loadRoundEdition(ctx, t.base).then((base) => {
          if (base.instrument.family !== re.instrument.family)
            problems.push({ path: `targets.${i}.base`, message: `round "${t.base}" belongs to another index family` });
        });
      } catch (e) {
        if (!(e instanceof Problem) || e.status >= 500) throw e;
        problems.push({ path: `targets.${i}.base`, message: `no round "${t.base}" with an index` });
      }
    }
  }
  if (problems.length) {
    throw new Problem(
      "invalid",
      problems.map((p) => {
        const base = fieldError(p.path, "invalid_field");
        return { ...base, message_vi: `${base.message_vi} (${p.path}: ${p.message})`, message_en: `${base.message_en} (${p.path}: ${p.message})` };
      }),
    );
  }
}

/**
 * The stored targets the viewer may see and, for the requested unit and group, how far the results
 * are from them (`target` in the evaluation is a position in that list).
 */
export async function targetsView(ctx: AppContext, roundId: string, params: Record<string, string | undefined>, viewer: Viewer) {
  // Rank and performance-group targets of a unit need its rank among its peers.
  const parsed = await parseQuery(ctx, roundId, { ...params, rank: "1" }, { viewer });
  const stored = await getTargets(ctx.db.kysely, parsed.re.round.id);
  const targets = stored.targets.filter(await targetFilter(ctx, viewer, stored.targets));
  const scored = await scoreQuery(ctx, { ...parsed, compare: null });
  const evaluation = await evaluateRoundTargets(ctx, parsed.re, parsed.q, scored.total.root, scored.peers, viewer, targets);
  return {
    round: parsed.re.round.id,
    unit: parsed.q.unit ? unitRef(parsed.q.unit) : null,
    group: parsed.q.group,
    display: parsed.re.index.display,
    decimals: parsed.re.index.decimals,
    responses: scored.total.responses,
    suppressed: scored.total.suppressed,
    updatedAt: stored.updatedAt,
    targets,
    evaluation,
  };
}

/**
 * Responses against sample targets, by unit at a level, by group, by day received and by channel;
 * for a viewer limited to an area, every count is of that area only.
 */
export async function progress(ctx: AppContext, roundId: string, levelParam: string | null, viewer: Viewer): Promise<ProgressResponse> {
  const re = await loadRoundEdition(ctx, roundId).catch((e: unknown) => {
    // Progress is useful for rounds whose questionnaire has no index too.
    if (e instanceof Problem && e.code === "not_found") return null;
    throw e;
  });
  const round = re?.round ?? (await findRound(ctx.db.kysely, roundId));
  if (!round) throw new Problem("round_not_found");
  const instrument = re?.instrument ?? (await getEdition(ctx.db.kysely, round.editionId, round.editionVersion))?.instrument;
  if (!instrument) throw new Problem("instrument_not_found");

  const area = await progressArea(ctx, round, viewer);
  const allCells = await roundCells(ctx.db.kysely, round.id);
  // Units added by another process (villages imported per round) are fetched once into the directory.
  for (const key of new Set(allCells.map((c) => c.unit))) if (!ctx.units.getCached(key)) await ctx.units.get(key);
  const cells = allCells.filter((cell) => area.inside(cell.unit));
  const targets = (await sampleTargets(ctx.db.kysely, round.id)).filter((t) => area.inside(t.unit_key));
  const level =
    levelParam ??
    (targets[0] ? ctx.units.getCached(targets[0].unit_key)?.level : null) ??
    (instrument.unitLevel === "village" ? "commune" : instrument.unitLevel);
  if (!(UNIT_LEVELS as readonly string[]).includes(level)) {
    throw new Problem("bad_request", undefined, { level }, { vi: `Không có cấp "${level}".`, en: `Unknown level "${level}".` });
  }

  // Every unit at the level inside the round's scope (and the viewer's area), with or without responses.
  const rowsUnits = new Map<string, ReturnType<typeof unitRef>>();
  for (const root of area.roots) {
    const stack = [root];
    while (stack.length) {
      const key = stack.pop()!;
      const u = ctx.units.getCached(key);
      if (!u) continue;
      if (u.level === level) rowsUnits.set(u.key, unitRef(u));
      else stack.push(...ctx.units.childrenOf(key).map((c) => c.key));
    }
  }
  const byUnit = new Map<string, { responses: number; target: number | null }>();
  for (const key of rowsUnits.keys()) byUnit.set(key, { responses: 0, target: null });
  const byGroup = new Map<string, { responses: number; target: number | null }>(round.groups.map((g) => [g, { responses: 0, target: null }]));
  let total = 0;
  for (const cell of cells) {
    total += cell.n;
    const row = ctx.units.ancestorAt(cell.unit, level);
    if (row && byUnit.has(row.key)) byUnit.get(row.key)!.responses += cell.n;
    const g = byGroup.get(cell.group);
    if (g) g.responses += cell.n;
  }
  let targetTotal: number | null = null;
  for (const t of targets) {
    targetTotal = (targetTotal ?? 0) + t.target;
    const row = ctx.units.ancestorAt(t.unit_key, level);
    const entry = row ? byUnit.get(row.key) : undefined;
    if (entry) entry.target = (entry.target ?? 0) + t.target;
    const g = byGroup.get(t.group_code);
    if (g) g.target = (g.target ?? 0) + t.target;
  }
  const labels = new Map(instrument.respondentGroups.map((g) => [g.code, g.label]));
  return {
    round: round.id,
    level,
    total: { responses: total, target: targetTotal },
    byUnit: [...rowsUnits.values()].sort((a, b) => (a.code < b.code ? -1 : 1)).map((unit) => ({ unit, ...byUnit.get(unit.key)! })),
    byGroup: [...byGroup.entries()].map(([group, v]) => ({ group, label: labels.get(group) ?? { vi: group, en: group }, ...v })),
    byDay: (await responseCountsBy(ctx.db.kysely, round.id, "received_on", area.whole ? null : area.inside)).map((r) => ({ day: r.key, responses: r.n })),
    byChannel: (await responseCountsBy(ctx.db.kysely, round.id, "channel", area.whole ? null : area.inside)).map((r) => ({ channel: r.key, responses: r.n })),
  };
}

/**
 * Where progress is counted: the round's scope, narrowed to the viewer's area. `roots` are the
 * topmost units of that intersection; `inside` tells whether a unit (a cell's village) lies in it.
 */
async function progressArea(ctx: AppContext, round: Round, viewer: Viewer): Promise<{ whole: boolean; roots: string[]; inside: (unitKey: string) => boolean }> {
  const roundRoots = round.scope.length ? round.scope : ctx.units.atLevel(round.registry, "province").map((u) => u.key);
  if (!viewer || seesWholeRound(viewer)) return { whole: true, roots: roundRoots, inside: () => true };
  for (const key of viewer.unitScope) await ctx.units.get(key);
  const inRound = (key: string) => round.scope.length === 0 || round.scope.some((r) => ctx.units.isWithin(key, r));
  const roots = new Set<string>();
  for (const s of viewer.unitScope) if (inRound(s)) roots.add(s);
  for (const r of roundRoots) if (unitVisible(ctx, viewer, r)) roots.add(r);
  return { whole: false, roots: [...roots], inside: (key) => unitVisible(ctx, viewer, key) && inRound(key) };
}
