/**
 * GET /api/rounds/:id/results[?unit=&group=&variant=&by=&asOf=&compare=] — scored index trees;
 * /results/ranking — units ranked at one node; /results/weakest — nodes furthest from max or target.
 */
import { Hono } from "hono";
import type { AppContext, AppEnv } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { allow, currentUser, roundAccess, ANALYSTS } from "../http/access.js";
import type { NodeResult } from "../../shared/scoring/index.js";
import { competitionRanks, performanceGroups } from "../../shared/results/rank.js";
import { defaultWorkLevel, levelsOf, nodeMap, walk } from "../../shared/results/tree.js";
import type { RankingResponse, RankingRow, ResultNode, ResultsResponse, TargetResult, WeakRow } from "../../shared/results/types.js";
import { attachTargets, evaluateRoundTargets, unitRef, type RoundEdition } from "./service.js";
import { parseQuery, scoreQuery, type ParsedQuery, type Scored } from "./query.js";
import { getPeerGroup } from "./repository.js";

const bad = (vi: string, en: string, detail?: unknown) => new Problem("bad_request", undefined, detail, { vi, en });

/** Results of a query with the round's targets for the selected unit and group evaluated and attached. */
export async function resultsWithTargets(ctx: AppContext, parsed: ParsedQuery): Promise<{ scored: Scored; targets: TargetResult[] }> {
  const scored = await scoreQuery(ctx, parsed);
  const targets = await evaluateRoundTargets(ctx, parsed.re, parsed.q, scored.total.root, scored.peers, parsed.viewer);
  if (targets.length) scored.total = { ...scored.total, root: attachTargets(scored.total.root, targets) };
  return { scored, targets };
}

export function resultsBody(parsed: ParsedQuery, scored: Scored): ResultsResponse {
  const { re, q } = parsed;
  return {
    round: re.round.id,
    index: re.index.id,
    variant: q.variant ?? re.index.defaultVariant ?? "default",
    display: re.index.display,
    decimals: re.index.decimals,
    registry: q.space.registry,
    unit: q.unit ? unitRef(q.unit) : null,
    group: q.group,
    by: q.by,
    minCellSize: re.round.minCellSize,
    mapping: scored.mapping,
    compare: scored.comparison?.info ?? null,
    performanceGroups: re.index.performanceGroups ?? null,
    ...scored.total,
    ...(q.by ? { rows: scored.rows } : {}),
  };
}

export function resultRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/", allow(ANALYSTS), roundAccess(), async (c) => {
    const ctx = c.var.ctx;
    const parsed = await parseQuery(ctx, c.req.param("id")!, c.req.query(), { by: true, viewer: currentUser(c) });
    const { scored, targets } = await resultsWithTargets(ctx, parsed);
    return c.json({ ...resultsBody(parsed, scored), targets });
  });

  app.get("/ranking", allow(ANALYSTS), roundAccess(), async (c) => {
    const ctx = c.var.ctx;
    const params = c.req.query();
    const level = params.level;
    if (!level || level === "group")
      throw bad("Cần chọn cấp đơn vị để xếp hạng (level=province|commune|…).", "Choose the unit level to rank (level=province|commune|…).", { level });
    // The `unit` of a ranking is the area ranked within; rows are the units at `level` under it.
    const parsed = await parseQuery(ctx, c.req.param("id")!, { ...params, by: level }, { by: true, viewer: currentUser(c) });
    const nodeCode = params.node || parsed.re.index.root.code;
    return c.json(await ranking(ctx, parsed, nodeCode, params.peers || null));
  });

  app.get("/weakest", allow(ANALYSTS), roundAccess(), async (c) => {
    const ctx = c.var.ctx;
    const params = c.req.query();
    const parsed = await parseQuery(ctx, c.req.param("id")!, params, { viewer: currentUser(c) });
    const level = params.level || defaultWorkLevel(parsed.re.index);
    if (!levelsOf(parsed.re.index).includes(level)) {
      throw bad(
        `Chỉ số không có cấp "${level}" (có: ${levelsOf(parsed.re.index).join(", ")}).`,
        `The index has no level "${level}" (levels: ${levelsOf(parsed.re.index).join(", ")}).`,
        { level },
      );
    }
    const against = params.against || "max";
    if (against !== "max" && against !== "target") throw bad("against phải là max hoặc target.", "against must be max or target.", { against });
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
    });
  });

  return app;
}

