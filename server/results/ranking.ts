/** Units ranked at one node (nationally, among peers, by performance group) and the nodes furthest from their maximum or target. */
import type { AppContext } from "../app-context.js";
import { Problem } from "../http/problem.js";
import type { NodeResult } from "../../shared/scoring/index.js";
import { competitionRanks, performanceGroups } from "../../shared/results/rank.js";
import { nodeMap, walk } from "../../shared/results/tree.js";
import type { RankingResponse, RankingRow, ResultNode, WeakRow } from "../../shared/results/types.js";
import type { RoundEdition } from "./service.js";
import type { ParsedQuery } from "./query-params.js";
import { scoreQuery } from "./tree.js";
import { getPeerGroup } from "./repository.js";

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
  if (peersId && !peers) throw new Problem("peer_group_unknown", undefined, { peers: peersId });
  if (peers && peers.registry !== q.space.registry) {
    throw new Problem("peer_group_other_registry", undefined, { peers: peers.id, registry: peers.registry });
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
  if (!found) throw new Problem("index_node_unknown", undefined, { node: code });
  return found;
}
