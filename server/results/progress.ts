/** Collection progress of a round against its sample targets, by unit, group, day and channel, within the viewer's area. */
import type { AppContext } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { seesWholeRound } from "../http/access.js";
import type { ProgressResponse } from "../../shared/results/types.js";
import { UNIT_LEVELS } from "../../shared/units/levels.js";
import { findRound, type Round } from "../rounds/repository.js";
import { getEdition } from "../instruments/repository.js";
import { loadRoundEdition, unitRef } from "./service.js";
import { responseCountsBy, sampleTargets } from "./repository.js";
import { unitVisible, type Viewer } from "./scope.js";
import { roundCells } from "./counts.js";

/**
 * Responses against sample targets, by unit at a level, by group, by day received and by channel;
 * for a viewer limited to an area, every count is of that area only.
 */
export async function progress(ctx: AppContext, roundId: string, levelParam: string | null, viewer: Viewer): Promise<ProgressResponse> {
  const re = await loadRoundEdition(ctx, roundId).catch((e: unknown) => {
    // Progress is useful for rounds whose questionnaire has no index too.
    if (e instanceof Problem && e.code === "no_index") return null;
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
    throw new Problem("progress_level_unknown", undefined, { level });
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