/** Nodes at a level ordered by distance to their maximum (or to their target), largest first. */
export function weakest(root: ResultNode, level: string, display: "percent" | "points", against: "max" | "target"): WeakRow[] {
  const rows: WeakRow[] = [];
  walk(root, (node) => {
    if (node.level !== level) return;
    const usePoints = display === "points" && node.max !== null;
    const gapToMax = node.value === null ? null : usePoints ? node.max! - node.value : 100 - node.value;
    const target = node.target?.value ?? null;
    rows.push({
      code: node.code,
      label: node.label,
      ...(node.short ? { short: node.short } : {}),
      level: node.level,
      max: node.max,
      value: node.value,
      percent: node.percent,
      points: node.points,
      gapToMax,
      target,
      gapToTarget: target !== null && node.value !== null ? target - node.value : null,
    });
  });
  const key = (r: WeakRow) => (against === "max" ? r.gapToMax : r.gapToTarget);
  // Relative distance for points (a 3.4-point sub-dimension and a 2.5-point one compare by share of max).
  const norm = (r: WeakRow) => {
    const k = key(r);
    if (k === null) return Number.NEGATIVE_INFINITY;
    return display === "points" && r.max ? k / r.max : k;
  };
  return rows.sort((a, b) => norm(b) - norm(a));
}

/** Units at a level ranked at one node: national rank, rank among a peer group, performance group, year on year. */
export async function ranking(ctx: AppContext, parsed: ParsedQuery, nodeCode: string, peersId: string | null): Promise<RankingResponse> {
  const { re, q } = parsed;
  const indexNode = findIndexNode(re, nodeCode);
  const peers = peersId ? await getPeerGroup(ctx.db.kysely, peersId) : null;
  if (peersId && !peers) throw bad(`Không có nhóm so sánh "${peersId}".`, `No peer group "${peersId}".`, { peers: peersId });
  if (peers && peers.registry !== q.space.registry) {
    throw bad(
      `Nhóm so sánh ${peers.id} dùng danh mục ${peers.registry}; hãy xem kết quả theo danh mục đó (asOf=${peers.registry}).`,
      `Peer group ${peers.id} uses registry ${peers.registry}; show results as of that registry (asOf=${peers.registry}).`,
      { peers: peers.id },
    );
  }
  const scored = await scoreQuery(ctx, parsed);
  const nodes = scored.rows.map((r) => nodeMap(r.root).get(nodeCode) ?? null);
  const values = nodes.map((n) => n?.value ?? null);
  const k = re.index.performanceGroups?.length ?? 0;
  const groups = k > 0 ? performanceGroups(values, k) : null;
  const members = peers ? new Set(peers.members) : null;
  const peerRanks = members
    ? competitionRanks(
        values.map((v, i) => (members.has(scored.rows[i]!.unit!.key) ? v : null)),
        re.index.decimals,
      )
    : null;
  const peerOf = peerRanks ? peerRanks.filter((r) => r !== null).length : 0;
  const rows: RankingRow[] = scored.rows.map((r, i) => {
    const node = nodes[i];
    const g = groups?.groups[i] ?? null;
    return {
      unit: r.unit!,
      responses: r.responses,
      suppressed: r.suppressed,
      value: node?.value ?? null,
      percent: node?.percent ?? null,
      points: node?.points ?? null,
      rank: node?.rank ?? null,
      of: node?.of ?? 0,
      ...(peerRanks && members!.has(r.unit!.key) ? { peerRank: peerRanks[i]!, peerOf } : {}),
      performanceGroup: g !== null ? { index: g, label: re.index.performanceGroups![g]! } : null,
      ...(parsed.compare
        ? {
            previous: node?.previous ? { value: node.previous.value, rank: node.previous.rank } : null,
            delta: node?.delta ?? null,
            change: node?.change ?? null,
          }
        : {}),
      ...(node && node.se !== undefined ? { se: node.se, ci: node.ci ?? null, unreliable: node.unreliable ?? false, rankRange: node.rankRange ?? null } : {}),
    };
  });
  rows.sort((a, b) => (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER) || (a.unit.code < b.unit.code ? -1 : 1));
  return {
    round: re.round.id,
    registry: q.space.registry,
    level: q.by!,
    group: q.group,
    display: re.index.display,
    decimals: re.index.decimals,
    node: { code: indexNode.code, label: indexNode.label, max: indexNode.max },
    minCellSize: re.round.minCellSize,
    peers: peers ? { id: peers.id, label: peers.label, members: peers.members.length } : null,
    performanceGroups: groups ? { labels: re.index.performanceGroups!, cuts: groups.cuts } : null,
    compare: parsed.compare,
    rows,
    mapping: scored.mapping,
  };
}

function findIndexNode(re: RoundEdition, code: string): Pick<NodeResult, "code" | "label" | "max"> {
  let found: Pick<NodeResult, "code" | "label" | "max"> | null = null;
  walk(re.index.root, (n) => {
    if (n.code === code) found = { code: n.code, label: n.label, max: n.max ?? null };
  });
  if (!found) throw bad(`Chỉ số không có nút "${code}".`, `The index has no node "${code}".`, { node: code });
  return found;
}
