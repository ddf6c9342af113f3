/** Targets of a round: checking a list before it is stored, evaluating it against results, and putting it on the tree. */
import type { AppContext } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { fieldError } from "../../shared/errors.js";
import { competitionRanks, performanceGroups } from "../../shared/results/rank.js";
import { nodeMap } from "../../shared/results/tree.js";
import { checkTargets, evaluateTargets, type NodeValue } from "../../shared/results/targets.js";
import type { Target } from "../../shared/results/schemas.js";
import type { BreakdownRow, ResultNode, TargetResult } from "../../shared/results/types.js";
import { getPeerGroup, getTargets } from "./repository.js";
import { targetStatusOf } from "./comparisons.js";
import { roundVisible, targetFilter, type Viewer } from "./scope.js";
import { loadRoundEdition, unitRef, type ResultsQuery, type RoundEdition } from "./service.js";
import { compareWith } from "./year-on-year.js";
import { parseQuery } from "./query-params.js";
import { scoreQuery } from "./tree.js";

/**
 * Evaluates the round's targets that concern a unit and group against the given results: only the
 * targets the viewer may see, and against base rounds the viewer may see (another is "no base").
 */
export async function evaluateRoundTargets(
  ctx: AppContext,
  re: RoundEdition,
  q: ResultsQuery,
  current: ResultNode,
  peers: BreakdownRow[],
  viewer: Viewer,
  targets?: Target[],
): Promise<TargetResult[]> {
  const stored = targets ?? (await getTargets(ctx.db.kysely, re.round.id)).targets;
  const list = stored.filter(await targetFilter(ctx, viewer, stored));
  if (list.length === 0) return [];
  const unitKey = q.unit?.key ?? null;
  const bases = new Map<string, Map<string, NodeValue> | null>();
  for (const t of list) {
    if (t.kind !== "rule" || !t.base || bases.has(t.base)) continue;
    bases.set(t.base, roundVisible(viewer, t.base) ? await baseValues(ctx, re, t.base, q) : null);
  }
  const peerSets = new Map<string, Set<string> | null>();
  for (const t of list) {
    if (t.kind !== "rank" || !t.peers || peerSets.has(t.peers)) continue;
    const group = await getPeerGroup(ctx.db.kysely, t.peers);
    peerSets.set(t.peers, group ? new Set(group.members) : null);
  }
  const peerMaps = peers.map((r) => ({ key: r.unit?.key ?? null, nodes: nodeMap(r.root) }));
  const k = re.index.performanceGroups?.length ?? 0;
  return evaluateTargets(list, {
    index: re.index,
    current,
    unit: unitKey,
    group: q.group,
    base: (round) => bases.get(round) ?? null,
    rank(node, peerId) {
      if (!unitKey) return null;
      const members = peerId ? peerSets.get(peerId) : null;
      if (peerId && !members) return null;
      const pool = members ? peerMaps.filter((p) => p.key && members.has(p.key)) : peerMaps;
      const values = pool.map((p) => p.nodes.get(node)?.value ?? null);
      const ranks = competitionRanks(values, re.index.decimals);
      const i = pool.findIndex((p) => p.key === unitKey);
      return i < 0 ? null : { rank: ranks[i]!, of: values.filter((v) => v !== null).length };
    },
    performanceGroup(node) {
      if (!unitKey || k === 0) return null;
      const values = peerMaps.map((p) => p.nodes.get(node)?.value ?? null);
      const i = peerMaps.findIndex((p) => p.key === unitKey);
      return i < 0 ? null : (performanceGroups(values, k).groups[i] ?? null);
    },
  });
}

/** Values of a base round for the same unit and group, keyed by the current edition's codes. */
async function baseValues(ctx: AppContext, re: RoundEdition, baseId: string, q: ResultsQuery): Promise<Map<string, NodeValue> | null> {
  if (baseId === re.round.id) return null;
  const comparison = await compareWith(ctx, re, baseId, { ...q, by: null }).catch((e: unknown) => {
    if (e instanceof Problem && e.status < 500) return null;
    throw e;
  });
  if (!comparison) return null;
  const earlierNodes = nodeMap(comparison.computed.total.root);
  const out = new Map<string, NodeValue>();
  for (const [code, earlierCode] of comparison.matching.counterpart) {
    const node = earlierCode ? earlierNodes.get(earlierCode) : undefined;
    if (node) out.set(code, { percent: node.percent, points: node.points });
  }
  return out;
}

/** Puts value and rule targets on the tree's nodes (one per node: the last listed wins). */
export function attachTargets(root: ResultNode, results: TargetResult[]): ResultNode {
  const byNode = new Map<string, TargetResult>();
  for (const r of results) if ((r.kind === "value" || r.kind === "rule") && r.goal !== null) byNode.set(r.node, r);
  const visit = (node: ResultNode): ResultNode => {
    const t = byNode.get(node.code);
    return {
      ...node,
      ...(t
        ? {
            target: {
              value: t.goal!,
              measure: t.measure as "percent" | "points",
              gap: t.gap,
              flags: t.flags,
              status: targetStatusOf(node, t.goal!, t.measure as "percent" | "points"),
            },
          }
        : {}),
      ...(node.children ? { children: node.children.map(visit) } : {}),
    };
  };
  return byNode.size ? visit(root) : root;
}

/** Checks what the schema cannot: nodes and levels of the index, units, groups, base rounds, peer groups. */
export async function checkTargetList(ctx: AppContext, re: RoundEdition, targets: Target[]): Promise<void> {
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
